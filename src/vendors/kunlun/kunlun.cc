#include "vendors/kunlun/kunlun.h"

#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"
#include "vendors/kunlun/wings.h"

namespace hami::vendors::kunlun {
namespace {

// Cards from capacity; the upper half sits on NUMA node 1.
class Inventory final : public InventoryDecoder {
 public:
  explicit Inventory(common::CapacitySpec spec) : cards_(std::move(spec)) {}
  StatusOr<DeviceInventory> Decode(const NodeView& node) const override {
    ASSIGN_OR_RETURN(DeviceInventory inv, cards_.Decode(node));
    const size_t half = inv.devices.size() / 2;
    for (size_t i = half; i < inv.devices.size(); ++i) inv.devices[i].numa = 1;
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
    FitOutcome out;
    std::vector<std::pair<int, bool>> sorted;
    for (const DeviceUsage* d : devices) sorted.emplace_back(d->index, d->used == 0);
    for (int index : SelectOnWings(sorted, req.count)) {
      for (size_t pos = 0; pos < devices.size(); ++pos) {
        if (devices[pos]->index != index) continue;
        out.chosen.push_back({static_cast<int>(pos), devices[pos]->total_mem_mib, devices[pos]->total_cores, {}});
        break;
      }
    }
    out.ok = !out.chosen.empty() && static_cast<int>(out.chosen.size()) == req.count;
    if (!out.ok) {
      out.chosen.clear();
      out.reasons["NumaNotFit"] = 1;
      out.examined = 1;  // HAMi counts reasons, not devices, here
    }
    return out;
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
