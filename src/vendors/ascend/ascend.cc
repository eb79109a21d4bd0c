#include "vendors/ascend/ascend.h"

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/reasons.h"
#include "api/vendor_values.h"
#include "vendors/ascend/chips.h"
#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"
#include "vendors/common/text.h"

namespace hami::vendors::ascend {
namespace {

constexpr std::string_view kModeAnnotation = "huawei.com/vnpu-mode";
constexpr std::string_view kHamiCore = "hami-core";
constexpr std::string_view kNodeSoftSplit = "hami-vnpu-core";
constexpr double kNetworkWeight = 10;

bool Is910(const Chip& chip) { return chip.common_word.starts_with("Ascend910"); }

bool SoftSplit(const AnnotationMap* pod) {
  const std::string* v = pod == nullptr ? nullptr : common::FindAnnotation(*pod, kModeAnnotation);
  return v != nullptr && *v == kHamiCore;
}

class Mutator final : public AdmissionMutator {
 public:
  explicit Mutator(std::shared_ptr<const Chip> chip) : chip_(std::move(chip)) {}
  StatusOr<AdmissionEffect> Mutate(ContainerResources& c) const override {
    AdmissionEffect e;
    auto count = c.limits.find(chip_->resource_name);
    if (count == c.limits.end()) {
      if (chip_->overwrite_env) e.env.emplace_back("ASCEND_VISIBLE_DEVICES", "");
      return e;
    }
    e.has_resource = true;
    int64_t n = count->second.Value();
    if (chip_->common_word == "Ascend910C" && n == 1) {  // one module = two NPUs
      n = 2;
      count->second = api::Quantity::FromInteger(n);
      if (auto r = c.requests.find(chip_->resource_name); r != c.requests.end()) r->second = count->second;
    } else if (chip_->common_word == "Ascend910C" && n % 2 != 0) {
      return InvalidArgumentError("Ascend910C device request must be 1 or 2*n, got " + std::to_string(n));
    }
    const bool soft = SoftSplit(c.pod_annotations);
    if (const api::Quantity* q = chip_->core_name.empty() ? nullptr : common::Lookup(c, chip_->core_name);
        !soft && q != nullptr && q->Value() > 0) {
      return InvalidArgumentError(chip_->core_name + " is only supported in hami-core (soft split) mode");
    }
    int64_t mem = chip_->memory_allocatable_mib;
    if (auto m = c.limits.find(chip_->memory_name); m != c.limits.end()) {
      mem = soft ? m->second.Value() : chip_->Trim(m->second.Value()).memory_mib;
      if (!soft && mem <= 0) {
        return InvalidArgumentError(chip_->memory_name + " " + std::to_string(m->second.Value()) + " is invalid");
      }
    }
    if (n > 1 && mem != chip_->memory_allocatable_mib) {
      return InvalidArgumentError("vNPU not supported for multiple devices");
    }
    c.limits.insert_or_assign(chip_->memory_name, api::Quantity::FromInteger(mem));
    c.requests.insert_or_assign(chip_->memory_name, api::Quantity::FromInteger(mem));
    if (!chip_->runtime_class.empty()) e.runtime_class = chip_->runtime_class;
    return e;
  }

 private:
  std::shared_ptr<const Chip> chip_;
};

// Memory rounded to a template unless the container names the core resource
// (soft split); no template and past memoryCapacity = the whole card.
class Parser final : public RequestParser {
 public:
  Parser(std::shared_ptr<const Chip> chip, const VendorNames& n)
      : chip_(std::move(chip)),
        base_(common::ResourceSpec{n.keyword, n.count_resource, n.memory_resource, "", n.core_resource,
                                   n.memory_factor, 0, 0}) {}
  std::optional<DeviceRequest> Parse(const ContainerResources& c) const override {
    auto r = base_.Parse(c);
    const bool soft = !chip_->core_name.empty() && common::Lookup(c, chip_->core_name) != nullptr;
    if (r && r->mem_mib > 0 && !soft) {
      r->mem_mib = chip_->Trim(r->mem_mib).memory_mib;
      if (r->mem_mib == 0) r->mem_percent = 100;
    }
    return r;
  }

 private:
  std::shared_ptr<const Chip> chip_;
  common::ResourceParser base_;
};

// custominfo NetworkID + 1; 0 when absent.
int32_t NetworkGroup(const std::string& custom_info_json) {
  if (custom_info_json.empty()) return 0;
  auto j = nlohmann::json::parse(custom_info_json, nullptr, false);
  if (!j.is_object() || !j.contains("NetworkID") || !j["NetworkID"].is_number()) return 0;
  const double id = j["NetworkID"].get<double>();
  return id >= 0 && id < 1e9 ? static_cast<int32_t>(id) + 1 : 0;
}

// Network concentration of the devices the pod takes (HAMi's ScoreNode for
// 910 chips; the pod's devices count as one container).
double NetworkScore(const ScoreInput& in) {
  std::map<int32_t, int> per_network;
  for (const HeldDevice& h : in.taken) {
    auto d = std::find_if(in.before.begin(), in.before.end(), [&](const DeviceUsage& u) { return u.id == h.id; });
    if (d == in.before.end() || d->group == 0) return 0;
    ++per_network[d->group];
  }
  int most = 0, total = 0;
  for (const auto& [group, n] : per_network) most = std::max(most, n), total += n;
  return total == 0 ? 0 : kNetworkWeight * most / total;
}

class Decoder final : public InventoryDecoder {
 public:
  Decoder(std::shared_ptr<const Chip> chip, bool soft_split, const VendorNames& n)
      : chip_(std::move(chip)),
        soft_split_(soft_split),
        annotation_(n.register_annotation),
        register_(common::RegisterSpec{n.register_annotation, n.keyword}) {}
  StatusOr<DeviceInventory> Decode(const NodeView& node) const override {
    const std::string* value = node.Annotation(annotation_);
    if (value == nullptr || value->empty()) return DeviceInventory{};
    ASSIGN_OR_RETURN(auto infos, register_.DecodeValue(*value));
    std::vector<int32_t> groups;
    for (const auto& info : infos) groups.push_back(NetworkGroup(info.custom_info_json));
    DeviceInventory inv = common::FromDeviceInfos(std::move(infos), chip_->common_word);
    bool soft = soft_split_;
    if (const std::string* v = node.Annotation(kNodeSoftSplit)) soft = *v == "true";
    const std::string_view mode = inv.Intern(std::string(soft ? kHamiCore : "template"));
    for (size_t i = 0; i < inv.devices.size(); ++i) inv.devices[i].group = groups[i], inv.devices[i].mode = mode;
    if (Is910(*chip_)) inv.score = NetworkScore;
    return inv;
  }

 private:
  std::shared_ptr<const Chip> chip_;
  bool soft_split_;
  std::string annotation_;
  common::RegisterDecoder register_;
};

using Pick = FitOutcome::Pick;

class Fitter final : public common::CommonFitter {
 public:
  explicit Fitter(std::shared_ptr<const Chip> chip)
      : CommonFitter(common::SelectionKeys{"", "", "hami.io/use-" + chip->common_word + "-uuid",
                                           "hami.io/no-use-" + chip->common_word + "-uuid", "", ""}),
        chip_(std::move(chip)) {}

  StatusOr<FitConstraints> ParseConstraints(const AnnotationMap& a, std::string_view policy) const override {
    ASSIGN_OR_RETURN(FitConstraints c, CommonFitter::ParseConstraints(a, policy));
    if (const std::string* v = common::FindAnnotation(a, kModeAnnotation)) c.pod_values[std::string(kModeAnnotation)] = *v;
    return c;
  }

  FitOutcome Fit(std::span<DeviceUsage* const> devices, const DeviceRequest& req, const FitConstraints& c,
                 QuotaBudget& quota) const override {
    if (!SoftSplit(&c.pod_values)) return CommonFitter::Fit(devices, req, c, quota);
    if (!devices.empty() && devices.front()->mode != kHamiCore) {
      FitOutcome out;
      out.examined = static_cast<int>(devices.size());
      out.reasons[std::string(api::reasons::kModeNotFit)] = 1;
      return out;
    }
    // Soft split: the card's cores count as 100 (percent).
    thread_local std::vector<DeviceUsage> copies;
    thread_local std::vector<DeviceUsage*> soft;
    copies.clear(), soft.clear();
    for (const DeviceUsage* d : devices) copies.push_back(*d), copies.back().total_cores = 100;
    for (DeviceUsage& d : copies) soft.push_back(&d);
    return CommonFitter::Fit(soft, req, c, quota);
  }

 protected:
  bool CollectAll(std::span<DeviceUsage* const> devices) const override {
    return Is910(*chip_) && !devices.empty() &&
           std::all_of(devices.begin(), devices.end(), [](const DeviceUsage* d) { return d->group > 0; });
  }

  std::vector<Pick> Choose(std::span<DeviceUsage* const> devices, const std::vector<Pick>& cand, int want,
                           const FitConstraints&) const override {
    if (want == 1) return {cand.front()};
    // Groups in first-seen order: 910C modules (two NPUs, index / 2), else networks.
    const bool modules = chip_->common_word == "Ascend910C";
    std::vector<std::pair<int32_t, std::vector<Pick>>> groups;
    for (const Pick& p : cand) {
      const int32_t key = modules ? devices[p.pos]->index / 2 : devices[p.pos]->group;
      auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& e) { return e.first == key; });
      if (g == groups.end()) g = groups.insert(groups.end(), {key, {}});
      g->second.push_back(p);
    }
    // Networks: largest first. Modules: whole free modules, fullest-used cards first.
    std::stable_sort(groups.begin(), groups.end(), [&](const auto& a, const auto& b) {
      return modules ? a.second.size() < b.second.size() : a.second.size() > b.second.size();
    });
    std::vector<Pick> out;
    for (const auto& [key, picks] : groups) {
      if (modules && picks.size() != 2) continue;
      for (const Pick& p : picks) {
        if (static_cast<int>(out.size()) < want) out.push_back(p);
      }
    }
    return out;
  }

 private:
  std::shared_ptr<const Chip> chip_;
};

// `huawei.com/<cw>`: per device UUID, the template (hard split), memory and
// cores (api::EncodeAscendShares); `predicate-time` in unix seconds.
void RuntimeInfo(const Chip& chip, const api::PodDevices& devices, const FilterContext& context,
                 AnnotationMap& out) {
  const bool soft = SoftSplit(context.pod_annotations);
  std::vector<api::AscendDeviceShare> shares;
  for (const auto& container : devices) {
    for (const auto& d : container) {
      shares.push_back({d.uuid, soft ? std::string() : std::string(chip.Trim(d.used_mem_mib).name),
                        d.used_mem_mib, d.used_cores});
    }
  }
  out["huawei.com/" + chip.common_word] = api::EncodeAscendShares(shares);
  out["predicate-time"] = std::to_string(context.now_unix_nanos / 1'000'000'000);
}

}  // namespace

void AddAscend(const DevicesConfig& config, VendorList& out) {
  if (!config.enable_ascend) return;
  const AscendConfig ascend = ReadAscendConfig(config);
  for (const Chip& c : ascend.chips) {
    auto chip = std::make_shared<const Chip>(c);
    const std::string& cw = chip->common_word;
    common::VendorParts p;
    p.names.keyword = cw;
    p.names.family = "Ascend";
    p.names.to_allocate_annotation = "hami.io/" + cw + "-devices-to-allocate";
    p.names.allocated_annotation = "hami.io/" + cw + "-devices-allocated";
    p.names.count_resource = chip->resource_name;
    p.names.memory_resource = chip->memory_name;
    p.names.core_resource = chip->core_name;
    for (const std::string* r : {&chip->resource_name, &chip->memory_name, &chip->core_name}) {
      if (!r->empty()) p.names.managed_resources.push_back(*r);
    }
    p.names.memory_factor = chip->memory_factor;
    p.names.register_annotation = "hami.io/node-register-" + cw;
    p.names.handshake_annotation = "hami.io/node-handshake-" + cw;
    p.inventory = std::make_unique<Decoder>(chip, ascend.hami_vnpu_core, p.names);
    p.parser = std::make_unique<Parser>(chip, p.names);
    p.mutator = std::make_unique<Mutator>(chip);
    p.fitter = std::make_unique<Fitter>(chip);
    p.extra = [chip](const api::PodDevices& devices, const FilterContext& context, AnnotationMap& annotations) {
      RuntimeInfo(*chip, devices, context, annotations);
    };
    out.push_back(common::Compose(std::move(p)));
  }
}

}  // namespace hami::vendors::ascend
