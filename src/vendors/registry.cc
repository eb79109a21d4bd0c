#include "vendors/registry.h"

#include "vendors/nvidia/nvidia_vendor.h"

namespace hami::vendors {
namespace {

using Factory = std::unique_ptr<const Vendor> (*)(const DevicesConfig&);

// One line per vendor.
constexpr Factory kFactories[] = {
    &nvidia::MakeNvidiaVendor,
};

}  // namespace

VendorList MakeVendors(const DevicesConfig& config) {
  VendorList out;
  for (Factory f : kFactories) {
    if (auto v = f(config)) out.push_back(std::move(v));
  }
  return out;
}

}  // namespace hami::vendors
