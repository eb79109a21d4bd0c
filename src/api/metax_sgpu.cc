#include "api/metax_sgpu.h"

#include <limits>

#include "api/internal/json_util.h"
#include "api/internal/text.h"

namespace hami::api {
namespace {

using internal::Json;
using internal::ObjectReader;

constexpr int64_t kMin = std::numeric_limits<int32_t>::min();
constexpr int64_t kMax = std::numeric_limits<int32_t>::max();

Status ReadInt32(const ObjectReader& r, std::string_view key, int32_t* out) {
  int64_t v = *out;
  RETURN_IF_ERROR(r.Int(key, kMin, kMax, &v));
  *out = static_cast<int32_t>(v);
  return OkStatus();
}

// The top-level JSON array of a value (null = empty).
StatusOr<Json> ParseArray(std::string_view text, std::string_view what) {
  RETURN_IF_ERROR(internal::CheckAnnotationText(text, what));
  if (text.empty()) return InvalidArgumentError(std::string(what) + ": empty value");
  ASSIGN_OR_RETURN(Json root, internal::ParseJson(text, what));
  if (root.is_null()) return Json::array();
  if (!root.is_array()) {
    return InvalidArgumentError(std::string(what) + ": expected a JSON array, got " + internal::KindName(root));
  }
  return root;
}

StatusOr<MetaxSgpuDevice> DecodeDevice(const Json& value, size_t index) {
  const std::string where = "device " + std::to_string(index + 1);
  MetaxSgpuDevice d;
  if (value.is_null()) return d;
  if (!value.is_object()) {
    return InvalidArgumentError(where + ": expected an object, got " + internal::KindName(value));
  }
  ObjectReader r(value, where);
  RETURN_IF_ERROR(r.String("uuid", &d.uuid));
  RETURN_IF_ERROR(r.String("bdf", &d.bdf));
  RETURN_IF_ERROR(r.String("model", &d.model));
  RETURN_IF_ERROR(ReadInt32(r, "totalDevCount", &d.total_dev_count));
  RETURN_IF_ERROR(ReadInt32(r, "totalCompute", &d.total_compute));
  RETURN_IF_ERROR(ReadInt32(r, "totalVRam", &d.total_vram_mib));
  RETURN_IF_ERROR(ReadInt32(r, "availableDevCount", &d.available_dev_count));
  RETURN_IF_ERROR(ReadInt32(r, "availableCompute", &d.available_compute));
  RETURN_IF_ERROR(ReadInt32(r, "availableVRam", &d.available_vram_mib));
  RETURN_IF_ERROR(ReadInt32(r, "numa", &d.numa));
  RETURN_IF_ERROR(r.Bool("healthy", &d.healthy));
  RETURN_IF_ERROR(r.String("qosPolicy", &d.qos_policy));
  RETURN_IF_ERROR(ReadInt32(r, "linkZone", &d.link_zone));
  return d;
}

// Go's omitempty: a zero number, false or "" is left out.
class Fields {
 public:
  explicit Fields(std::string& out) : out_(out) { out_.push_back('{'); }
  void Str(std::string_view key, std::string_view v, bool always = false) {
    if (v.empty() && !always) return;
    Key(key);
    internal::AppendGoString(out_, v);
  }
  void Int(std::string_view key, int32_t v) {
    if (v != 0) Key(key), out_.append(std::to_string(v));
  }
  void Bool(std::string_view key, bool v) {
    if (v) Key(key), out_.append("true");
  }
  void Close() { out_.push_back('}'); }

 private:
  void Key(std::string_view key) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(key);
    out_.append("\":");
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace

StatusOr<std::vector<MetaxSgpuDevice>> DecodeMetaxSgpuDevices(std::string_view text) {
  ASSIGN_OR_RETURN(Json root, ParseArray(text, "metax sgpu devices"));
  std::vector<MetaxSgpuDevice> out;
  for (size_t i = 0; i < root.size(); ++i) {
    ASSIGN_OR_RETURN(auto d, DecodeDevice(root[i], i));
    out.push_back(std::move(d));
  }
  return out;
}

std::string EncodeMetaxSgpuDevices(const std::vector<MetaxSgpuDevice>& devices) {
  std::string out = "[";
  for (const auto& d : devices) {
    if (out.size() > 1) out.push_back(',');
    Fields f(out);
    f.Str("uuid", d.uuid, /*always=*/true);
    f.Str("bdf", d.bdf);
    f.Str("model", d.model);
    f.Int("totalDevCount", d.total_dev_count);
    f.Int("totalCompute", d.total_compute);
    f.Int("totalVRam", d.total_vram_mib);
    f.Int("availableDevCount", d.available_dev_count);
    f.Int("availableCompute", d.available_compute);
    f.Int("availableVRam", d.available_vram_mib);
    f.Int("numa", d.numa);
    f.Bool("healthy", d.healthy);
    f.Str("qosPolicy", d.qos_policy);
    f.Int("linkZone", d.link_zone);
    f.Close();
  }
  out.push_back(']');
  return out;
}

StatusOr<MetaxSgpuAllocation> DecodeMetaxSgpuAllocation(std::string_view text) {
  ASSIGN_OR_RETURN(Json root, ParseArray(text, "metax sgpu allocation"));
  MetaxSgpuAllocation out;
  for (size_t c = 0; c < root.size(); ++c) {
    const std::string where = "container " + std::to_string(c + 1);
    auto& container = out.emplace_back();
    const Json& list = root[c];
    if (list.is_null()) continue;
    if (!list.is_array()) return InvalidArgumentError(where + ": expected an array, got " + internal::KindName(list));
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string at = where + ", device " + std::to_string(i + 1);
      MetaxSgpuShare s;
      if (!list[i].is_null()) {
        if (!list[i].is_object()) return InvalidArgumentError(at + ": expected an object, got " + internal::KindName(list[i]));
        ObjectReader r(list[i], at);
        RETURN_IF_ERROR(r.String("uuid", &s.uuid));
        RETURN_IF_ERROR(ReadInt32(r, "compute", &s.compute));
        RETURN_IF_ERROR(ReadInt32(r, "vRam", &s.vram_mib));
      }
      container.push_back(std::move(s));
    }
  }
  return out;
}

std::string EncodeMetaxSgpuAllocation(const MetaxSgpuAllocation& allocation) {
  std::string out = "[";
  for (size_t c = 0; c < allocation.size(); ++c) {
    if (c > 0) out.push_back(',');
    out.push_back('[');
    for (size_t i = 0; i < allocation[c].size(); ++i) {
      if (i > 0) out.push_back(',');
      const auto& s = allocation[c][i];
      Fields f(out);
      f.Str("uuid", s.uuid, /*always=*/true);
      f.Int("compute", s.compute);
      f.Int("vRam", s.vram_mib);
      f.Close();
    }
    out.push_back(']');
  }
  out.push_back(']');
  return out;
}

}  // namespace hami::api
