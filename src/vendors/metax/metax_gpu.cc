#include "vendors/metax/metax_gpu.h"

#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"

namespace hami::vendors::metax {

void AddMetaxGpu(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  p.names = common::StandardNames(config, "metax", "Metax-GPU", "hami.io/metax-gpu-devices-to-allocate",
                                  "hami.io/metax-gpu-devices-allocated", {"metax-tech.com/gpu"});
  p.names.node_lock = NodeLockKind::kNone;
  common::CapacitySpec cap{{p.names.keyword, p.names.keyword, "metax", 0, 1, 100, 0}, p.names.count_resource};
  cap.fixed_memory_mib = 65536;
  p.inventory = std::make_unique<common::CapacityDecoder>(std::move(cap));
  // Whole cards: no memory resource (100 %), 100 cores.
  p.parser = common::ParserFor(p.names, /*default_cores=*/100);
  p.fitter = std::make_unique<common::CommonFitter>(common::SelectionKeys{});
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::metax
