// Iluvatar GPUs (only with --enable-iluvatar, reference 10): one vendor per
// chip of the config list `iluvatars` (default MR-V100, MR-V50, BI-V150,
// BI-V100; keyword = commonWord). Inventory from the legacy text in
// `hami.io/node-<cw>-register`, handshake `hami.io/node-handshake-<cw>`,
// memory in 256 MiB units, cores percent (default 0), uuid selection
// `hami.io/use-<cw>-uuid` / `hami.io/no-use-<cw>-uuid`; hami.io/mutex.lock.
// Admission: a count above 1 sets the core resource to count x 100, and
// `SOL_CONTINER_NAME` (sic) = the container name is added.
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::iluvatar {

void AddIluvatar(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::iluvatar
