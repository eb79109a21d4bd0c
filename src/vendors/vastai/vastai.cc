#include "vendors/vastai/vastai.h"

#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"

namespace hami::vendors::vastai {

void AddVastai(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  p.names = common::StandardNames(config, "vastai", "Vastai", "hami.io/Vastai-devices-to-allocate",
                                  "hami.io/Vastai-devices-allocated", {"vastaitech.com/va"});
  p.fitter = std::make_unique<common::CommonFitter>(
      common::SelectionKeys{"", "", "vastaitech.com/use-gpuuuid", "vastaitech.com/nouse-gpuuuid", "", ""},
      common::CommonFitter::Order::kFromFront);
  p.inventory = common::Registered(p.names, "hami.io/node-va-register", "hami.io/node-handshake-va",
                                   common::RegisterSpec::Format::kJson, /*force_devcore=*/100);
  p.parser = common::ParserFor(p.names, /*default_cores=*/0);
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::vastai
