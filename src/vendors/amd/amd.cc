#include "vendors/amd/amd.h"

#include <algorithm>

#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"

namespace hami::vendors::amd {
namespace {

class Fitter final : public common::CommonFitter {
 public:
  Fitter()
      : CommonFitter({"amd.com/use-gputype", "amd.com/nouse-gputype", "amd.com/use-gpu-uuid",
                      "amd.com/nouse-gpu-uuid", "", ""}) {}

 protected:
  // Percent of the card's compute units, as a CU count.
  int32_t Cores(const DeviceUsage& d, const DeviceRequest& req) const override {
    if (d.total_cores <= 0) return 0;
    const int64_t cus = int64_t{std::min(req.cores, 100)} * d.total_cores / 100;
    return static_cast<int32_t>(std::clamp<int64_t>(cus, 1, d.total_cores));
  }
  std::string_view AllocationType(const DeviceUsage& d) const override { return d.type; }
};

}  // namespace

void AddAmd(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  p.names = common::StandardNames(config, "amd", "AMD", "hami.io/amd-devices-to-allocate",
                                  "hami.io/amd-devices-allocated",
                                  {"amd.com/gpu", "amd.com/gpumem", "amd.com/gpucores"});
  p.names.cores_are_units = true;
  p.inventory = common::Registered(p.names, "hami.io/node-amd-register", "", common::RegisterSpec::Format::kJson);
  p.parser = common::ParserFor(p.names, /*default_cores=*/100);
  p.fitter = std::make_unique<Fitter>();
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::amd
