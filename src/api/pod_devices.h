// Pod device lists: the value of `*-devices-to-allocate` and `*-devices-allocated`.
// `<uuid>,<type>,<usedmem MiB>,<usedcores %>:` per device, `;` after each container,
// one entry per container, init containers first. The final `;` terminates the
// last container (it does not start an extra empty one), so decode/encode
// round-trips byte for byte. Leniency and errors: see docs/protocol.md.
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

// Decodes a pod device list. "" is a pod with no container entries; ";;" two
// empty entries. Lenient like HAMi: text after the last `;` counts as one more
// container, empty device pieces are skipped, fields after the 4th are ignored,
// a leading '+' and leading zeros in numbers are accepted. Stricter than HAMi:
// a non-empty device piece without 4 fields is an error (HAMi skips pieces
// without any `,`, so "a;b" would silently read as two empty containers). Errors
// (InvalidArgument/OutOfRange) name the position, e.g.
// "container 2, device 1: field 3 (usedmem) 'abc' is not an integer".
// mem/cores must be in [0, INT32_MAX]; negative values are refused (HAMi
// would accept them; they have no meaning).
StatusOr<PodDevices> DecodePodDevices(std::string_view text);
// Encodes; callers must pass values that ValidatePodDevices accepts.
std::string EncodePodDevices(const PodDevices& devices);
// OK when every uuid/type is free of the separators `,` `:` `;` and every
// number is non-negative, i.e. when EncodePodDevices round-trips.
Status ValidatePodDevices(const PodDevices& devices);

// True when no container entry holds any device (fully erased to-allocate list).
bool IsFullyErased(const PodDevices& devices);

}  // namespace hami::api
