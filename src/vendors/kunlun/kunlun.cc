#include "vendors/kunlun/kunlun.h"

#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"
#include "vendors/kunlun/wings.h"

namespace hami::vendors::kunlun {
namespace {

// Cards from capacity; the upper half sits on NUMA node 1. Scored by the
// wing bubble (ScoreWings).
class Inventory final : public InventoryDecoder {
 public:
  explicit Inventory(common::CapacitySpec spec) : cards_(std::move(spec)) {}
  StatusOr<DeviceInventory> Decode(const NodeView& node) const override {
    ASSIGN_OR_RETURN(DeviceInventory inv, cards_.Decode(node));
    const size_t half = inv.devices.size() / 2;
    for (size_t i = half; i < inv.devices.size(); ++i) inv.devices[i].numa = 1;
    if (!inv.devices.empty()) inv.score = &ScoreWings;
    return inv;
  }

 private:
  common::CapacityDecoder cards_;
};

// Idle cards chosen on the wings; a card is recorded with all its memory and cores.
class Fitter final : public common::CommonFitter {
 public:
  Fitter() : CommonFitter({}) {}
  FitOutcome Fit(std::span<DeviceUsage* const> devices, const DeviceRequest& req, const FitConstraints&,
                 QuotaBudget&) const override {
    return FitOnWings(
        devices, req.count, [](const DeviceUsage& d) { return d.used == 0; },
        [](const DeviceUsage& d) { return std::pair<int64_t, int32_t>(d.total_mem_mib, d.total_cores); });
  }
};

// Card indexes of the last container with cards.
void DeviceIndexes(const api::PodDevices& devices, const FilterContext&, AnnotationMap& out) {
  for (const auto& container : devices) {
    if (!container.empty()) out["BAIDU_COM_DEVICE_IDX"] = common::IndexList(container);
  }
}

}  // namespace

void AddKunlun(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  p.names = common::StandardNames(config, "kunlun", "kunlun", "", "hami.io/kunlun-allocated",
                                  {"kunlunxin.com/xpu"});
  p.names.node_lock = NodeLockKind::kNone;
  common::CapacitySpec cap{{"kunlun", "kunlun", "kunlun", 0, 100, 100, 0}, p.names.count_resource};
  cap.fixed_memory_mib = 98304;
  p.inventory = std::make_unique<Inventory>(std::move(cap));
  p.parser = common::ParserFor(p.names, /*default_cores=*/0);
  p.fitter = std::make_unique<Fitter>();
  p.extra = &DeviceIndexes;
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::kunlun
