// Legacy colon/comma form of the node device registration (Hygon DCU, Iluvatar).
#include <limits>
#include <string>

#include "api/internal/text.h"
#include "api/node_devices.h"

namespace hami::api {
namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr const char* kFieldNames[] = {"id",   "count",  "devmem", "devcore", "type",
                                       "numa", "health", "index",  "mode"};

Status FieldError(size_t device, size_t field, const Status& status) {
  return Status(status.code(), "node device registration: device " + std::to_string(device + 1) +
                                   ": field " + std::to_string(field + 1) + " (" +
                                   kFieldNames[field] + ") " + status.message());
}

StatusOr<int32_t> Int32Field(std::string_view text, size_t device, size_t field) {
  auto v = internal::ParseInt(text, 0, kInt32Max);
  if (!v.ok()) return FieldError(device, field, v.status());
  return static_cast<int32_t>(*v);
}

}  // namespace

StatusOr<std::vector<DeviceInfo>> DecodeNodeDevicesLegacy(std::string_view text) {
  RETURN_IF_ERROR(internal::CheckAnnotationText(text, "node device registration"));
  if (text.find(':') == std::string_view::npos) {
    return InvalidArgumentError(
        "node device registration: no ':' found; legacy form is "
        "'id,count,devmem,devcore,type,numa,health[,index,mode]:' per device");
  }
  std::vector<DeviceInfo> devices;
  for (std::string_view segment : internal::Split(text, ':')) {
    if (segment.empty()) continue;
    size_t n = devices.size();
    auto fields = internal::Split(segment, ',');
    if (fields.size() != 7 && fields.size() != 9) {
      return InvalidArgumentError("node device registration: device " + std::to_string(n + 1) +
                                  ": " + internal::Quote(segment) + " has " +
                                  std::to_string(fields.size()) + " fields, want 7 or 9");
    }
    DeviceInfo d;
    d.id = std::string(fields[0]);
    ASSIGN_OR_RETURN(d.count, Int32Field(fields[1], n, 1));
    ASSIGN_OR_RETURN(d.devmem_mib, Int32Field(fields[2], n, 2));
    ASSIGN_OR_RETURN(d.devcore, Int32Field(fields[3], n, 3));
    d.type = std::string(fields[4]);
    ASSIGN_OR_RETURN(d.numa, Int32Field(fields[5], n, 5));
    auto health = internal::ParseBool(fields[6]);
    if (!health.ok()) return FieldError(n, 6, health.status());
    d.health = *health;
    if (fields.size() == 9) {
      ASSIGN_OR_RETURN(d.index, Int32Field(fields[7], n, 7));
      d.mode = std::string(fields[8]);
    }
    devices.push_back(std::move(d));
  }
  return devices;
}

std::string EncodeNodeDevicesLegacy(const std::vector<DeviceInfo>& devices) {
  std::string out;
  for (const DeviceInfo& d : devices) {
    out.append(d.id + "," + std::to_string(d.count) + "," + std::to_string(d.devmem_mib) + "," +
               std::to_string(d.devcore) + "," + d.type + "," + std::to_string(d.numa) + "," +
               (d.health ? "true" : "false"));
    if (!d.mode.empty() || d.index != 0) {
      out.append("," + std::to_string(d.index) + "," + d.mode);
    }
    out.push_back(':');
  }
  // No device: a lone separator, which readers (HAMi's and ours) accept as an
  // empty list, where an empty string would be rejected.
  if (out.empty()) out = ":";
  return out;
}

Status ValidateNodeDevicesLegacy(const std::vector<DeviceInfo>& devices) {
  for (size_t i = 0; i < devices.size(); ++i) {
    const DeviceInfo& d = devices[i];
    std::string where = "device " + std::to_string(i + 1) + ": ";
    for (const std::string* s : {&d.id, &d.type, &d.mode}) {
      if (s->find_first_of(",:") != std::string::npos) {
        return InvalidArgumentError(where + internal::Quote(*s) + " contains ',' or ':'");
      }
    }
    if (d.count < 0 || d.devmem_mib < 0 || d.devmem_mib > kInt32Max || d.devcore < 0 ||
        d.numa < 0 || d.index < 0) {
      return InvalidArgumentError(where + "numbers must be in [0, 2147483647]");
    }
    if (!d.mig_profiles.empty() || !d.device_vendor.empty() || !d.custom_info_json.empty()) {
      return InvalidArgumentError(where +
                                  "migProfiles, devicevendor and custominfo have no legacy form");
    }
  }
  return OkStatus();
}

}  // namespace hami::api
