// Filter: plan once per pod, fit every candidate node under its shared lock,
// choose by node policy, then commit on the chosen node under its exclusive
// lock after re-fitting on the current usage (optimistic concurrency: a
// concurrent reservation on the same node is seen, never double-booked).
#include <algorithm>
#include <chrono>
#include <thread>

#include "api/annotations.h"
#include "api/node_lock.h"
#include "api/reasons.h"
#include "scheduler/internal/state.h"

namespace hami::scheduler::internal {
namespace {

struct Candidate {
  size_t input_pos;
  std::shared_ptr<NodeState> node;
  bool ok = false;
  double score = 0;
  std::string reason;
};

constexpr int kCommitAttempts = 8;

}  // namespace

StatusOr<PodPlan> State::MakePlan(const Pod& pod) const {
  PodPlan plan;
  plan.requests = PodRequests(pod);
  plan.init_count = pod.init_containers.size();
  {
    auto it = pod.annotations.find(api::kNodeSchedulerPolicy);
    plan.binpack = (it != pod.annotations.end() && !it->second.empty() ? it->second : options_.node_policy) != "spread";
  }
  for (const auto& c : plan.requests) {
    auto& idx = plan.vendor_of.emplace_back();
    for (const auto& r : c) {
      int found = -1;
      for (size_t i = 0; i < plan.vendors.size(); ++i) {
        if (plan.vendors[i].keyword == r.vendor) found = static_cast<int>(i);
      }
      if (found < 0) {
        for (const auto& v : vendors) {
          if (v->names().keyword != r.vendor) continue;
          VendorPlan vp;
          vp.keyword = r.vendor;
          vp.vendor = v.get();
          ASSIGN_OR_RETURN(vp.constraints, v->fitter().ParseConstraints(pod.annotations, options_.gpu_policy));
          plan.vendors.push_back(std::move(vp));
          found = static_cast<int>(plan.vendors.size()) - 1;
        }
      }
      if (found < 0) return InternalError("request for unknown vendor " + r.vendor);
      idx.push_back(found);
    }
  }
  return plan;
}

FilterDecision State::MakeDecision(const Pod& pod, const std::string& node,
                                   std::span<const vendors::DeviceUsage> node_devices, const NodeFit& fit) const {
  FilterDecision d;
  d.node = node;
  d.score = fit.score;
  d.annotations[std::string(api::kVgpuNode)] = node;
  d.annotations[std::string(api::kVgpuTime)] = api::EncodeUnixSeconds(clock_.NowUnixSeconds());
  std::vector<vendors::ContainerResources> containers = pod.init_containers;
  containers.insert(containers.end(), pod.containers.begin(), pod.containers.end());
  const vendors::FilterContext context{
      node, std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.Now().time_since_epoch()).count(),
      &pod.annotations, node_devices, containers};
  for (const auto& [kw, devices] : fit.devices) {
    for (const auto& v : vendors) {
      if (v->names().keyword == kw) v->annotator().Annotate(devices, context, d.annotations);
    }
  }
  d.labels[std::string(api::kVgpuNode)] = node;
  d.devices = fit.devices;
  return d;
}

StatusOr<FilterResult> State::Filter(const Pod& pod, std::span<const std::string> names) {
  FilterResult result;
  auto plan_or = MakePlan(pod);
  if (plan_or.ok() && plan_or->requests.empty()) return result;  // not ours
  result.interested = true;
  if (!plan_or.ok()) {
    for (const auto& n : names) result.failed_nodes[n] = plan_or.status().message();
    return result;
  }
  PodPlan& plan = *plan_or;
  RemovePodRecord(pod.uid);  // drop an earlier reservation of this pod

  // Quota budgets (snapshot; re-read at commit).
  auto budgets = [&](PodPlan& p) {
    const auto& shard = quotas_.For(pod.namespace_name);
    auto it = shard.map.find(pod.namespace_name);
    for (auto& vp : p.vendors) {
      vp.quota = {};
      if (it == shard.map.end()) continue;
      const auto& n = vp.vendor->names();
      auto left = [&](const std::string& res) -> std::optional<int64_t> {
        if (res.empty()) return std::nullopt;
        auto limit = it->second.Limit(res);
        if (!limit) return std::nullopt;
        auto u = it->second.used.find(res);
        return *limit - (u == it->second.used.end() ? 0 : u->second);
      };
      vp.quota.mem_mib = left(n.memory_resource);
      vp.quota.cores = left(n.core_resource);
    }
  };
  {
    std::lock_guard lock(quotas_.For(pod.namespace_name).mu);
    budgets(plan);
  }

  std::vector<Candidate> cands;
  cands.reserve(names.size());
  {
    std::shared_lock lock(nodes_mu_);
    for (size_t i = 0; i < names.size(); ++i) {
      auto it = nodes_.find(names[i]);
      if (it == nodes_.end()) {
        cands.push_back({i, nullptr});
      } else {
        cands.push_back({i, it->second});
      }
    }
  }
  auto fit_range = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      Candidate& c = cands[i];
      if (!c.node) continue;
      std::shared_lock nl(c.node->mu);
      if (!c.node->registered) continue;
      NodeFit f = FitNode(plan, c.node->devices, c.node->extras, /*want_devices=*/false);
      c.ok = f.ok;
      c.score = f.score;
      if (!f.ok) c.reason = std::move(f.reason);
    }
  };
  const size_t threads = std::max(1, options_.filter_threads);
  if (threads > 1 && cands.size() >= 256) {
    std::vector<std::thread> pool;
    const size_t chunk = (cands.size() + threads - 1) / threads;
    for (size_t t = 1; t < threads; ++t) {
      size_t from = t * chunk, to = std::min(cands.size(), from + chunk);
      if (from < to) pool.emplace_back(fit_range, from, to);
    }
    fit_range(0, std::min(chunk, cands.size()));
    for (auto& th : pool) th.join();
  } else {
    fit_range(0, cands.size());
  }

  std::string policy = options_.node_policy;
  if (auto it = pod.annotations.find(api::kNodeSchedulerPolicy); it != pod.annotations.end() && !it->second.empty()) {
    policy = it->second;
  }
  const bool spread = policy == "spread";
  std::vector<Candidate*> fits;
  for (auto& c : cands) {
    if (c.ok) fits.push_back(&c);
  }
  std::stable_sort(fits.begin(), fits.end(), [spread](const Candidate* a, const Candidate* b) {
    return spread ? a->score < b->score : a->score > b->score;
  });

  int attempts = 0;
  for (Candidate* c : fits) {
    if (attempts++ >= kCommitAttempts) break;
    auto& shard = pods_.For(pod.uid);
    std::lock_guard pl(shard.mu);
    auto& qshard = quotas_.For(pod.namespace_name);
    std::lock_guard ql(qshard.mu);
    budgets(plan);
    std::unique_lock nl(c->node->mu);
    if (!c->node->registered) continue;
    NodeFit f = FitNode(plan, c->node->devices, c->node->extras);
    if (!f.ok) continue;  // taken meanwhile; next best
    PodRecord rec;
    rec.uid = pod.uid;
    rec.namespace_name = pod.namespace_name;
    rec.name = pod.name;
    rec.node = c->node->name;
    rec.reserved_only = true;
    rec.devices = f.devices;
    f.score = c->score;
    result.decision = MakeDecision(pod, c->node->name, c->node->devices, f);
    // Usage marks read the pod as it will be once the decision is patched.
    AnnotationMap annotations = result.decision->annotations;
    annotations.insert(pod.annotations.begin(), pod.annotations.end());
    rec.charges = CollapseUsage(rec.devices, plan.init_count, false, VendorSlots(vendors, annotations));
    for (const auto& vp : plan.vendors) {
      auto it = rec.devices.find(vp.keyword);
      if (it != rec.devices.end()) MarkCharges(*vp.vendor, annotations, it->second, rec.charges);
    }
    auto& nq = qshard.map[pod.namespace_name];
    for (const auto& ch : rec.charges) {
      const auto& n = plan.Find(ch.vendor)->vendor->names();
      if (!n.memory_resource.empty()) nq.used[n.memory_resource] += ch.mem_mib;
      if (!n.core_resource.empty()) nq.used[n.core_resource] += ch.cores;
    }
    c->node->pods[pod.uid] = rec.charges;
    c->node->Apply(rec.charges, +1);
    shard.map[pod.uid] = std::move(rec);
    return result;
  }
  for (const auto& c : cands) {
    const std::string& name = names[c.input_pos];
    if (!c.node || !c.node->registered) {
      result.failed_nodes[name] = api::reasons::kNodeUnregistered;
    } else if (c.ok) {
      result.failed_nodes[name] = api::reasons::kNodeChangedRetry;
    } else {
      result.failed_nodes[name] = c.reason;
    }
  }
  return result;
}

StatusOr<FilterResult> State::Simulate(const Pod& pod, std::span<const Node> nodes) const {
  FilterResult result;
  auto plan_or = MakePlan(pod);
  if (plan_or.ok() && plan_or->requests.empty()) return result;
  result.interested = true;
  if (!plan_or.ok()) {
    for (const auto& n : nodes) result.failed_nodes[n.name] = plan_or.status().message();
    return result;
  }
  std::optional<NodeFit> best;
  std::string best_node;
  Inventory best_inventory;
  const bool spread = [&] {
    auto it = pod.annotations.find(api::kNodeSchedulerPolicy);
    return (it != pod.annotations.end() && !it->second.empty() ? it->second : options_.node_policy) == "spread";
  }();
  for (const auto& n : nodes) {
    NodeExtras extras;
    auto inv = DecodeInventory(n, &extras);
    if (!inv.ok() || inv->devices.empty()) {
      result.failed_nodes[n.name] = api::reasons::kNodeUnregistered;
      continue;
    }
    NodeFit f = FitNode(*plan_or, inv->devices, extras);
    if (!f.ok) {
      result.failed_nodes[n.name] = f.reason;
      continue;
    }
    if (!best || (spread ? f.score < best->score : f.score > best->score)) {
      best = std::move(f);
      best_node = n.name;
      best_inventory = std::move(*inv);
    }
  }
  if (best) {
    result.decision = MakeDecision(pod, best_node, best_inventory.devices, *best);
    result.failed_nodes.clear();
  }
  return result;
}

}  // namespace hami::scheduler::internal
