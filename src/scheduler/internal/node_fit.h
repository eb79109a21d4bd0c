// Fitting one pod onto one node's devices (reference 6.4): init containers on
// fresh copies, app containers cumulatively; node score before placement.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "api/pod_devices.h"
#include "vendors/registry.h"
#include "vendors/vendor.h"

namespace hami::scheduler::internal {

using PairScores = std::map<std::string, std::map<std::string, int32_t>>;

// What a node's decoders read besides its devices: NVIDIA pair scores and
// the vendors' node scorers (vendor keyword, scorer).
struct NodeExtras {
  std::shared_ptr<const PairScores> pair_scores;
  std::vector<std::pair<std::string, vendors::NodeScorer>> scorers;
};

struct VendorPlan {
  std::string keyword;
  const vendors::Vendor* vendor = nullptr;
  vendors::FitConstraints constraints;
  vendors::QuotaBudget quota;
};

// Everything about the pod that does not depend on the node; built once per
// filter call.
struct PodPlan {
  // requests[c] = per-vendor requests of container c (init containers first).
  std::vector<std::vector<vendors::DeviceRequest>> requests;
  size_t init_count = 0;
  // vendor_of[c][i] = index in `vendors` of requests[c][i].
  std::vector<std::vector<int>> vendor_of;
  std::vector<VendorPlan> vendors;
  bool binpack = true;  // node policy, for the vendors' node scores
  const VendorPlan* Find(std::string_view keyword) const {
    for (const auto& v : vendors) {
      if (v.keyword == keyword) return &v;
    }
    return nullptr;
  }
};

struct NodeFit {
  bool ok = false;
  double score = 0;
  std::string reason;
  std::map<std::string, api::PodDevices> devices;  // vendor keyword -> per container
};

// Node default score (6.6) over current usage.
double NodeScore(std::span<const vendors::DeviceUsage> devices);

// want_devices=false skips building the per-container device lists (the
// first, all-nodes pass only needs ok/score/reason).
// The score is the default node score plus each vendor's scorer for the
// devices the pod takes from it.
NodeFit FitNode(const PodPlan& plan, std::span<const vendors::DeviceUsage> devices,
                const NodeExtras& extras, bool want_devices = true);

// Per (vendor, uuid) usage of a pod, collapsed as HAMi stores it (6.8).
struct DeviceCharge {
  std::string vendor;
  std::string uuid;
  int64_t mem_mib = 0;
  int64_t cores = 0;
  int32_t slots = 0;
  vendors::PodAnnotator::UsageMark mark;  // from the vendor's annotator
};
// Slots one container's device takes on a vendor's device (1 when unset).
using SlotsOf = std::function<int32_t(const std::string& vendor, const api::ContainerDevice& device)>;
// SlotsOf from the vendors' usage marks (UsageMark::slots) over the pod's annotations.
SlotsOf VendorSlots(const vendors::VendorList& vendors, const vendors::AnnotationMap& pod_annotations);
std::vector<DeviceCharge> CollapseUsage(const std::map<std::string, api::PodDevices>& devices,
                                        size_t init_count, bool init_done, const SlotsOf& slots_of = {});
// Sets the UsageMark of the charges on `vendor`'s devices from its annotator
// (what the pod leaves on a device besides usage; the last container wins).
void MarkCharges(const vendors::Vendor& vendor, const vendors::AnnotationMap& pod_annotations,
                 const api::PodDevices& devices, std::vector<DeviceCharge>& charges);

}  // namespace hami::scheduler::internal
