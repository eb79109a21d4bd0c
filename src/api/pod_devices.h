// Pod device lists: the value of `*-devices-to-allocate` and `*-devices-allocated`.
// `<uuid>,<type>,<usedmem MiB>,<usedcores %>:` per device, `;` after each container,
// one entry per container, init containers first. The final `;` terminates the
// last container (it does not start an extra empty one), so decode/encode
// round-trips byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hami::api {

struct ContainerDevice {
  std::string uuid;
  std::string type;         // vendor keyword, "NVIDIA" for NVIDIA
  int32_t used_mem_mib = 0;
  int32_t used_cores = 0;   // percent
  friend bool operator==(const ContainerDevice&, const ContainerDevice&) = default;
};

using ContainerDevices = std::vector<ContainerDevice>;
// One entry per container, init containers first. An empty entry = no devices.
using PodDevices = std::vector<ContainerDevices>;

StatusOr<PodDevices> DecodePodDevices(std::string_view text);
std::string EncodePodDevices(const PodDevices& devices);

// True when no container entry holds any device (fully erased to-allocate list).
bool IsFullyErased(const PodDevices& devices);

}  // namespace hami::api
