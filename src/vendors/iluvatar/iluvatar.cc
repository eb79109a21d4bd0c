#include "vendors/iluvatar/iluvatar.h"

#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"

namespace hami::vendors::iluvatar {
namespace {

struct Chip {
  std::string common_word, count, memory, cores;
};

std::vector<Chip> Chips(const DevicesConfig& config) {
  std::vector<Chip> out;
  auto it = config.sections.find("iluvatars");
  if (it != config.sections.end()) {
    for (const auto& f : it->second) {
      auto get = [&](const char* key) {
        auto v = f.find(key);
        return v == f.end() ? std::string() : v->second;
      };
      Chip c{get("commonWord"), get("resourceCountName"), get("resourceMemoryName"), get("resourceCoreName")};
      if (!c.common_word.empty() && !c.count.empty()) out.push_back(std::move(c));
    }
    return out;
  }
  for (const char* cw : {"MR-V100", "MR-V50", "BI-V150", "BI-V100"}) {
    const std::string base = std::string("iluvatar.ai/") + cw;
    out.push_back({cw, base + "-vgpu", base + ".vMem", base + ".vCore"});
  }
  return out;
}

class Mutator final : public AdmissionMutator {
 public:
  Mutator(std::string count, std::string cores) : count_(std::move(count)), cores_(std::move(cores)) {}
  StatusOr<AdmissionEffect> Mutate(ContainerResources& c) const override {
    AdmissionEffect e;
    auto it = c.limits.find(count_);
    if (it == c.limits.end()) return e;
    e.has_resource = true;
    if (it->second.Value() > 1) {
      c.limits.insert_or_assign(cores_, api::Quantity::FromInteger(it->second.Value() * 100));
    }
    if (!c.name.empty()) e.env.emplace_back("SOL_CONTINER_NAME", c.name);
    return e;
  }

 private:
  std::string count_, cores_;
};

}  // namespace

void AddIluvatar(const DevicesConfig& config, VendorList& out) {
  if (!config.enable_iluvatar) return;
  for (Chip& chip : Chips(config)) {
    const std::string& cw = chip.common_word;
    common::VendorParts p;
    p.names.keyword = cw;
    p.names.family = "Iluvatar";
    p.names.to_allocate_annotation = "hami.io/" + cw + "-devices-to-allocate";
    p.names.allocated_annotation = "hami.io/" + cw + "-devices-allocated";
    p.names.count_resource = chip.count;
    p.names.memory_resource = chip.memory;
    p.names.core_resource = chip.cores;
    p.names.managed_resources = {chip.count, chip.memory, chip.cores};
    p.names.memory_factor = 256;
    p.inventory = common::Registered(p.names, "hami.io/node-" + cw + "-register",
                                     "hami.io/node-handshake-" + cw, common::RegisterSpec::Format::kLegacy);
    p.mutator = std::make_unique<Mutator>(chip.count, chip.cores);
    p.parser = common::ParserFor(p.names, /*default_cores=*/0);
    p.fitter = std::make_unique<common::CommonFitter>(common::SelectionKeys{
        "", "", "hami.io/use-" + cw + "-uuid", "hami.io/no-use-" + cw + "-uuid", "", ""});
    out.push_back(common::Compose(std::move(p)));
  }
}

}  // namespace hami::vendors::iluvatar
