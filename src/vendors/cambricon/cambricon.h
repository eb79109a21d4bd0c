// Cambricon MLU (keyword "MLU", dynamic-smlu mode, reference 10): devices
// synthesised from node capacity (cards = capacity of the core resource /
// 100, memory per card = memory capacity x 256 x 100 / core capacity, ids
// `<node>-cambricon-mlu-<i>`, 100 slots, 100 cores); memory in 256 MiB units,
// cores percent (default 100); uuid selection `cambricon.com/use-gpuuuid` /
// `nouse-gpuuuid`. On filter it writes the device list plus
// `CAMBRICON_DSMLU_ASSIGNED=false` and `CAMBRICON_DSMLU_PROFILE=<index>_<cores>_<memory/256>`
// (first device); binds under its own `cambricon.com/dsmlu.lock` (bare
// RFC3339 time, 2 minutes). Config section `cambricon`.
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::cambricon {

void AddCambricon(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::cambricon
