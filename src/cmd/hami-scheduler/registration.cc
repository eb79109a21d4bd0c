#include "cmd/hami-scheduler/registration.h"

#include <ctime>
#include <mutex>
#include <set>
#include <unordered_map>

#include "api/reasons.h"
#include "common/log.h"
#include "k8s/node_lock.h"

namespace hami::schedulerd {
namespace {

constexpr std::string_view kComponent = "scheduler";

// Wall-clock time with the local zone offset folded in: the handshake
// annotation is written and read in scheduler-local calendar time.
std::chrono::system_clock::time_point LocalNow(const Clock& clock) {
  auto now = clock.Now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&t, &tm);
  return now + std::chrono::seconds(tm.tm_gmtoff);
}

bool MatchesSelector(const k8s::Json& node, const NodeSelector& selector) {
  if (selector.empty()) return true;
  auto meta = node.find("metadata");
  if (meta == node.end() || !meta->is_object()) return false;
  auto labels = meta->find("labels");
  if (labels == meta->end() || !labels->is_object()) return false;
  for (const auto& [k, v] : selector) {
    auto it = labels->find(k);
    if (it == labels->end() || !it->is_string() || it->get<std::string>() != v) return false;
  }
  return true;
}

}  // namespace

StatusOr<NodeSelector> ParseNodeSelector(std::string_view text) {
  NodeSelector out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    std::string_view item = text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos);
    pos = comma == std::string_view::npos ? text.size() : comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return InvalidArgumentError("node selector item '" + std::string(item) + "' is not key=value");
    }
    out[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
  }
  return out;
}

struct Registrar::Impl {
  RegistrarDeps deps;

  struct NodeHealth {
    std::unordered_map<std::string, int64_t> last_allocatable;  // vendor keyword ->
    std::set<std::string> dropped;    // allocatable fell to 0 after being > 0
    std::set<std::string> unhealthy;  // vendors whose devices are withheld
    std::string inventory_key;        // what the core was last given; "" = nothing
  };
  struct Write {
    std::string node, key, value;
  };

  std::mutex mu;
  std::unordered_map<std::string, NodeHealth> health;

  bool Leader() const { return !deps.is_leader || deps.is_leader(); }

  void Warn(const k8s::Json& ref, std::string_view reason, const std::string& message) {
    if (deps.events != nullptr) deps.events->Warning(ref, reason, message);
  }

  // Under mu. Recomputes the node's health; upserts it into the core when the
  // object changed (from_informer) or its health did; queues handshake writes.
  void Evaluate(const k8s::Json& json, bool from_informer, bool leader, std::vector<Write>* writes) {
    std::string name = k8s::Name(json);
    k8s::Json ref = k8s::NodeRef(name, k8s::Uid(json));
    auto node = scheduler::NodeFromJson(json);
    if (!node.ok()) {
      log::Warn(kComponent, "skipping malformed node", {{"node", name}, {"error", node.status().ToString()}});
      Warn(ref, api::reasons::kEventInvalidNode, "hami-scheduler cannot read this node: " + node.status().ToString());
      return;
    }
    if (!MatchesSelector(json, deps.node_selector)) {
      if (health.erase(node->name) > 0 || deps.scheduler->HasNode(node->name)) {  // forgets its key
        deps.scheduler->RemoveNode(node->name);
      }
      return;
    }
    auto local_now = LocalNow(*deps.clock);
    NodeHealth& h = health[node->name];
    std::set<std::string> unhealthy;
    std::vector<std::string> reasons;
    for (const auto& vendor : deps.scheduler->vendors()) {
      const auto& n = vendor->names();
      if (n.handshake_annotation.empty()) continue;
      if (node->annotations.find(n.register_annotation) == node->annotations.end()) continue;
      auto hs = node->annotations.find(n.handshake_annotation);
      std::string value = hs == node->annotations.end() ? "" : hs->second;
      auto alloc_it = node->allocatable.find(n.count_resource);
      int64_t alloc = alloc_it == node->allocatable.end() ? 0 : alloc_it->second.Value();
      scheduler::HandshakeDecision d = scheduler::DecideHandshake(value, local_now, alloc);
      auto last = h.last_allocatable.find(n.keyword);
      if (last != h.last_allocatable.end() && last->second > 0 && alloc == 0) h.dropped.insert(n.keyword);
      if (alloc > 0) h.dropped.erase(n.keyword);
      h.last_allocatable[n.keyword] = alloc;
      if (!d.healthy || h.dropped.count(n.keyword) > 0) {
        unhealthy.insert(n.keyword);
        reasons.push_back(n.keyword + " (" + n.count_resource + " allocatable " +
                          std::to_string(alloc) + ", handshake '" + value + "')");
      }
      if (d.patch_value && leader) writes->push_back({node->name, n.handshake_annotation, *d.patch_value});
    }
    bool health_changed = unhealthy != h.unhealthy;
    if (health_changed && !unhealthy.empty()) {
      std::string msg = "devices withheld from scheduling: ";
      for (size_t i = 0; i < reasons.size(); ++i) msg += (i ? "; " : "") + reasons[i];
      log::Warn(kComponent, "node devices unhealthy", {{"node", node->name}, {"detail", msg}});
      Warn(ref, api::reasons::kEventDevicesUnhealthy, msg);
    } else if (health_changed) {
      log::Info(kComponent, "node devices healthy again", {{"node", node->name}});
    }
    h.unhealthy = unhealthy;
    if (!from_informer && !health_changed) return;
    scheduler::Node usable = *node;
    for (const auto& vendor : deps.scheduler->vendors()) {
      if (unhealthy.count(vendor->names().keyword) > 0) {
        usable.annotations.erase(vendor->names().register_annotation);
      }
    }
    // Most node updates are the node lock coming and going (two per bound
    // pod): skip re-decoding an inventory that cannot have changed.
    std::string key = InventoryKey(usable);
    if (key == h.inventory_key) return;
    h.inventory_key = key;
    if (Status st = deps.scheduler->UpsertNode(usable); !st.ok()) {
      log::Warn(kComponent, "bad node registration", {{"node", node->name}, {"error", st.ToString()}});
      Warn(ref, api::reasons::kEventInvalidRegistration,
           "hami-scheduler ignores this registration (last good one kept): " + st.ToString());
    }
  }

  // Everything UpsertNode reads: the annotations other than node locks
  // (keys ending ".lock", set and released around every bind) and the
  // handshakes, the labels, and the capacity and allocatable resources.
  static std::string InventoryKey(const scheduler::Node& node) {
    std::string key;
    auto add = [&key](std::string_view k, std::string_view v) {
      key.append(k);
      key += '\x1f';
      key.append(v);
      key += '\x1e';
    };
    auto ends_with = [](std::string_view s, std::string_view suffix) {
      return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
    };
    for (const auto& [k, v] : node.annotations) {
      if (ends_with(k, ".lock") || k.rfind("hami.io/node-handshake", 0) == 0) continue;
      add(k, v);
    }
    key += '\x1d';
    for (const auto& [k, v] : node.labels) add(k, v);
    key += '\x1d';
    for (const auto* list : {&node.capacity, &node.allocatable}) {
      for (const auto& [k, q] : *list) add(k, std::to_string(q.MilliValue()));
      key += '\x1d';
    }
    return key;
  }

  int Send(const std::vector<Write>& writes) {
    if (deps.client == nullptr) return 0;
    int failed = 0;
    for (const Write& w : writes) {
      k8s::Json patch = {{"metadata", {{"annotations", {{w.key, w.value}}}}}};
      auto res = deps.client->MergePatch(k8s::kNodes, "", w.node, patch);
      if (!res.ok()) {
        ++failed;
        log::Warn(kComponent, "handshake write failed", {{"node", w.node}, {"error", res.status().ToString()}});
      }
    }
    return failed;
  }
};

Registrar::Registrar(RegistrarDeps deps) : impl_(std::make_unique<Impl>()) {
  impl_->deps = std::move(deps);
}
Registrar::~Registrar() = default;

void Registrar::OnNode(const k8s::Json& node) {
  std::vector<Impl::Write> writes;  // none are sent from the informer thread
  std::lock_guard lock(impl_->mu);
  impl_->Evaluate(node, /*from_informer=*/true, /*leader=*/false, &writes);
}

void Registrar::OnNodeDeleted(const k8s::Json& node) {
  std::string name = k8s::Name(node);
  std::lock_guard lock(impl_->mu);
  impl_->health.erase(name);
  impl_->deps.scheduler->RemoveNode(name);
}

int Registrar::Pass(const std::vector<k8s::ObjectPtr>& nodes) {
  std::vector<Impl::Write> writes;
  {
    std::lock_guard lock(impl_->mu);
    bool leader = impl_->Leader();
    for (const auto& n : nodes) {
      if (n) impl_->Evaluate(*n, /*from_informer=*/false, leader, &writes);
    }
  }
  return impl_->Send(writes);
}

k8s::InformerHandlers Registrar::Handlers() {
  k8s::InformerHandlers h;
  h.on_add = [this](const k8s::ObjectPtr& o) { OnNode(*o); };
  h.on_update = [this](const k8s::ObjectPtr&, const k8s::ObjectPtr& o) { OnNode(*o); };
  h.on_delete = [this](const k8s::ObjectPtr& o) { OnNodeDeleted(*o); };
  return h;
}

}  // namespace hami::schedulerd
