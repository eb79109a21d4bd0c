// MetaX sGPU wire values (hami-protocol.md section 10): the node inventory the
// MetaX sGPU plugin publishes (`metax-tech.com/node-gpu-devices`, a JSON array
// of devices) and the per-container allocation the scheduler writes
// (`metax-tech.com/gpu-devices-allocated`, `[[{"uuid","compute","vRam"}]]`).
// Decoders read JSON the way Go's encoding/json fills HAMi's structs (null =
// zero value, int32 fields); encoders write HAMi's bytes (Go field order,
// omitempty, Go string escaping). Never throw.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hami::api {

inline constexpr std::string_view kMetaxSgpuDevicesAnnotation = "metax-tech.com/node-gpu-devices";
inline constexpr std::string_view kMetaxSgpuAllocatedAnnotation = "metax-tech.com/gpu-devices-allocated";

struct MetaxSgpuDevice {
  std::string uuid, bdf, model;
  int32_t total_dev_count = 0, total_compute = 0, total_vram_mib = 0;
  int32_t available_dev_count = 0, available_compute = 0, available_vram_mib = 0;
  int32_t numa = 0;
  bool healthy = false;
  std::string qos_policy;
  int32_t link_zone = 0;
  friend bool operator==(const MetaxSgpuDevice&, const MetaxSgpuDevice&) = default;
};
StatusOr<std::vector<MetaxSgpuDevice>> DecodeMetaxSgpuDevices(std::string_view text);
std::string EncodeMetaxSgpuDevices(const std::vector<MetaxSgpuDevice>& devices);

struct MetaxSgpuShare {
  std::string uuid;
  int32_t compute = 0;   // percent
  int32_t vram_mib = 0;
  friend bool operator==(const MetaxSgpuShare&, const MetaxSgpuShare&) = default;
};
using MetaxSgpuAllocation = std::vector<std::vector<MetaxSgpuShare>>;  // per container
StatusOr<MetaxSgpuAllocation> DecodeMetaxSgpuAllocation(std::string_view text);
std::string EncodeMetaxSgpuAllocation(const MetaxSgpuAllocation& allocation);

}  // namespace hami::api
