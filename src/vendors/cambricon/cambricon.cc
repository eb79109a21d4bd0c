#include "vendors/cambricon/cambricon.h"

#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"

namespace hami::vendors::cambricon {
namespace {

constexpr int64_t kMemoryUnitMib = 256;

// The profile of the first device of the first container that has one.
void DsmluProfile(const api::PodDevices& devices, const FilterContext&, AnnotationMap& out) {
  for (const auto& container : devices) {
    if (container.empty()) continue;
    const api::ContainerDevice& d = container.front();
    out["CAMBRICON_DSMLU_ASSIGNED"] = "false";
    out["CAMBRICON_DSMLU_PROFILE"] = std::to_string(common::SynthesizedIndex(d.uuid)) + "_" +
                                     std::to_string(d.used_cores) + "_" +
                                     std::to_string(d.used_mem_mib / kMemoryUnitMib);
    return;
  }
}

}  // namespace

void AddCambricon(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  p.names = common::StandardNames(
      config, "cambricon", "MLU", "hami.io/cambricon-mlu-devices-to-allocate",
      "hami.io/cambricon-mlu-devices-allocated",
      {"cambricon.com/vmlu", "cambricon.com/mlu.smlu.vmemory", "cambricon.com/mlu.smlu.vcore"});
  p.names.node_lock = NodeLockKind::kTimeOnly;
  p.names.node_lock_annotation = "cambricon.com/dsmlu.lock";
  p.names.memory_factor = kMemoryUnitMib;
  // Cards = capacity of the core resource / 100.
  p.inventory = std::make_unique<common::CapacityDecoder>(
      common::CapacitySpec{{"MLU", "MLU", "cambricon-mlu", 0, 100, 100, 0}, p.names.core_resource,
                           p.names.memory_resource, 100, kMemoryUnitMib, 0});
  p.parser = common::ParserFor(p.names, /*default_cores=*/100);
  p.fitter = std::make_unique<common::CommonFitter>(
      common::SelectionKeys{"", "", "cambricon.com/use-gpuuuid", "cambricon.com/nouse-gpuuuid", "", ""});
  p.extra = &DsmluProfile;
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::cambricon
