#include "vendors/nvidia/nvidia_vendor.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "api/annotations.h"
#include "vendors/common/composed.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"
#include "vendors/common/text.h"
#include "vendors/nvidia/nvidia_fit.h"

namespace hami::vendors::nvidia {
namespace {

using common::Lookup;

class Mutator final : public AdmissionMutator {
 public:
  explicit Mutator(NvidiaConfig c) : c_(std::move(c)) {}
  StatusOr<AdmissionEffect> Mutate(ContainerResources& ctr) const override {
    AdmissionEffect e;
    const api::Quantity* pct = Lookup(ctr, c_.resource_memory_percentage_name);
    if (pct != nullptr && (pct->MilliValue() < 0 || pct->MilliValue() > 100000)) {
      return InvalidArgumentError("container " + ctr.name + ": " + c_.resource_memory_percentage_name +
                                  " must be between 0 and 100, got " + pct->ToString());
    }
    if (const api::Quantity* prio = Lookup(ctr, c_.resource_priority_name)) {
      e.env.emplace_back(std::string(api::kEnvTaskPriority), std::to_string(prio->Value()));
    }
    if (!c_.gpu_core_policy.empty() && c_.gpu_core_policy != "default") {
      e.env.emplace_back(std::string(api::kEnvCorePolicy), c_.gpu_core_policy);
    }
    const bool has_count = Lookup(ctr, c_.resource_count_name) != nullptr;
    const bool has_mem = Lookup(ctr, c_.resource_memory_name) != nullptr;
    const bool has_cores = Lookup(ctr, c_.resource_core_name) != nullptr;
    if (!has_count && (has_mem || pct != nullptr || has_cores) && c_.default_gpu_num > 0) {
      ctr.limits.insert_or_assign(c_.resource_count_name,
                                  api::Quantity::FromInteger(c_.default_gpu_num));
    }
    e.has_resource = Lookup(ctr, c_.resource_count_name) != nullptr;
    if (e.has_resource && !has_cores) {
      bool exclusive_mem = (pct != nullptr && pct->MilliValue() == 100000) || (!has_mem && pct == nullptr);
      if (exclusive_mem) {
        ctr.limits.insert_or_assign(c_.resource_core_name, api::Quantity::FromInteger(100));
      }
    }
    if (e.has_resource && !c_.runtime_class_name.empty()) e.runtime_class = c_.runtime_class_name;
    if (!e.has_resource && c_.overwrite_env) {
      e.env.emplace_back(std::string(api::kEnvVisibleDevices), "none");
    }
    return e;
  }

 private:
  NvidiaConfig c_;
};

}  // namespace

std::unique_ptr<const Vendor> MakeNvidiaVendor(const DevicesConfig& config) {
  if (!config.nvidia_enabled) return nullptr;
  const NvidiaConfig& c = config.nvidia;
  common::VendorParts p;
  VendorNames& n = p.names;
  n.keyword = std::string(api::kNvidiaDeviceKeyword);
  n.register_annotation = std::string(api::kNodeNvidiaRegister);
  n.handshake_annotation = std::string(api::kNodeHandshake);
  n.pair_score_annotation = std::string(api::kNodeNvidiaScore);
  n.to_allocate_annotation = std::string(api::kNvidiaDevicesToAllocate);
  n.allocated_annotation = std::string(api::kNvidiaDevicesAllocated);
  n.count_resource = c.resource_count_name;
  n.memory_resource = c.resource_memory_name;
  n.core_resource = c.resource_core_name;
  n.managed_resources = {c.resource_count_name, c.resource_memory_name, c.resource_core_name,
                         c.resource_memory_percentage_name, c.resource_priority_name};
  n.memory_factor = std::max<int64_t>(1, c.memory_factor);
  p.inventory = std::make_unique<common::RegisterDecoder>(common::RegisterSpec{
      n.register_annotation, n.keyword, common::RegisterSpec::Format::kJson, /*read_cordon=*/true, {}});
  p.parser = std::make_unique<common::ResourceParser>(common::ResourceSpec{
      n.keyword, c.resource_count_name, c.resource_memory_name, c.resource_memory_percentage_name,
      c.resource_core_name, n.memory_factor, c.default_memory_mib, c.default_cores});
  p.mutator = std::make_unique<Mutator>(c);
  p.fitter = std::make_unique<NvidiaFitter>();
  return common::Compose(std::move(p));
}

}  // namespace hami::vendors::nvidia
