// Huawei Ascend NPUs (only with --enable-ascend, reference 10): one vendor per
// chip of ReadAscendConfig (keyword = commonWord <cw>). Inventory: HAMi's JSON
// in `hami.io/node-register-<cw>` (handshake `hami.io/node-handshake-<cw>`),
// memory in MB; a device's custominfo NetworkID is its DeviceUsage::group + 1
// (0: none), and the node's soft-split support (annotation `hami-vnpu-core`,
// else vnpus.hamiVnpuCore) is its mode: "hami-core", else "template".
// Requests: `<resourceName>` count, `-memory` (x memoryFactor), `-core` %.
// Hard split (default): memory rounded up to the smallest template that
// holds it (the whole card past the last one, refused past memoryCapacity at
// admission), no core share. Soft split (pod `huawei.com/vnpu-mode:
// hami-core`): exact memory and `-core` percent, the card's cores counted as
// 100; on a node without soft split the pod is refused with ModeNotFit.
// 910-class chips whose devices all carry a NetworkID pick multi-device
// requests network by network (910C: whole two-NPU modules) and score nodes
// by network concentration (x10). Written on filter besides the device
// list (`hami.io/<cw>-devices-to-allocate` / `-allocated`):
// `huawei.com/<cw>` = JSON [{"UUID","temp","memory","core"}] (zero fields
// left out) and `predicate-time` (unix seconds). UUID selection
// `hami.io/use-<cw>-uuid` / `hami.io/no-use-<cw>-uuid`; hami.io/mutex.lock.
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::ascend {

void AddAscend(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::ascend
