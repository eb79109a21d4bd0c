// Kunlun vXPU (keyword "XPU", reference 10): inventory from the JSON in
// `hami.io/node-register-xpu`, handshake `hami.io/node-handshake-xpu`.
// Memory (MiB) is rounded up to a slice of 24576, 49152 or 98304 (no memory
// = a whole 98304 card), cores = memory x 100 / 98304; the admission webhook
// writes the rounded memory into limits and requests. Cards are chosen on
// the two wings like the whole XPU; a card takes a slice when its memory
// allows and, if already shared, only slices of the size it holds. Refusal:
// `NumaNotFit`. Device list under `hami.io/xpu-devices-*`; hami.io/mutex.lock.
// Config section `kunlun` (resourceVCountName, resourceVMemoryName).
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::kunlun {

void AddKunlunVxpu(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::kunlun
