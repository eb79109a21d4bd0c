#include "vendors/metax/metax_gpu.h"

#include <charconv>
#include <map>

#include <nlohmann/json.hpp>

#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"

namespace hami::vendors::metax {
namespace {

// `{"<devices>":<value>,...}` -> map; anything malformed reads as empty.
std::map<int32_t, int64_t> Table(const std::string* text) {
  std::map<int32_t, int64_t> out;
  if (text == nullptr) return out;
  auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    int32_t n = 0;
    auto [p, ec] = std::from_chars(it.key().data(), it.key().data() + it.key().size(), n);
    if (ec != std::errc() || p != it.key().data() + it.key().size() || !it.value().is_number_integer()) return {};
    out[n] = it.value().get<int64_t>();
  }
  return out;
}

// Whole cards from capacity, and the node score from the topology tables the
// MetaX plugin publishes: 2000 - losses[n] under binpack, 2000 - scores[n]
// under spread, for a pod taking n cards.
class Inventory final : public InventoryDecoder {
 public:
  explicit Inventory(common::CapacitySpec spec) : cards_(std::move(spec)) {}
  StatusOr<DeviceInventory> Decode(const NodeView& node) const override {
    ASSIGN_OR_RETURN(DeviceInventory inv, cards_.Decode(node));
    auto losses = Table(node.Annotation("metax-tech.com/gpu.topology.losses"));
    auto scores = Table(node.Annotation("metax-tech.com/gpu.topology.scores"));
    if (inv.devices.empty() || (losses.empty() && scores.empty())) return inv;
    inv.score = [losses = std::move(losses), scores = std::move(scores)](const ScoreInput& in) {
      const auto& table = in.binpack ? losses : scores;
      auto it = table.find(static_cast<int32_t>(in.taken.size()));
      return it == table.end() ? 0.0 : 2000.0 - static_cast<double>(it->second);
    };
    return inv;
  }

 private:
  common::CapacityDecoder cards_;
};

}  // namespace

void AddMetaxGpu(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  p.names = common::StandardNames(config, "metax", "Metax-GPU", "hami.io/metax-gpu-devices-to-allocate",
                                  "hami.io/metax-gpu-devices-allocated", {"metax-tech.com/gpu"});
  p.names.node_lock = NodeLockKind::kNone;
  common::CapacitySpec cap{{p.names.keyword, p.names.keyword, "metax", 0, 1, 100, 0}, p.names.count_resource};
  cap.fixed_memory_mib = 65536;
  p.inventory = std::make_unique<Inventory>(std::move(cap));
  // Whole cards: no memory resource (100 %), 100 cores.
  p.parser = common::ParserFor(p.names, /*default_cores=*/100);
  p.fitter = std::make_unique<common::CommonFitter>(common::SelectionKeys{});
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::metax
