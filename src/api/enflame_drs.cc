#include "api/enflame_drs.h"

#include <cmath>
#include <limits>

#include "api/internal/json_util.h"
#include "api/internal/text.h"

namespace hami::api {
namespace {

using internal::Json;
using internal::ObjectReader;

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

// The top-level JSON object of a value (null = empty).
StatusOr<Json> ParseObject(std::string_view text, std::string_view what) {
  RETURN_IF_ERROR(internal::CheckAnnotationText(text, what));
  if (text.empty()) return InvalidArgumentError(std::string(what) + ": empty value");
  ASSIGN_OR_RETURN(Json root, internal::ParseJson(text, what));
  if (root.is_null()) return Json::object();
  if (!root.is_object()) {
    return InvalidArgumentError(std::string(what) + ": expected a JSON object, got " + internal::KindName(root));
  }
  return root;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A capacity as HAMi accepts it: a JSON number or a decimal string, whole
// and within int32.
StatusOr<int64_t> Capacity(const Json& v, const std::string& where) {
  const std::string at = where + ": field 'capacity': ";
  if (v.is_string()) {
    auto n = internal::ParseInt(TrimSpace(v.get_ref<const std::string&>()), 0 - kInt32Max - 1, kInt32Max);
    if (!n.ok()) return InvalidArgumentError(at + std::string(n.status().message()));
    return *n;
  }
  if (v.is_number_integer() || v.is_number_unsigned()) return internal::JsonInt(v, 0 - kInt32Max - 1, kInt32Max, at);
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (d != std::trunc(d) || d < -2147483648.0 || d > 2147483647.0) {
      return InvalidArgumentError(at + "invalid capacity value " + v.dump());
    }
    return static_cast<int64_t>(d);
  }
  return InvalidArgumentError(at + "expected a number or a string, got " + internal::KindName(v));
}

StatusOr<EnflameDrsDevice> DecodeDevice(const Json& value, size_t index) {
  const std::string where = "device " + std::to_string(index + 1);
  EnflameDrsDevice d;
  if (value.is_null()) return d;
  if (!value.is_object()) {
    return InvalidArgumentError(where + ": expected an object, got " + internal::KindName(value));
  }
  ObjectReader r(value, where);
  RETURN_IF_ERROR(r.String("index", &d.index));
  RETURN_IF_ERROR(r.String("minor", &d.minor));
  if (const Json* c = r.Find("capacity")) {
    ASSIGN_OR_RETURN(d.capacity, Capacity(*c, where));
  }
  return d;
}

}  // namespace

StatusOr<EnflameDrsCapacity> DecodeEnflameDrsCapacity(std::string_view text) {
  ASSIGN_OR_RETURN(Json root, ParseObject(text, "enflame drs capacity"));
  EnflameDrsCapacity out;
  ObjectReader r(root, "enflame drs capacity");
  if (const Json* devices = r.Find("devices")) {
    if (!devices->is_array()) return r.Error("devices", "expected an array, got " + internal::KindName(*devices));
    for (size_t i = 0; i < devices->size(); ++i) {
      ASSIGN_OR_RETURN(auto d, DecodeDevice((*devices)[i], i));
      out.devices.push_back(std::move(d));
    }
  }
  if (const Json* profiles = r.Find("profiles")) {
    if (!profiles->is_object()) return r.Error("profiles", "expected an object, got " + internal::KindName(*profiles));
    for (auto it = profiles->begin(); it != profiles->end(); ++it) {
      if (it.value().is_null()) {
        out.profiles[it.key()].clear();
        continue;
      }
      if (!it.value().is_string()) {
        return r.Error("profiles", "profile '" + it.key() + "': expected a string, got " + internal::KindName(it.value()));
      }
      out.profiles[it.key()] = it.value().get<std::string>();
    }
  }
  return out;
}

std::string EncodeEnflameDrsCapacity(const EnflameDrsCapacity& capacity) {
  std::string out = "{\"devices\":[";
  for (size_t i = 0; i < capacity.devices.size(); ++i) {
    const auto& d = capacity.devices[i];
    if (i > 0) out.push_back(',');
    out.append("{\"index\":");
    internal::AppendGoString(out, d.index);
    out.append(",\"minor\":");
    internal::AppendGoString(out, d.minor);
    out.append(",\"capacity\":");
    out.append(d.capacity ? std::to_string(*d.capacity) : "null");
    out.push_back('}');
  }
  out.append("],\"profiles\":{");
  bool first = true;
  for (const auto& [name, id] : capacity.profiles) {
    if (!first) out.push_back(',');
    first = false;
    internal::AppendGoString(out, name);
    out.push_back(':');
    internal::AppendGoString(out, id);
  }
  out.append("}}");
  return out;
}

StatusOr<EnflameDrsAssignments> DecodeEnflameDrsAssignments(std::string_view text) {
  ASSIGN_OR_RETURN(Json root, ParseObject(text, "enflame assigned containers"));
  EnflameDrsAssignments out;
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string where = "container '" + it.key() + "'";
    EnflameDrsAssignment a;
    if (!it.value().is_null()) {
      if (!it.value().is_object()) {
        return InvalidArgumentError(where + ": expected an object, got " + internal::KindName(it.value()));
      }
      ObjectReader r(it.value(), where);
      RETURN_IF_ERROR(r.Bool("allocated", &a.allocated));
      RETURN_IF_ERROR(r.Int32("request", std::numeric_limits<int32_t>::min(), &a.request));
      RETURN_IF_ERROR(r.String("profileID", &a.profile_id));
      RETURN_IF_ERROR(r.String("profileName", &a.profile_name));
    }
    out[it.key()] = std::move(a);
  }
  return out;
}

std::string EncodeEnflameDrsAssignments(const EnflameDrsAssignments& assignments) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, a] : assignments) {  // std::map: bytewise key order, as Go sorts map keys
    if (!first) out.push_back(',');
    first = false;
    internal::AppendGoString(out, name);
    out.append(":{\"allocated\":");
    out.append(a.allocated ? "true" : "false");
    out.append(",\"request\":");
    out.append(std::to_string(a.request));
    if (!a.profile_id.empty()) {
      out.append(",\"profileID\":");
      internal::AppendGoString(out, a.profile_id);
    }
    if (!a.profile_name.empty()) {
      out.append(",\"profileName\":");
      internal::AppendGoString(out, a.profile_name);
    }
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

}  // namespace hami::api
