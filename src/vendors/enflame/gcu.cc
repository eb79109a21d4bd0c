#include "vendors/enflame/gcu.h"

#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"

namespace hami::vendors::enflame {
namespace {

class Fitter final : public common::CommonFitter {
 public:
  Fitter() : CommonFitter({}) { exclusive_devices_ = true; }
};

}  // namespace

void AddGcu(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  VendorNames& n = p.names;
  n.keyword = "GCU";
  n.to_allocate_annotation = "hami.io/enflame-gcu-devices-to-allocate";
  n.allocated_annotation = "hami.io/enflame-gcu-devices-allocated";
  n.count_resource = config.Field("enflame", "resourceNameGCU", "enflame.com/gcu");
  n.managed_resources = {n.count_resource};
  n.node_lock = NodeLockKind::kNone;
  common::CapacitySpec cap{{"GCU", "GCU", "GCU", 0, 1, 100, 0}, n.count_resource};
  cap.fixed_memory_mib = 100;
  p.inventory = std::make_unique<common::CapacityDecoder>(std::move(cap));
  p.parser = common::ParserFor(n, /*default_cores=*/100);  // all of the card: memory 100, cores 100
  p.fitter = std::make_unique<Fitter>();
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::enflame
