// Hygon DCU (keyword "DCU", reference 10): inventory from the legacy text in
// `hami.io/node-dcu-register`, handshake `hami.io/node-handshake-dcu`,
// memory in MiB (x memoryFactor), cores percent (default 100), selection by
// `hygon.com/use-dcutype` / `nouse-dcutype` and `hygon.com/use-gpuuuid` /
// `nouse-gpuuuid`; bind under hami.io/mutex.lock. Config section `hygon`.
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::hygon {

void AddHygon(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::hygon
