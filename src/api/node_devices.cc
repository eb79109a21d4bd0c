// JSON form of the node device registration (`hami.io/node-<vendor>-register`).
#include <limits>
#include <string>

#include "api/internal/json_util.h"
#include "api/internal/text.h"
#include "api/node_devices.h"

namespace hami::api {
namespace {

using internal::Json;
using internal::ObjectReader;

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

StatusOr<MigPlacement> DecodePlacement(const Json& value, const std::string& where) {
  MigPlacement placement;
  if (value.is_null()) return placement;
  if (!value.is_object()) {
    return InvalidArgumentError(where + ": expected an object, got " + internal::KindName(value));
  }
  ObjectReader r(value, where);
  RETURN_IF_ERROR(r.Int32("start", 0, &placement.start));
  RETURN_IF_ERROR(r.Int32("size", 0, &placement.size));
  return placement;
}

StatusOr<MigProfile> DecodeMigProfile(const Json& value, const std::string& where) {
  MigProfile profile;
  if (value.is_null()) return profile;
  if (!value.is_object()) {
    return InvalidArgumentError(where + ": expected an object, got " + internal::KindName(value));
  }
  ObjectReader r(value, where);
  RETURN_IF_ERROR(r.String("name", &profile.name));
  RETURN_IF_ERROR(r.Int("memoryMB", 0, kInt32Max, &profile.memory_mib));
  RETURN_IF_ERROR(r.Int32("core", 0, &profile.core_percent));
  RETURN_IF_ERROR(r.Int32("sliceCount", 0, &profile.slice_count));
  if (const Json* placements = r.Find("placements")) {
    if (!placements->is_array()) return r.Error("placements", "expected an array");
    for (size_t i = 0; i < placements->size(); ++i) {
      ASSIGN_OR_RETURN(auto p, DecodePlacement((*placements)[i],
                                               where + ", placement " + std::to_string(i + 1)));
      profile.placements.push_back(p);
    }
  }
  return profile;
}

StatusOr<DeviceInfo> DecodeDevice(const Json& value, size_t index) {
  std::string where = "device " + std::to_string(index + 1);
  DeviceInfo d;
  if (value.is_null()) return d;  // Go leaves a null element as the zero value
  if (!value.is_object()) {
    return InvalidArgumentError(where + ": expected an object, got " + internal::KindName(value));
  }
  ObjectReader r(value, where);
  RETURN_IF_ERROR(r.String("id", &d.id));
  RETURN_IF_ERROR(r.Int32("index", 0, &d.index));
  RETURN_IF_ERROR(r.Int32("count", 0, &d.count));
  RETURN_IF_ERROR(r.Int("devmem", 0, kInt32Max, &d.devmem_mib));
  RETURN_IF_ERROR(r.Int32("devcore", 0, &d.devcore));
  RETURN_IF_ERROR(r.String("type", &d.type));
  RETURN_IF_ERROR(r.Int32("numa", 0, &d.numa));
  RETURN_IF_ERROR(r.String("mode", &d.mode));
  if (const Json* profiles = r.Find("migProfiles")) {
    if (!profiles->is_array()) return r.Error("migProfiles", "expected an array");
    for (size_t i = 0; i < profiles->size(); ++i) {
      ASSIGN_OR_RETURN(auto p, DecodeMigProfile((*profiles)[i],
                                                where + ", migProfile " + std::to_string(i + 1)));
      d.mig_profiles.push_back(std::move(p));
    }
  }
  RETURN_IF_ERROR(r.Bool("health", &d.health));
  RETURN_IF_ERROR(r.String("devicevendor", &d.device_vendor));
  if (const Json* custom = r.Find("custominfo")) {
    if (!custom->is_object()) {
      return r.Error("custominfo", "expected an object, got " + internal::KindName(*custom));
    }
    if (!custom->empty()) internal::AppendGoValue(d.custom_info_json, *custom);
  }
  return d;
}

void AppendKey(std::string& out, bool& first, std::string_view key) {
  if (!first) out.push_back(',');
  first = false;
  out.push_back('"');
  out.append(key);
  out.append("\":");
}

void AppendMigProfile(std::string& out, const MigProfile& p) {
  out.append("{\"name\":");
  internal::AppendGoString(out, p.name);
  out.append(",\"memoryMB\":" + std::to_string(p.memory_mib));
  out.append(",\"core\":" + std::to_string(p.core_percent));
  out.append(",\"sliceCount\":" + std::to_string(p.slice_count));
  out.append(",\"placements\":[");
  for (size_t i = 0; i < p.placements.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"start\":" + std::to_string(p.placements[i].start) +
               ",\"size\":" + std::to_string(p.placements[i].size) + "}");
  }
  out.append("]}");
}

void AppendDevice(std::string& out, const DeviceInfo& d) {
  bool first = true;
  out.push_back('{');
  if (!d.id.empty()) AppendKey(out, first, "id"), internal::AppendGoString(out, d.id);
  if (d.index != 0) AppendKey(out, first, "index"), out.append(std::to_string(d.index));
  if (d.count != 0) AppendKey(out, first, "count"), out.append(std::to_string(d.count));
  if (d.devmem_mib != 0) AppendKey(out, first, "devmem"), out.append(std::to_string(d.devmem_mib));
  if (d.devcore != 0) AppendKey(out, first, "devcore"), out.append(std::to_string(d.devcore));
  if (!d.type.empty()) AppendKey(out, first, "type"), internal::AppendGoString(out, d.type);
  if (d.numa != 0) AppendKey(out, first, "numa"), out.append(std::to_string(d.numa));
  if (!d.mode.empty()) AppendKey(out, first, "mode"), internal::AppendGoString(out, d.mode);
  if (!d.mig_profiles.empty()) {
    AppendKey(out, first, "migProfiles");
    out.push_back('[');
    for (size_t i = 0; i < d.mig_profiles.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendMigProfile(out, d.mig_profiles[i]);
    }
    out.push_back(']');
  }
  if (d.health) AppendKey(out, first, "health"), out.append("true");
  if (!d.device_vendor.empty()) {
    AppendKey(out, first, "devicevendor");
    internal::AppendGoString(out, d.device_vendor);
  }
  if (!d.custom_info_json.empty()) AppendKey(out, first, "custominfo"), out.append(d.custom_info_json);
  out.push_back('}');
}

}  // namespace

StatusOr<std::vector<DeviceInfo>> DecodeNodeDevicesJson(std::string_view text) {
  RETURN_IF_ERROR(internal::CheckAnnotationText(text, "node device registration"));
  if (text.empty()) return InvalidArgumentError("node device registration: empty value");
  ASSIGN_OR_RETURN(Json root, internal::ParseJson(text, "node device registration"));
  std::vector<DeviceInfo> devices;
  if (root.is_null()) return devices;
  if (!root.is_array()) {
    return InvalidArgumentError("node device registration: expected a JSON array, got " +
                                internal::KindName(root));
  }
  devices.reserve(root.size());
  for (size_t i = 0; i < root.size(); ++i) {
    auto device = DecodeDevice(root[i], i);
    if (!device.ok()) return device.status().WithContext("node device registration");
    devices.push_back(std::move(device).value());
  }
  return devices;
}

std::string EncodeNodeDevicesJson(const std::vector<DeviceInfo>& devices) {
  std::string out = "[";
  for (size_t i = 0; i < devices.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendDevice(out, devices[i]);
  }
  out.push_back(']');
  return out;
}

}  // namespace hami::api
