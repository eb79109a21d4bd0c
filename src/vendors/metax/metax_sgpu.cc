#include "vendors/metax/metax_sgpu.h"

#include <algorithm>
#include <limits>

#include "api/metax_sgpu.h"
#include "vendors/common/composed.h"
#include "vendors/common/text.h"
#include "vendors/metax/sgpu_rules.h"

namespace hami::vendors::metax {
namespace sgpu {

int32_t PolicyCode(std::string_view qos, bool requested) {
  if (qos.empty()) return 0;
  if (qos == kBestEffort) return 1;
  if (qos == kFixedShare) return 2;
  if (qos == kBurstShare) return 3;
  return requested ? 5 : 4;
}

std::string_view PodValue(const FitConstraints& c, std::string_view key) {
  auto it = c.pod_values.find(key);
  return it == c.pod_values.end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace sgpu
namespace {

using namespace sgpu;

class Inventory final : public InventoryDecoder {
 public:
  explicit Inventory(bool topology_aware) : topology_aware_(topology_aware) {}
  StatusOr<DeviceInventory> Decode(const NodeView& node) const override {
    DeviceInventory inv;
    const std::string* text = node.Annotation(api::kMetaxSgpuDevicesAnnotation);
    if (text == nullptr) return inv;
    ASSIGN_OR_RETURN(auto devices, api::DecodeMetaxSgpuDevices(*text));
    const std::string_view keyword = inv.Intern(std::string(kKeyword));
    for (size_t i = 0; i < devices.size(); ++i) {
      const auto& s = devices[i];
      DeviceUsage d;
      d.id = inv.Intern(s.uuid);
      d.index = static_cast<int32_t>(i);
      d.type = d.vendor = keyword;
      d.numa = s.numa;
      d.healthy = s.healthy;
      d.count = s.total_dev_count;
      d.total_mem_mib = s.total_vram_mib;
      d.total_cores = s.total_compute;
      d.group = s.link_zone;
      d.policy = PolicyCode(s.qos_policy, /*requested=*/false);
      inv.devices.push_back(d);
    }
    if (!inv.devices.empty()) inv.score = MakeScorer(topology_aware_);
    return inv;
  }

 private:
  bool topology_aware_;
};

// HAMi's request reading: count required (1..2^31-1); cores default 100; a
// bare memory number is GiB, one with a unit is bytes (to MiB); no memory
// means the whole device.
class Parser final : public RequestParser {
 public:
  explicit Parser(const VendorNames& names)
      : count_(names.count_resource), memory_(names.memory_resource), cores_(names.core_resource),
        memory_factor_(names.memory_factor) {}
  std::optional<DeviceRequest> Parse(const ContainerResources& c) const override {
    constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
    auto count = c.limits.find(count_);
    if (count == c.limits.end() || !count->second.IsInteger()) return std::nullopt;
    if (count->second.Value() <= 0 || count->second.Value() > kMax) return std::nullopt;
    DeviceRequest r{std::string(kKeyword), static_cast<int32_t>(count->second.Value()), 0, kMemPercentUnset, 100};
    if (auto cores = c.limits.find(cores_); cores != c.limits.end() && cores->second.IsInteger()) {
      if (cores->second.Value() < 0 || cores->second.Value() > kMax) return std::nullopt;
      r.cores = static_cast<int32_t>(cores->second.Value());
    }
    if (auto mem = c.limits.find(memory_); mem != c.limits.end() && mem->second.IsInteger()) {
      const int64_t v = mem->second.Value();
      const std::string text = mem->second.ToString();
      const bool has_unit = std::any_of(text.begin(), text.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
      });
      if (!has_unit && (v < 0 || v > kMax / memory_factor_)) return std::nullopt;
      r.mem_mib = has_unit ? v / 1024 / 1024 : v * memory_factor_;
      if (r.mem_mib < 0 || r.mem_mib > kMax) return std::nullopt;
    }
    if (r.mem_mib == 0) r.mem_percent = 100;
    return r;
  }

 private:
  std::string count_, memory_, cores_;
  int64_t memory_factor_;
};

// App class: online or offline, one device. Without the online class the
// QoS policy must be one of HAMi's three, best-effort when absent.
class Mutator final : public AdmissionMutator {
 public:
  explicit Mutator(std::string count) : count_(std::move(count)) {}
  StatusOr<AdmissionEffect> Mutate(ContainerResources& c) const override {
    AdmissionEffect e;
    auto count = c.limits.find(count_);
    if (count == c.limits.end()) return e;
    e.has_resource = true;
    static const AnnotationMap kNone;
    const AnnotationMap& pod = c.pod_annotations != nullptr ? *c.pod_annotations : kNone;
    const std::string* app_class = common::FindAnnotation(pod, kAppClass);
    if (app_class != nullptr) {
      if (*app_class != kOnline && *app_class != kOffline) {
        return InvalidArgumentError(std::string(kAppClass) + " must be set one of [online, offline]");
      }
      if (count->second.Value() != 1) return InvalidArgumentError("app-class pod must request single device");
      if (*app_class == kOnline) return e;
    }
    const std::string* qos = common::FindAnnotation(pod, kQosPolicy);
    if (qos == nullptr) {
      e.pod_annotations.emplace_back(kQosPolicy, kBestEffort);
    } else if (*qos != kBestEffort && *qos != kFixedShare && *qos != kBurstShare) {
      return InvalidArgumentError(std::string(kQosPolicy) + " must be set one of [best-effort, fixed-share, burst-share]");
    }
    return e;
  }

 private:
  std::string count_;
};

// MetaX's own view of the allocation, and when it was made.
void Allocation(const api::PodDevices& devices, const FilterContext& context, AnnotationMap& out) {
  api::MetaxSgpuAllocation alloc;
  for (const auto& container : devices) {
    auto& shares = alloc.emplace_back();
    for (const auto& d : container) shares.push_back({d.uuid, d.used_cores, d.used_mem_mib});
  }
  out[std::string(api::kMetaxSgpuAllocatedAnnotation)] = api::EncodeMetaxSgpuAllocation(alloc);
  out["metax-tech.com/predicate-time"] = std::to_string(context.now_unix_nanos);
}

// A pod without the online class sets the device's QoS to its own (none
// when it takes the whole device); pods with an app class are counted.
PodAnnotator::UsageMark Mark(const AnnotationMap& pod, const api::ContainerDevice& d) {
  PodAnnotator::UsageMark m;
  const std::string* app_class = common::FindAnnotation(pod, kAppClass);
  if (app_class != nullptr && *app_class == kOnline) {
    m.pod_class = kOnlineClass;
    return m;
  }
  if (app_class != nullptr && *app_class == kOffline) m.pod_class = kOfflineClass;
  const std::string* qos = common::FindAnnotation(pod, kQosPolicy);
  m.policy = d.used_cores == 100 || qos == nullptr ? 0 : PolicyCode(*qos, /*requested=*/true);
  return m;
}

}  // namespace

void AddMetaxSgpu(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  p.names.keyword = std::string(kKeyword);
  p.names.register_annotation = std::string(api::kMetaxSgpuDevicesAnnotation);
  p.names.to_allocate_annotation = "hami.io/metax-sgpu-devices-to-allocate";
  p.names.allocated_annotation = "hami.io/metax-sgpu-devices-allocated";
  p.names.count_resource = config.Field("metax", "resourceVCountName", "metax-tech.com/sgpu");
  p.names.memory_resource = config.Field("metax", "resourceVMemoryName", "metax-tech.com/vmemory");
  p.names.core_resource = config.Field("metax", "resourceVCoreName", "metax-tech.com/vcore");
  p.names.managed_resources = {p.names.count_resource, p.names.memory_resource, p.names.core_resource};
  p.names.memory_factor = 1024;
  p.names.node_lock = NodeLockKind::kHami;
  const bool topology_aware = common::ParseBool(config.Field("metax", "sgpuTopologyAware", "false")).value_or(false);
  p.inventory = std::make_unique<Inventory>(topology_aware);
  p.parser = std::make_unique<Parser>(p.names);
  p.fitter = MakeFitter();
  p.mutator = std::make_unique<Mutator>(p.names.count_resource);
  p.extra = &Allocation;
  p.mark = &Mark;
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::metax
