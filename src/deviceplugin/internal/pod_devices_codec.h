// Pod device list codec used by the plugin (`hami.io/vgpu-devices-to-allocate`,
// reference 4.3 with README correction 2: the final `;` terminates the last
// container). Kept private until src/api (hami_api) lands, then replaced by
// api::DecodePodDevices / api::EncodePodDevices with the same semantics.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hami::deviceplugin::internal {

struct ContainerDevice {
  std::string uuid;
  std::string type;
  int32_t used_mem_mib = 0;
  int32_t used_cores = 0;
  friend bool operator==(const ContainerDevice&, const ContainerDevice&) = default;
};
using ContainerDevices = std::vector<ContainerDevice>;
using PodDevices = std::vector<ContainerDevices>;

StatusOr<PodDevices> DecodePodDevices(std::string_view text);
std::string EncodePodDevices(const PodDevices& devices);

}  // namespace hami::deviceplugin::internal
