// Vastai (keyword "Vastai", reference 10): cards counted by `vastaitech.com/va`;
// inventory from the JSON in `hami.io/node-va-register` (devcore forced to
// 100), handshake `hami.io/node-handshake-va`; uuid selection
// `vastaitech.com/use-gpuuuid` / `nouse-gpuuuid`; a container takes all of a
// card's memory, devices taken from the front of the policy order;
// hami.io/mutex.lock. Config section `vastai` (resourceCountName). Die mode
// (`custominfo.DeviceStrategy=die`, grouping by `custominfo.AIC`) is not
// implemented yet.
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::vastai {

void AddVastai(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::vastai
