#include "vendors/vastai/vastai.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "api/reasons.h"
#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"

namespace hami::vendors::vastai {
namespace {

namespace reasons = api::reasons;

constexpr std::string_view kKeyword = "Vastai";

// DeviceUsage::policy: the registered custominfo.DeviceStrategy.
constexpr int32_t kStrategyOther = 0;   // absent, or not a string
constexpr int32_t kStrategyDie = 1;     // "die"
constexpr int32_t kStrategyNotDie = 2;  // any other string
// DeviceUsage::group: the card (custominfo.AIC) a die sits on, numbered from
// 1 in registration order; 0 = no AIC, -1 = an AIC that is not a string.
constexpr int32_t kNoCard = 0;
constexpr int32_t kOddCard = -1;

// JSON registration with HAMi's custominfo read into policy and group.
class Inventory final : public InventoryDecoder {
 public:
  explicit Inventory(std::string annotation)
      : annotation_(annotation), decoder_({std::move(annotation), std::string(kKeyword)}) {}
  StatusOr<DeviceInventory> Decode(const NodeView& node) const override {
    const std::string* value = node.Annotation(annotation_);
    if (value == nullptr || value->empty()) return DeviceInventory{};
    ASSIGN_OR_RETURN(auto infos, decoder_.DecodeValue(*value));
    std::vector<std::pair<int32_t, int32_t>> marks;  // (policy, group) per device
    std::vector<std::string> cards;
    for (auto& info : infos) {
      info.devcore = 100;  // HAMi: "only for calscore use"
      marks.push_back(Mark(info.custom_info_json, cards));
    }
    DeviceInventory inv = common::FromDeviceInfos(std::move(infos), kKeyword);
    for (size_t i = 0; i < inv.devices.size(); ++i) std::tie(inv.devices[i].policy, inv.devices[i].group) = marks[i];
    inv.score = &ScoreDies;
    return inv;
  }

  // HAMi's ScoreNode: per container, the share of its dies on its most used
  // card, summed; 0 when a die has no custominfo or AIC, or runs a strategy
  // other than "die".
  static double ScoreDies(const ScoreInput& in) {
    double score = 0;
    for (size_t from = 0; from < in.taken.size();) {
      size_t to = from;
      std::map<int32_t, int> per_card;
      for (; to < in.taken.size() && in.taken[to].container == in.taken[from].container; ++to) {
        const auto d = std::find_if(in.before.begin(), in.before.end(), [&](const DeviceUsage& u) {
          return u.vendor == kKeyword && u.id == in.taken[to].id;
        });
        if (d == in.before.end()) continue;
        if (d->policy == kStrategyNotDie || d->group == kNoCard) return 0;
        if (d->group != kOddCard) ++per_card[d->group];
      }
      int most = 0, total = 0;
      for (const auto& [card, n] : per_card) most = std::max(most, n), total += n;
      if (total > 0) score += static_cast<double>(most) / total;
      from = to;
    }
    return score;
  }

 private:
  static std::pair<int32_t, int32_t> Mark(const std::string& custom_info, std::vector<std::string>& cards) {
    if (custom_info.empty()) return {kStrategyOther, kNoCard};
    const nlohmann::json info = nlohmann::json::parse(custom_info, nullptr, false);
    if (!info.is_object()) return {kStrategyOther, kNoCard};
    int32_t strategy = kStrategyOther, card = kNoCard;
    if (auto s = info.find("DeviceStrategy"); s != info.end() && s->is_string()) {
      strategy = s->get<std::string>() == "die" ? kStrategyDie : kStrategyNotDie;
    }
    if (auto a = info.find("AIC"); a != info.end()) {
      if (!a->is_string()) return {strategy, kOddCard};
      const std::string id = a->get<std::string>();
      auto it = std::find(cards.begin(), cards.end(), id);
      card = static_cast<int32_t>(it - cards.begin()) + 1;
      if (it == cards.end()) cards.push_back(id);
    }
    return {strategy, card};
  }

  std::string annotation_;
  common::RegisterDecoder decoder_;
};

// Of the eligible dies (positions, in walk order), `count` from the cards
// holding the most of them first (ties: the card met first); dies without a
// card fill what is left.
std::vector<int> BestCombination(std::span<DeviceUsage* const> devices, const std::vector<int>& dies, int count) {
  std::vector<std::pair<int32_t, std::vector<int>>> cards;  // in order of first appearance
  std::vector<int> loose;
  for (int p : dies) {
    const int32_t card = devices[p]->group;
    if (card <= kNoCard) {
      loose.push_back(p);
      continue;
    }
    auto it = std::find_if(cards.begin(), cards.end(), [&](const auto& c) { return c.first == card; });
    if (it == cards.end()) it = cards.insert(cards.end(), {card, {}});
    it->second.push_back(p);
  }
  std::stable_sort(cards.begin(), cards.end(),
                   [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  std::vector<int> out;
  for (const auto& [card, positions] : cards) {
    for (int p : positions) {
      if (static_cast<int>(out.size()) < count) out.push_back(p);
    }
  }
  for (int p : loose) {
    if (static_cast<int>(out.size()) < count) out.push_back(p);
  }
  return out;
}

// Card mode: the common loop from the end, no memory or cores recorded.
// Die mode (the first device in the policy order registers
// DeviceStrategy=die): every eligible die is collected, then the best
// combination of cards is taken; under mutex a card with a die in use is
// exclusive.
class Fitter final : public common::CommonFitter {
 public:
  Fitter() : CommonFitter({"", "", "vastaitech.com/use-gpuuuid", "vastaitech.com/nouse-gpuuuid", "", ""}) {}
  FitOutcome Fit(std::span<DeviceUsage* const> devices, const DeviceRequest& req, const FitConstraints& c,
                 QuotaBudget& quota) const override {
    if (devices.empty() || devices[0]->policy != kStrategyDie) return CommonFitter::Fit(devices, req, c, quota);
    FitOutcome out;
    std::vector<int32_t> busy_cards;
    if (c.gpu_policy.mutex) {
      for (const DeviceUsage* d : devices) {
        if (d->used > 0 && d->group > kNoCard) busy_cards.push_back(d->group);
      }
    }
    auto fail = [&](std::string_view reason) { ++out.reasons[std::string(reason)]; };
    std::vector<int> dies;
    for (int i = static_cast<int>(devices.size()) - 1; i >= 0; --i) {
      const DeviceUsage& d = *devices[i];
      ++out.examined;
      if (auto reason = common::FirstBasicRefusal(d, c); !reason.empty()) { fail(reason); continue; }
      if (c.gpu_policy.mutex &&
          (d.used > 0 || std::find(busy_cards.begin(), busy_cards.end(), d.group) != busy_cards.end())) {
        fail(reasons::kExclusiveDeviceAllocateConflict);
        continue;
      }
      dies.push_back(i);
    }
    if (static_cast<int>(dies.size()) < req.count) {
      if (!dies.empty()) out.reasons[std::string(reasons::kAllocatedCardsInsufficientRequest)] = static_cast<int>(dies.size());
      return out;
    }
    if (static_cast<int>(dies.size()) > req.count) {
      dies = req.count == 1 ? std::vector<int>{dies.front()} : BestCombination(devices, dies, req.count);
    }
    for (int p : dies) out.chosen.push_back({p, 0, req.cores, {}});
    out.ok = true;
    out.reasons.clear();
    return out;
  }

 protected:
  // HAMi records no memory for Vastai devices.
  int64_t MemoryMib(const DeviceUsage&, const DeviceRequest&) const override { return 0; }
};

}  // namespace

void AddVastai(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  p.names = common::StandardNames(config, "vastai", std::string(kKeyword), "hami.io/Vastai-devices-to-allocate",
                                  "hami.io/Vastai-devices-allocated", {"vastaitech.com/va"});
  p.names.register_annotation = "hami.io/node-va-register";
  p.names.handshake_annotation = "hami.io/node-handshake-va";
  p.fitter = std::make_unique<Fitter>();
  p.inventory = std::make_unique<Inventory>(p.names.register_annotation);
  p.parser = common::ParserFor(p.names, /*default_cores=*/0);
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::vastai
