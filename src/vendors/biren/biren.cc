#include "vendors/biren/biren.h"

#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"

namespace hami::vendors::biren {
namespace {

// A slot per pod; memory and cores are neither checked nor charged.
class Fitter final : public common::CommonFitter {
 public:
  Fitter()
      : CommonFitter({"", "", "birentech.com/use-gpuuuid", "birentech.com/nouse-gpuuuid", "", ""}) {}

 protected:
  int64_t MemoryMib(const DeviceUsage&, const DeviceRequest&) const override { return 0; }
};

}  // namespace

void AddBiren(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  p.names = common::StandardNames(config, "biren", "Biren", "hami.io/Biren-devices-to-allocate",
                                  "hami.io/Biren-devices-allocated", {"birentech.com/gpu"});
  p.inventory = common::Registered(p.names, "hami.io/node-biren-register", "hami.io/node-handshake-biren",
                                   common::RegisterSpec::Format::kJson, /*force_devcore=*/100);
  p.fitter = std::make_unique<Fitter>();
  p.parser = common::ParserFor(p.names, /*default_cores=*/0);
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::biren
