// Biren GPUs (keyword "Biren", reference 10): whole cards counted by
// `birentech.com/gpu`; inventory from the JSON in `hami.io/node-biren-register`
// (devcore forced to 100), handshake `hami.io/node-handshake-biren`; uuid
// selection `birentech.com/use-gpuuuid` / `nouse-gpuuuid`; devices are taken
// from the end of the policy order and recorded with 0 memory and 0 cores;
// hami.io/mutex.lock. Config section `biren` (resourceCountName).
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::biren {

void AddBiren(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::biren
