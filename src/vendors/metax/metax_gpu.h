// MetaX whole GPU (keyword "Metax-GPU", reference 10): devices synthesised
// from the capacity of `metax-tech.com/gpu` (ids `<node>-metax-<i>`, one slot,
// 65536 MiB, 100 cores); a container takes whole cards (all memory, 100
// cores); no node lock; device list under `hami.io/metax-gpu-devices-*`.
// Node score from `metax-tech.com/gpu.topology.losses` (binpack) and
// `.scores` (spread): 2000 minus the entry for the number of cards taken.
// Config section `metax` (resourceCountName).
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::metax {

void AddMetaxGpu(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::metax
