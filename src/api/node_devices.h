// Node device registration: the value of `hami.io/node-<vendor>-register`.
// NVIDIA (and Ascend, Kunlun vXPU, AMD, Vastai, Biren) use a JSON array of
// DeviceInfo with Go `omitempty` semantics; Hygon and Iluvatar use the legacy
// colon/comma text form. Decoders never throw; they return InvalidArgument with
// the position of the first problem.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hami::api {

struct MigPlacement {
  int32_t start = 0;
  int32_t size = 0;
  friend bool operator==(const MigPlacement&, const MigPlacement&) = default;
};

// One MIG profile a GPU can host (register JSON `migProfiles`).
struct MigProfile {
  std::string name;          // e.g. "1g.10gb"
  int64_t memory_mib = 0;    // JSON "memoryMB"
  int32_t core_percent = 0;  // JSON "core"
  int32_t slice_count = 0;   // JSON "sliceCount"
  std::vector<MigPlacement> placements;
  friend bool operator==(const MigProfile&, const MigProfile&) = default;
};

// One physical device as registered by a device plugin.
struct DeviceInfo {
  std::string id;              // GPU UUID ("id")
  int32_t index = 0;           // NVML index
  int32_t count = 0;           // slots (deviceSplitCount)
  int64_t devmem_mib = 0;      // "devmem", MiB after memory scaling
  int32_t devcore = 0;         // "devcore", 100 x core scaling
  std::string type;            // e.g. "NVIDIA-Tesla V100-PCIE-32GB"
  int32_t numa = 0;
  std::string mode;            // "hami-core" (default when absent), "mig", "mps"
  std::vector<MigProfile> mig_profiles;
  bool health = false;
  std::string device_vendor;   // "devicevendor", never written by NVIDIA
  // "custominfo" as compact JSON with Go's map encoding (keys sorted, Go
  // escaping); empty when absent or an empty object. Written verbatim.
  std::string custom_info_json;
  friend bool operator==(const DeviceInfo&, const DeviceInfo&) = default;
};

// The mode to act on: the registered mode, "hami-core" when none was written.
inline std::string_view EffectiveMode(const DeviceInfo& device) {
  return device.mode.empty() ? std::string_view("hami-core") : std::string_view(device.mode);
}

// JSON form. Decoding follows Go's encoding/json: missing or null fields keep
// their zero value (mode stays "" so re-encoding is byte-identical; use
// EffectiveMode), keys match case-insensitively, unknown keys (e.g. the
// deprecated `migtemplate`) are ignored, integers must be integral JSON
// numbers. Stricter than Go: count/devmem/devcore/numa/index must be in
// [0, INT32_MAX]. Encoding follows HAMi's field order and omits zero values;
// strings are escaped as Go does, so HAMi's own values re-encode byte for byte.
StatusOr<std::vector<DeviceInfo>> DecodeNodeDevicesJson(std::string_view text);
std::string EncodeNodeDevicesJson(const std::vector<DeviceInfo>& devices);

// Legacy text form: `id,count,devmem,devcore,type,numa,health[,index,mode]:` per
// device. Decoding: empty segments are skipped, 7 or 9 fields, health as Go's
// ParseBool, a value without any `:` is refused. Encoding writes 9 fields per
// device, or HAMi's 7-field short form when mode is "" and index 0 (which is
// what a 7-field device decodes to, so both forms round-trip byte for byte).
StatusOr<std::vector<DeviceInfo>> DecodeNodeDevicesLegacy(std::string_view text);
std::string EncodeNodeDevicesLegacy(const std::vector<DeviceInfo>& devices);
// OK when EncodeNodeDevicesLegacy round-trips: id/type/mode free of `,` and
// `:`, non-negative numbers, no MIG profiles, vendor or custom info.
Status ValidateNodeDevicesLegacy(const std::vector<DeviceInfo>& devices);

}  // namespace hami::api
