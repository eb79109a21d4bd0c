#include "scheduler/internal/state.h"

#include <algorithm>
#include <thread>

#include "api/annotations.h"
#include "api/pair_scores.h"
#include "common/log.h"

namespace hami::scheduler::internal {
namespace {

const std::string* Annotation(const AnnotationMap& m, std::string_view key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

}  // namespace

void NodeState::Apply(const std::vector<DeviceCharge>& charges, int sign) {
  for (const auto& c : charges) {
    for (auto& d : devices) {
      if (d.id == c.uuid && d.vendor == c.vendor) {
        d.used += sign * c.slots;
        d.used_mem_mib += sign * c.mem_mib;
        d.used_cores += static_cast<int32_t>(sign * c.cores);
        if (sign > 0 && c.mark.policy >= 0) d.policy = c.mark.policy;
        if (c.mark.pod_class >= 0 && c.mark.pod_class < static_cast<int32_t>(d.class_pods.size())) {
          d.class_pods[c.mark.pod_class] += sign;
        }
        break;
      }
    }
  }
}

std::optional<int64_t> NamespaceQuota::Limit(const std::string& resource) const {
  std::optional<int64_t> out;
  for (const auto& [name, limits] : hard) {
    auto it = limits.find(resource);
    if (it != limits.end()) out = out ? std::min(*out, it->second) : it->second;
  }
  return out;
}

State::State(vendors::VendorList v, SchedulerOptions options, const Clock& clock)
    : vendors(std::move(v)), options_(std::move(options)), clock_(clock) {}

std::shared_ptr<NodeState> State::FindNode(std::string_view name) const {
  std::shared_lock lock(nodes_mu_);
  auto it = nodes_.find(std::string(name));
  if (it == nodes_.end() || !it->second->registered) return nullptr;
  return it->second;
}

std::shared_ptr<NodeState> State::GetOrCreateNode(std::string_view name) {
  {
    std::shared_lock lock(nodes_mu_);
    auto it = nodes_.find(std::string(name));
    if (it != nodes_.end()) return it->second;
  }
  std::unique_lock lock(nodes_mu_);
  auto& slot = nodes_[std::string(name)];
  if (!slot) {
    slot = std::make_shared<NodeState>();
    slot->name = std::string(name);
  }
  return slot;
}

StatusOr<State::Inventory> State::DecodeInventory(const Node& node,
                                                  NodeExtras* extras) const {
  Inventory inv;
  std::vector<vendors::DeviceUsage>& all = inv.devices;
  Status first_error;
  const vendors::NodeView view{node.name, &node.annotations, &node.capacity, &node.allocatable, &node.labels};
  for (const auto& v : vendors) {
    const auto& names = v->names();
    auto devs = v->inventory().Decode(view);
    if (!devs.ok()) {
      if (first_error.ok()) first_error = devs.status().WithContext(node.name + " " + names.keyword);
      continue;
    }
    if (devs->devices.empty()) continue;
    if (devs->score) extras->scorers.emplace_back(names.keyword, std::move(devs->score));
    all.insert(all.end(), devs->devices.begin(), devs->devices.end());
    inv.strings.push_back(std::move(devs->strings));
    if (!names.pair_score_annotation.empty()) {
      if (const std::string* ps = Annotation(node.annotations, names.pair_score_annotation)) {
        auto decoded = api::DecodePairScores(*ps);
        if (decoded.ok()) {
          auto map = std::make_shared<PairScores>();
          for (auto& s : *decoded) (*map)[s.uuid] = std::move(s.scores);
          extras->pair_scores = std::move(map);
        }
      }
    }
  }
  if (all.empty() && !first_error.ok()) return first_error;
  if (!first_error.ok()) log::Warn("scheduler", "bad registration", {{"error", first_error.message()}});
  return inv;
}

Status State::UpsertNode(const Node& node) {
  NodeExtras extras;
  auto inv = DecodeInventory(node, &extras);
  if (!inv.ok()) {
    // Nothing decodable: keep the last good inventory (a plugin's garbage
    // write must not strand the pods already placed there); a node never
    // registered stays unregistered.
    return inv.status();
  }
  auto state = GetOrCreateNode(node.name);
  std::unique_lock lock(state->mu);
  state->devices = std::move(inv->devices);
  state->strings = std::move(inv->strings);
  state->registered = !state->devices.empty();
  state->extras = std::move(extras);
  for (const auto& [uid, charges] : state->pods) state->Apply(charges, +1);
  return OkStatus();
}

void State::RemoveNode(std::string_view name) {
  auto state = GetOrCreateNode(name);
  std::unique_lock lock(state->mu);
  state->registered = false;
  state->devices.clear();
  state->strings.clear();
  state->extras = {};
}

void State::ChargeQuota(const std::string& ns, const std::vector<DeviceCharge>& charges, int sign) {
  auto& shard = quotas_.For(ns);
  std::lock_guard lock(shard.mu);
  auto& q = shard.map[ns];
  for (const auto& c : charges) {
    for (const auto& v : vendors) {
      const auto& n = v->names();
      if (n.keyword != c.vendor) continue;
      if (!n.memory_resource.empty()) q.used[n.memory_resource] += sign * c.mem_mib;
      if (!n.core_resource.empty()) q.used[n.core_resource] += sign * c.cores;
    }
  }
}

void State::RemovePodRecord(std::string_view uid) {
  auto& shard = pods_.For(uid);
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(std::string(uid));
  if (it == shard.map.end()) return;
  PodRecord rec = std::move(it->second);
  shard.map.erase(it);
  ChargeQuota(rec.namespace_name, rec.charges, -1);
  auto node = GetOrCreateNode(rec.node);
  std::unique_lock nl(node->mu);
  if (auto pit = node->pods.find(rec.uid); pit != node->pods.end()) {
    node->Apply(pit->second, -1);
    node->pods.erase(pit);
  }
}

void State::Install(PodRecord rec) {
  // Replace atomically under the pod's shard lock: a gap between dropping the
  // old charges and adding the new ones would let a concurrent Filter take
  // the same capacity (an informer echo of our own reservation).
  const std::string uid = rec.uid;
  auto& shard = pods_.For(uid);
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(uid);
  if (it != shard.map.end()) {
    ChargeQuota(it->second.namespace_name, it->second.charges, -1);
    if (it->second.node != rec.node) {
      auto old_node = GetOrCreateNode(it->second.node);
      std::unique_lock nl(old_node->mu);
      if (auto pit = old_node->pods.find(uid); pit != old_node->pods.end()) {
        old_node->Apply(pit->second, -1);
        old_node->pods.erase(pit);
      }
    }
  }
  ChargeQuota(rec.namespace_name, rec.charges, +1);
  auto node = GetOrCreateNode(rec.node);
  {
    std::unique_lock nl(node->mu);
    if (auto pit = node->pods.find(uid); pit != node->pods.end()) node->Apply(pit->second, -1);
    node->pods[uid] = rec.charges;
    node->Apply(rec.charges, +1);
  }
  shard.map[uid] = std::move(rec);
}

Status State::UpsertPod(const Pod& pod) {
  if (pod.IsTerminal()) {
    RemovePodRecord(pod.uid);
    return OkStatus();
  }
  const std::string* node = Annotation(pod.annotations, api::kVgpuNode);
  if (node == nullptr || node->empty()) return OkStatus();
  PodRecord rec;
  rec.uid = pod.uid;
  rec.namespace_name = pod.namespace_name;
  rec.name = pod.name;
  rec.node = *node;
  for (const auto& v : vendors) {
    const std::string* value = Annotation(pod.annotations, v->names().allocated_annotation);
    if (value == nullptr) continue;
    auto devs = v->annotator().DecodeAllocated(*value);
    if (!devs.ok()) {
      return InvalidArgumentError(std::string(v->names().allocated_annotation) + ": " +
                                  std::string(devs.status().message()));
    }
    rec.devices[v->names().keyword] = std::move(*devs);
  }
  rec.charges = CollapseUsage(rec.devices, pod.init_containers.size(), pod.InitContainersDone(),
                              VendorSlots(vendors, pod.annotations));
  for (const auto& v : vendors) {
    auto it = rec.devices.find(v->names().keyword);
    if (it != rec.devices.end()) MarkCharges(*v, pod.annotations, it->second, rec.charges);
  }
  Install(std::move(rec));
  return OkStatus();
}

void State::UpsertQuota(const ResourceQuota& q) {
  std::map<std::string, int64_t> limits;
  for (const auto& v : vendors) {
    const auto& n = v->names();
    for (const std::string* res : {&n.memory_resource, &n.core_resource}) {
      if (res->empty()) continue;
      auto it = q.hard.find("limits." + *res);
      if (it == q.hard.end()) continue;
      int64_t limit = it->second.Value();
      if (res == &n.memory_resource) limit *= n.memory_factor;
      limits[*res] = limit;
    }
  }
  auto& shard = quotas_.For(q.namespace_name);
  std::lock_guard lock(shard.mu);
  auto& nq = shard.map[q.namespace_name];
  if (limits.empty()) {
    nq.hard.erase(q.name);
  } else {
    nq.hard[q.name] = std::move(limits);
  }
}

void State::RemoveQuota(std::string_view ns, std::string_view name) {
  auto& shard = quotas_.For(ns);
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(std::string(ns));
  if (it != shard.map.end()) it->second.hard.erase(std::string(name));
}

std::optional<std::string> State::PodNode(std::string_view uid) const {
  const auto& shard = pods_.For(uid);
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(std::string(uid));
  if (it == shard.map.end()) return std::nullopt;
  return it->second.node;
}

std::vector<std::vector<vendors::DeviceRequest>> State::PodRequests(const Pod& pod) const {
  std::vector<std::vector<vendors::DeviceRequest>> out;
  bool any = false;
  auto add = [&](const vendors::ContainerResources& c) {
    std::vector<vendors::DeviceRequest> reqs;
    for (const auto& v : vendors) {
      if (auto r = v->parser().Parse(c)) reqs.push_back(std::move(*r));
    }
    any = any || !reqs.empty();
    out.push_back(std::move(reqs));
  };
  for (const auto& c : pod.init_containers) add(c);
  for (const auto& c : pod.containers) add(c);
  if (!any) out.clear();
  return out;
}

Status State::CheckQuota(const Pod& pod) const {
  auto reqs = PodRequests(pod);
  if (reqs.empty()) return OkStatus();
  const size_t n_init = pod.init_containers.size();
  const auto& shard = quotas_.For(pod.namespace_name);
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(pod.namespace_name);
  if (it == shard.map.end()) return OkStatus();
  for (const auto& v : vendors) {
    const auto& n = v->names();
    int64_t app_mem = 0, app_cores = 0, init_mem = 0, init_cores = 0;
    for (size_t c = 0; c < reqs.size(); ++c) {
      for (const auto& r : reqs[c]) {
        if (r.vendor != n.keyword) continue;
        int64_t mem = r.mem_mib * r.count, cores = int64_t{r.cores} * r.count;
        if (c < n_init) {
          init_mem = std::max(init_mem, mem), init_cores = std::max(init_cores, cores);
        } else {
          app_mem += mem, app_cores += cores;
        }
      }
    }
    const std::pair<const std::string*, int64_t> dims[] = {
        {&n.memory_resource, std::max(app_mem, init_mem)}, {&n.core_resource, std::max(app_cores, init_cores)}};
    for (const auto& [res, want] : dims) {
      if (res->empty()) continue;
      auto limit = it->second.Limit(*res);
      if (!limit) continue;
      auto used_it = it->second.used.find(*res);
      int64_t used = used_it == it->second.used.end() ? 0 : used_it->second;
      if (used + want > *limit || (*limit == 0 && want >= 0)) {
        return ResourceExhaustedError("exceeding resource quota: " + *res + " used " + std::to_string(used) +
                                      " + requested " + std::to_string(want) + " > limit " +
                                      std::to_string(*limit));
      }
    }
  }
  return OkStatus();
}

ClusterSnapshot State::Snapshot() const {
  ClusterSnapshot snap;
  std::vector<std::shared_ptr<NodeState>> nodes;
  {
    std::shared_lock lock(nodes_mu_);
    for (const auto& [name, n] : nodes_) nodes.push_back(n);
  }
  for (const auto& n : nodes) {
    std::shared_lock lock(n->mu);
    if (!n->registered) continue;
    NodeSnapshot ns;
    ns.name = n->name;
    for (const auto& d : n->devices) {
      ns.devices.push_back({std::string(d.id), d.index, std::string(d.type), std::string(d.vendor), d.numa, d.healthy, d.count, d.used, d.total_mem_mib,
                            d.used_mem_mib, d.total_cores, d.used_cores});
    }
    snap.nodes.push_back(std::move(ns));
  }
  std::sort(snap.nodes.begin(), snap.nodes.end(), [](auto& a, auto& b) { return a.name < b.name; });
  for (const auto& shard : pods_.shards) {
    std::lock_guard lock(shard.mu);
    for (const auto& [uid, rec] : shard.map) {
      snap.pods.push_back({rec.uid, rec.namespace_name, rec.name, rec.node, rec.reserved_only, rec.devices});
    }
  }
  std::sort(snap.pods.begin(), snap.pods.end(), [](auto& a, auto& b) { return a.uid < b.uid; });
  return snap;
}

}  // namespace hami::scheduler::internal
