#include "vendors/hygon/hygon.h"

#include <algorithm>

#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"

namespace hami::vendors::hygon {

void AddHygon(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  p.names = common::StandardNames(config, "hygon", "DCU", "hami.io/dcu-devices-to-allocate",
                                  "hami.io/dcu-devices-allocated",
                                  {"hygon.com/dcunum", "hygon.com/dcumem", "hygon.com/dcucores"});
  p.names.memory_factor = std::max<int64_t>(1, config.IntField("hygon", "memoryFactor", 1));
  p.inventory = common::Registered(p.names, "hami.io/node-dcu-register", "hami.io/node-handshake-dcu",
                                   common::RegisterSpec::Format::kLegacy);
  p.parser = common::ParserFor(p.names, /*default_cores=*/100);
  p.fitter = std::make_unique<common::CommonFitter>(
      common::SelectionKeys{"hygon.com/use-dcutype", "hygon.com/nouse-dcutype",
                            "hygon.com/use-gpuuuid", "hygon.com/nouse-gpuuuid", "", ""});
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::hygon
