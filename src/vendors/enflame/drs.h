// Enflame DRS hardware slices (keyword "Enflame", reference 10): cards from
// the node annotation `enflame.com/gcu-drs-capacity` (ids
// `<node>-enflame-drs-<index>`, slots = slice capacity, memory = the largest
// profile's GB x 1024, cores 100). A container takes one slice instance of a
// profile `<slices>g.<GB>gb`: asked directly by `enflame.com/drs-gcu`
// (slices) or as the smallest profile with memory >= `enflame.com/gcu-memory`
// (GB, or MiB when above twice the largest profile's GB) and core % >=
// `enflame.com/gcu-core` (a profile's core % = ceil(slices x 100 / largest
// slices)); no such profile = ModeNotFit. A pick charges its slices, profile
// memory and core %. Writes the device list under
// `hami.io/enflame-vgpu-devices-allocated` plus Enflame's `enflame.com/gcu-*`
// and `assigned-containers` values; no node lock. Config section `enflame`
// (resourceNameDRSGCU, else resourceNameVGCU; resourceNameGCUMemory,
// resourceNameGCUCore).
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::enflame {

void AddDrs(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::enflame
