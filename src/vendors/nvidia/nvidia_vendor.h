// NVIDIA backend: request parsing with HAMi's defaults, admission defaults,
// the device Fit with HAMi's check order and reason tokens (reference 6.5),
// and inventory decoding of `hami.io/node-nvidia-register`.
#pragma once

#include <memory>

#include "vendors/config.h"
#include "vendors/vendor.h"

namespace hami::vendors::nvidia {

// nullptr when NVIDIA is disabled in the configuration.
std::unique_ptr<const Vendor> MakeNvidiaVendor(const DevicesConfig& config);

}  // namespace hami::vendors::nvidia
