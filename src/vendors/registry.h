// The vendor registry: builds every enabled vendor backend from the devices
// configuration, in a fixed order (the order of vendors/registry.cc). A
// vendor folder exposes one `Add<Vendor>(config, out)` that appends its
// vendors (none when disabled, several for multi-chip families).
#pragma once

#include <memory>
#include <vector>

#include "vendors/config.h"
#include "vendors/vendor.h"

namespace hami::vendors {

using VendorList = std::vector<std::unique_ptr<const Vendor>>;

VendorList MakeVendors(const DevicesConfig& config);

}  // namespace hami::vendors
