// Enflame whole GCU (keyword "GCU", reference 10): devices synthesised from
// the capacity of `enflame.com/gcu` (ids `<node>-GCU-<i>`, one slot, memory
// and cores recorded as 100); a card in use is refused with
// ExclusiveDeviceAllocateConflict; device list under
// `hami.io/enflame-gcu-devices-*`; no node lock. Config section `enflame`
// (resourceNameGCU). DRS slices (keyword "Enflame") are in drs.h.
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::enflame {

void AddGcu(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::enflame
