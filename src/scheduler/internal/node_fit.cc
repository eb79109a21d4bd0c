#include "scheduler/internal/node_fit.h"

#include <algorithm>

#include "api/reasons.h"

namespace hami::scheduler::internal {
namespace {

using vendors::DeviceUsage;

void Charge(DeviceUsage& d, const vendors::FitOutcome::Pick& p) {
  d.used += p.slots;
  d.used_mem_mib += p.mem_mib;
  d.used_cores += p.cores;
}

// Fits container c's requests onto `work` (mutated on success). Returns
// false with reason on failure.
bool FitContainer(const PodPlan& plan, size_t c, std::vector<DeviceUsage>& work,
                  std::vector<vendors::QuotaBudget>& quota, const PairScores* pair_scores,
                  NodeFit* out, std::string& reason) {
  thread_local std::vector<DeviceUsage*> cand;
  const auto& reqs = plan.requests[c];
  for (size_t i = 0; i < reqs.size(); ++i) {
    const auto& req = reqs[i];
    const int vi = plan.vendor_of[c][i];
    const VendorPlan& vp = plan.vendors[vi];
    cand.clear();
    for (auto& d : work) {
      if (d.vendor == req.vendor) {
        d.score = vendors::DeviceScore(d, vp.constraints.weights);
        cand.push_back(&d);
      }
    }
    if (req.count > static_cast<int>(cand.size())) {
      reason = api::reasons::kNodeInsufficientDevice;
      return false;
    }
    vendors::SortDevices(cand, vp.constraints.gpu_policy, vp.constraints.numa_bind);
    vendors::FitOutcome fit;
    if (vp.constraints.gpu_policy.topology_aware && pair_scores != nullptr) {
      vendors::FitConstraints con = vp.constraints;
      con.pair_scores = pair_scores;
      fit = vp.vendor->fitter().Fit(cand, req, con, quota[vi]);
    } else {
      fit = vp.vendor->fitter().Fit(cand, req, vp.constraints, quota[vi]);
    }
    if (!fit.ok) {
      reason = fit.ReasonString();
      if (reason.empty()) reason = api::reasons::kNodeInsufficientDevice;
      return false;
    }
    for (const auto& p : fit.chosen) {
      Charge(*cand[p.pos], p);
      quota[vi].held_devices.push_back({cand[p.pos]->id, p.cores, static_cast<int32_t>(c)});
    }
    if (out != nullptr) {
      auto& dst = out->devices[vp.keyword][c];
      for (const auto& p : fit.chosen) {
        dst.push_back({std::string(cand[p.pos]->id), p.type.empty() ? req.vendor : std::string(p.type),
                       static_cast<int32_t>(p.mem_mib), p.cores});
      }
    }
  }
  return true;
}

}  // namespace

double NodeScore(std::span<const DeviceUsage> devices) {
  double used = 0, count = 0, ucores = 0, tcores = 0, umem = 0, tmem = 0;
  for (const auto& d : devices) {
    used += d.used, count += d.count, ucores += d.used_cores, tcores += d.total_cores;
    umem += static_cast<double>(d.used_mem_mib), tmem += static_cast<double>(d.total_mem_mib);
  }
  if (count == 0 || tcores == 0 || tmem == 0) return 0;
  return 10 * (used / count + ucores / tcores + umem / tmem);
}

NodeFit FitNode(const PodPlan& plan, std::span<const DeviceUsage> devices, const NodeExtras& extras,
                bool want_devices) {
  const PairScores* pair_scores = extras.pair_scores.get();
  NodeFit result;
  result.score = NodeScore(devices);
  thread_local std::vector<DeviceUsage> work;
  thread_local std::vector<vendors::QuotaBudget> base_quota, quota;
  base_quota.clear();
  for (const auto& vp : plan.vendors) base_quota.push_back(vp.quota);
  if (want_devices) {
    for (const auto& vp : plan.vendors) result.devices[vp.keyword].assign(plan.requests.size(), {});
  }
  NodeFit* out = want_devices ? &result : nullptr;
  auto run = [&](size_t from, size_t to, bool fresh_each) {
    for (size_t c = from; c < to; ++c) {
      if (c == from || fresh_each) {
        work.assign(devices.begin(), devices.end());
        quota = base_quota;
      }
      if (!FitContainer(plan, c, work, quota, pair_scores, out, result.reason)) return false;
    }
    return true;
  };
  if (plan.init_count > 0 && !run(0, plan.init_count, true)) return result;
  if (!run(plan.init_count, plan.requests.size(), false)) return result;
  for (const auto& [keyword, scorer] : extras.scorers) {
    for (size_t vi = 0; vi < plan.vendors.size(); ++vi) {
      if (plan.vendors[vi].keyword != keyword) continue;
      const auto& taken = quota[vi].held_devices;
      if (!taken.empty()) {
        result.score += scorer({devices, taken, &plan.vendors[vi].constraints, plan.binpack});
      }
    }
  }
  result.ok = true;
  return result;
}

SlotsOf VendorSlots(const vendors::VendorList& vendors, const vendors::AnnotationMap& pod_annotations) {
  return [&vendors, &pod_annotations](const std::string& vendor, const api::ContainerDevice& d) {
    for (const auto& v : vendors) {
      if (v->names().keyword == vendor) return std::max(v->annotator().Mark(pod_annotations, d).slots, 1);
    }
    return 1;
  };
}

std::vector<DeviceCharge> CollapseUsage(const std::map<std::string, api::PodDevices>& devices,
                                        size_t init_count, bool init_done, const SlotsOf& slots_of) {
  std::vector<DeviceCharge> out;
  auto find = [&](const std::string& vendor, const std::string& uuid) -> DeviceCharge& {
    for (auto& c : out) {
      if (c.uuid == uuid && c.vendor == vendor) return c;
    }
    out.push_back({vendor, uuid, 0, 0, 0, {}});
    return out.back();
  };
  for (const auto& [vendor, pd] : devices) {
    // App containers: sums.
    struct Init { int64_t mem = 0, cores = 0; int32_t slots = 1; };
    std::map<std::string, Init> init_peak;
    for (size_t c = 0; c < pd.size(); ++c) {
      const bool is_init = c < init_count;
      if (is_init && init_done) continue;
      for (const auto& d : pd[c]) {
        const int32_t slots = slots_of ? slots_of(vendor, d) : 1;
        if (is_init) {
          auto& p = init_peak[d.uuid];
          p.mem = std::max<int64_t>(p.mem, d.used_mem_mib);
          p.cores = std::max<int64_t>(p.cores, d.used_cores);
          p.slots = std::max(p.slots, slots);
        } else {
          auto& ch = find(vendor, d.uuid);
          ch.mem_mib += d.used_mem_mib;
          ch.cores += d.used_cores;
          ch.slots += slots;
        }
      }
    }
    for (const auto& [uuid, p] : init_peak) {
      auto& ch = find(vendor, uuid);
      ch.mem_mib = std::max(ch.mem_mib, p.mem);
      ch.cores = std::max(ch.cores, p.cores);
      ch.slots = std::max(ch.slots, p.slots);
    }
  }
  return out;
}

void MarkCharges(const vendors::Vendor& vendor, const vendors::AnnotationMap& pod_annotations,
                 const api::PodDevices& devices, std::vector<DeviceCharge>& charges) {
  for (const auto& container : devices) {
    for (const auto& d : container) {
      const auto mark = vendor.annotator().Mark(pod_annotations, d);
      if (mark.policy < 0 && mark.pod_class < 0) continue;
      for (auto& c : charges) {
        if (c.vendor == vendor.names().keyword && c.uuid == d.uuid) c.mark = mark;
      }
    }
  }
}

}  // namespace hami::scheduler::internal
