// hami-scheduler's HTTP layer: the kube-scheduler extender (/filter, /bind),
// the mutating webhook (/webhook) and health probes, over the pure handlers of
// src/extender and src/webhook plus the API calls they leave to the caller
// (pod patch after filter; node lock, bind-phase patch and Binding on bind).
// Every answer is JSON; bad bodies and exceptions give {"Error": ...} with
// HTTP 200, never a crash. Thread-safe (handlers run on httplib's pool).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "extender/extender.h"
#include "k8s/client.h"
#include "k8s/event_recorder.h"
#include "k8s/informer.h"
#include "k8s/node_lock.h"
#include "schedmetrics/scheduler_metrics.h"
#include "scheduler/scheduler.h"
#include "webhook/webhook.h"

namespace httplib {
class Server;
}

namespace hami::schedulerd {

inline constexpr size_t kMaxBodyBytes = 1 << 20;  // 1 MiB

struct HandlerDeps {
  scheduler::Scheduler* scheduler = nullptr;
  const webhook::Webhook* webhook = nullptr;
  k8s::Client* client = nullptr;          // null: no API calls (filter answers only)
  k8s::NodeLocker* locker = nullptr;      // null: node lock skipped
  const k8s::Informer* pods = nullptr;    // pod cache for /bind; null = GET the pod
  schedmetrics::SchedulerMetrics* metrics = nullptr;  // may be null
  k8s::EventRecorder* events = nullptr;   // null: no pod events
  bool success_events = true;             // FilteringSucceed / BindingSucceed too
  const Clock* clock = nullptr;
  // True once the node and pod caches are synced. Until then /filter waits up
  // to `sync_wait` and then answers an Error (never a decision made on an
  // empty usage picture: that would double-book after a restart), and
  // /readyz answers 503. Null: always ready.
  std::function<bool()> caches_synced;
  std::chrono::milliseconds sync_wait{10000};
  // On node lock contention /bind waits up to `node_lock_wait` (HAMi's
  // --node-lock-retry-timeout; keep it below the extender's httpTimeout),
  // watching the node cache for the release when `nodes` is set, else
  // sleeping `node_lock_backoff` between tries.
  const k8s::Informer* nodes = nullptr;
  std::chrono::milliseconds node_lock_wait{28000};
  std::chrono::milliseconds node_lock_backoff{200};
};

class Handlers {
 public:
  explicit Handlers(HandlerDeps deps);

  // Request body in, response body (JSON text) out.
  std::string Filter(std::string_view body);
  std::string Bind(std::string_view body);
  std::string Webhook(std::string_view body);

  // Installs the routes, the 1 MiB body limit and the error/exception handlers.
  void Register(httplib::Server* server);

 private:
  std::string FilterImpl(std::string_view body);
  bool WaitForCaches() const;
  void WaitForNodeLockRelease(const std::string& node,
                              std::chrono::steady_clock::time_point until) const;
  Status BindImpl(const extender::BindArgs& args);

  HandlerDeps deps_;
};

// "no available node, 3 nodes do not meet: 2 nodes <reason>(a,b); 1 nodes
// <reason>(c)" from an ExtenderFilterResult's FailedNodes map (node lists are
// cut after 5 names).
std::string SummarizeFailedNodes(const nlohmann::json& failed_nodes);

// Wires informer events into the scheduling core: pods -> UpsertPod /
// RemovePod (a malformed allocation is a Warning event on the pod, its
// earlier usage kept), quotas -> UpsertQuota / RemoveQuota. Nodes go through
// the Registrar (registration.h).
k8s::InformerHandlers PodHandlers(scheduler::Scheduler* scheduler, k8s::EventRecorder* events);
k8s::InformerHandlers QuotaHandlers(scheduler::Scheduler* scheduler);

}  // namespace hami::schedulerd
