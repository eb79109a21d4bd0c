// Per-node overrides (`config.json`, key `nodeconfig`).
#include <limits>

#include "api/device_config.h"
#include "api/internal/json_util.h"
#include "api/internal/text.h"

namespace hami::api {
namespace {

using internal::Json;
using internal::ObjectReader;

template <typename T>
Status Optional(const ObjectReader& r, std::string_view key, std::optional<T>* out);

template <>
Status Optional(const ObjectReader& r, std::string_view key, std::optional<std::string>* out) {
  const Json* v = r.Find(key);
  if (v == nullptr) return OkStatus();
  // libcudaloglevel is written as a string, but accept a number too.
  if (v->is_number_integer()) {
    *out = std::to_string(v->get<int64_t>());
    return OkStatus();
  }
  std::string s;
  RETURN_IF_ERROR(r.String(key, &s));
  *out = s;
  return OkStatus();
}

template <>
Status Optional(const ObjectReader& r, std::string_view key, std::optional<bool>* out) {
  if (r.Find(key) == nullptr) return OkStatus();
  bool b = false;
  RETURN_IF_ERROR(r.Bool(key, &b));
  *out = b;
  return OkStatus();
}

template <>
Status Optional(const ObjectReader& r, std::string_view key, std::optional<int32_t>* out) {
  if (r.Find(key) == nullptr) return OkStatus();
  int32_t v = 0;
  RETURN_IF_ERROR(r.Int32(key, 0, &v));
  *out = v;
  return OkStatus();
}

template <>
Status Optional(const ObjectReader& r, std::string_view key, std::optional<int64_t>* out) {
  if (r.Find(key) == nullptr) return OkStatus();
  int64_t v = 0;
  RETURN_IF_ERROR(r.Int(key, 0, std::numeric_limits<int64_t>::max(), &v));
  *out = v;
  return OkStatus();
}

template <>
Status Optional(const ObjectReader& r, std::string_view key, std::optional<double>* out) {
  const Json* v = r.Find(key);
  if (v == nullptr) return OkStatus();
  if (!v->is_number()) return r.Error(key, "expected a number, got " + internal::KindName(*v));
  double d = v->get<double>();
  if (!(d > 0)) return r.Error(key, "must be > 0");
  *out = d;
  return OkStatus();
}

Status ParseFilter(const Json& filter, const std::string& where, NodeConfigOverride* o) {
  if (!filter.is_object()) return InvalidArgumentError(where + ": filterdevices: expected an object");
  ObjectReader r(filter, where + ": filterdevices");
  if (const Json* uuids = r.Find("uuid")) {
    if (!uuids->is_array()) return r.Error("uuid", "expected an array");
    std::vector<std::string> list;
    for (const Json& u : *uuids) {
      if (!u.is_string()) return r.Error("uuid", "expected strings");
      list.push_back(u.get<std::string>());
    }
    o->filter_device_uuids = std::move(list);
  }
  if (const Json* indices = r.Find("index")) {
    if (!indices->is_array()) return r.Error("index", "expected an array");
    std::vector<int32_t> list;
    for (const Json& i : *indices) {
      ASSIGN_OR_RETURN(int64_t v, internal::JsonInt(i, 0, std::numeric_limits<int32_t>::max(),
                                                    r.where() + ": field 'index': "));
      list.push_back(static_cast<int32_t>(v));
    }
    o->filter_device_indices = std::move(list);
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::vector<NodeConfigOverride>> ParseNodeConfigJson(std::string_view text) {
  constexpr std::string_view kWhat = "node config";
  RETURN_IF_ERROR(internal::CheckAnnotationText(text, kWhat));
  ASSIGN_OR_RETURN(Json root, internal::ParseJson(text, kWhat));
  if (!root.is_object()) return InvalidArgumentError("node config: expected a JSON object");
  std::vector<NodeConfigOverride> out;
  ObjectReader top(root, "node config");
  const Json* list = top.Find("nodeconfig");
  if (list == nullptr) return out;
  if (!list->is_array()) return top.Error("nodeconfig", "expected an array");
  for (size_t i = 0; i < list->size(); ++i) {
    std::string where = "node config: entry " + std::to_string(i + 1);
    const Json& item = (*list)[i];
    if (!item.is_object()) return InvalidArgumentError(where + ": expected an object");
    ObjectReader r(item, where);
    NodeConfigOverride o;
    RETURN_IF_ERROR(r.String("name", &o.name));
    RETURN_IF_ERROR(Optional(r, "operatingmode", &o.operating_mode));
    if (o.operating_mode && *o.operating_mode != "hami-core" && *o.operating_mode != "mig" &&
        *o.operating_mode != "mps") {
      return r.Error("operatingmode", internal::Quote(*o.operating_mode) +
                                          " is not hami-core, mig or mps");
    }
    RETURN_IF_ERROR(Optional(r, "devicesplitcount", &o.device_split_count));
    RETURN_IF_ERROR(Optional(r, "devicememoryscaling", &o.device_memory_scaling));
    RETURN_IF_ERROR(Optional(r, "devicecorescaling", &o.device_core_scaling));
    RETURN_IF_ERROR(Optional(r, "preconfigureddevicememory", &o.preconfigured_device_memory_mib));
    RETURN_IF_ERROR(Optional(r, "libcudaloglevel", &o.lib_cuda_log_level));
    RETURN_IF_ERROR(Optional(r, "enablenumatopology", &o.enable_numa_topology));
    RETURN_IF_ERROR(Optional(r, "migstrategy", &o.mig_strategy));
    RETURN_IF_ERROR(
        Optional(r, "enablegetpreferredallocation", &o.enable_get_preferred_allocation));
    if (const Json* filter = r.Find("filterdevices")) RETURN_IF_ERROR(ParseFilter(*filter, where, &o));
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace hami::api
