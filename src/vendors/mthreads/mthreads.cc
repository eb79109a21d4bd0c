#include "vendors/mthreads/mthreads.h"

#include <algorithm>
#include <cstdint>

#include "api/reasons.h"
#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"

namespace hami::vendors::mthreads {
namespace {

constexpr int64_t kCoresPerGpu = 16;
constexpr int64_t kUnitsPerGpu = 96;
constexpr int64_t kMemoryUnitMib = 512;
constexpr int64_t kLegalUnits[] = {2, 4, 8, 16, 32, 64, 96};

// A container's memory and cores are totals over its GPUs.
class Parser final : public RequestParser {
 public:
  explicit Parser(const VendorNames& names) : inner_(common::ParserFor(names, 0)) {}
  std::optional<DeviceRequest> Parse(const ContainerResources& c) const override {
    auto r = inner_->Parse(c);
    if (r) {
      r->mem_mib /= r->count;
      r->cores /= r->count;
    }
    return r;
  }

 private:
  std::unique_ptr<const RequestParser> inner_;
};

class Mutator final : public AdmissionMutator {
 public:
  explicit Mutator(const VendorNames& n)
      : count_(n.count_resource), memory_(n.memory_resource), cores_(n.core_resource) {}
  StatusOr<AdmissionEffect> Mutate(ContainerResources& c) const override {
    AdmissionEffect e;
    auto it = c.limits.find(count_);
    if (it == c.limits.end()) return e;
    e.has_resource = true;
    const int64_t n = it->second.Value();
    auto mem = c.limits.find(memory_);
    if (n > 1 || mem == c.limits.end()) {
      c.limits.insert_or_assign(cores_, api::Quantity::FromInteger(n * kCoresPerGpu));
      c.limits.insert_or_assign(memory_, api::Quantity::FromInteger(n * kUnitsPerGpu));
      if (n > 1) e.pod_annotations.emplace_back("mthreads.com/request-gpu-num", std::to_string(n));
      return e;
    }
    if (std::find(std::begin(kLegalUnits), std::end(kLegalUnits), mem->second.Value()) == std::end(kLegalUnits)) {
      return InvalidArgumentError("sGPU memory request value is invalid, valid values are [1, 2, 4, 8, 16, 32, 64, 96]");
    }
    return e;
  }

 private:
  std::string count_, memory_, cores_;
};

class Fitter final : public common::CommonFitter {
 public:
  Fitter() : CommonFitter({"", "", "mthreads.ai/use-gpuuuid", "mthreads.ai/nouse-gpuuuid", "", ""}) {}

 protected:
  std::string_view Refuse(const DeviceUsage& d, const DeviceRequest&, int64_t, int32_t,
                          const QuotaBudget& pod) const override {
    for (const HeldDevice& held : pod.held_devices) {
      if (held.id != d.id) return api::reasons::kCardNotFoundCustomFilterRule;
    }
    return {};
  }
};

// Indexes of the last container with devices, when and where it was placed.
void Placement(const api::PodDevices& devices, const FilterContext& context, AnnotationMap& out) {
  for (const auto& container : devices) {
    if (container.empty()) continue;
    out["mthreads.com/gpu-index"] = common::IndexList(container);
    out["mthreads.com/predicate-time"] = std::to_string(context.now_unix_nanos);
    out["mthreads.com/predicate-node"] = std::string(context.node);
  }
}

}  // namespace

void AddMthreads(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  p.names = common::StandardNames(
      config, "mthreads", "Mthreads", "", "hami.io/mthreads-vgpu-devices-allocated",
      {"mthreads.com/vgpu", "mthreads.com/sgpu-memory", "mthreads.com/sgpu-core"});
  p.names.node_lock = NodeLockKind::kNone;
  p.names.memory_factor = kMemoryUnitMib;
  // GPUs = capacity of the core resource / 16.
  p.inventory = std::make_unique<common::CapacityDecoder>(common::CapacitySpec{
      {"Mthreads", "Mthreads", "mthreads", 0, 100, kCoresPerGpu, 0}, p.names.core_resource,
      p.names.memory_resource, kCoresPerGpu, kMemoryUnitMib, 0});
  p.parser = std::make_unique<Parser>(p.names);
  p.mutator = std::make_unique<Mutator>(p.names);
  p.fitter = std::make_unique<Fitter>();
  p.extra = &Placement;
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::mthreads
