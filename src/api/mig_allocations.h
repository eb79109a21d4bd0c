// Dynamic MIG reservations (`hami.io/vgpu-mig-allocations`): a JSON array of
// {containerIndex, deviceIndex, gpuUUID, profile, placement{start,size}} plus the
// all-or-nothing runtime identity {migUUID, gpuInstanceID, computeInstanceID}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/node_devices.h"
#include "common/status.h"

namespace hami::api {

struct MigRuntimeIdentity {
  std::string mig_uuid;
  int32_t gpu_instance_id = 0;
  int32_t compute_instance_id = 0;
  friend bool operator==(const MigRuntimeIdentity&, const MigRuntimeIdentity&) = default;
};

struct MigAllocation {
  int32_t container_index = 0;  // init-then-regular order
  int32_t device_index = 0;     // within the container
  std::string gpu_uuid;
  std::string profile;
  MigPlacement placement;
  std::optional<MigRuntimeIdentity> runtime;  // all three fields or none
  friend bool operator==(const MigAllocation&, const MigAllocation&) = default;
};

// Rejects duplicate (containerIndex, deviceIndex) pairs, partial runtime
// identity, negative indices and placements, a missing placement and an empty
// gpuUUID/profile/migUUID. `null` decodes to an empty list. Encoding writes
// HAMi's field order; runtime fields only when present.
StatusOr<std::vector<MigAllocation>> DecodeMigAllocations(std::string_view text);
std::string EncodeMigAllocations(const std::vector<MigAllocation>& allocations);

}  // namespace hami::api
