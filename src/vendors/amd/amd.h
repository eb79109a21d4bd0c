// AMD GPUs (keyword "AMD", reference 10): inventory from the JSON in
// `hami.io/node-amd-register` (devcore = the card's compute-unit count).
// `amd.com/gpumem` is MiB (none = the whole memory); `amd.com/gpucores` is a
// percentage (none = 100) turned into a CU count floor(pct x CUs / 100)
// clamped to [1, CUs], which is what the device list records; the device-list
// type is the card's model name. Selection `amd.com/use-gputype` /
// `nouse-gputype`, `amd.com/use-gpu-uuid` / `nouse-gpu-uuid`; written
// `hami.io/amd-devices-to-allocate` / `-allocated`; hami.io/mutex.lock.
// Config section `amd`.
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::amd {

void AddAmd(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::amd
