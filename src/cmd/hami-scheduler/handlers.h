// hami-scheduler's HTTP layer: the kube-scheduler extender (/filter, /bind),
// the mutating webhook (/webhook) and health probes, over the pure handlers of
// src/extender and src/webhook plus the API calls they leave to the caller
// (pod patch after filter; node lock, bind-phase patch and Binding on bind).
// Every answer is JSON; bad bodies and exceptions give {"Error": ...} with
// HTTP 200, never a crash. Thread-safe (handlers run on httplib's pool).
// Overload: with limiters set, each of filter, bind and webhook runs at most
// its limiter's number of requests at once; a request refused by its limiter
// gets an immediate "overloaded" answer: an ExtenderFilterResult /
// ExtenderBindingResult Error (kube-scheduler retries the pod), and for the
// webhook an AdmissionReview that denies a pod naming any device resource
// (code 429, so the pod's creator retries; never admitted unmutated) and
// admits any other pod unchanged. /healthz and /readyz are never limited.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cmd/hami-scheduler/overload.h"
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
  // Admission control per endpoint class; null: unlimited.
  ConcurrencyLimiter* filter_limiter = nullptr;
  ConcurrencyLimiter* bind_limiter = nullptr;
  ConcurrencyLimiter* webhook_limiter = nullptr;
  // Every device resource name of the enabled vendors: a shed webhook request
  // whose body names one of them is denied, any other admitted unchanged.
  std::vector<std::string> device_resources;
};

// Per-connection bounds set by Handlers::Register (on top of kMaxBodyBytes and
// httplib's 8 KiB header limit): a read or write that stalls longer than
// these is dropped, an idle keep-alive connection is closed after
// kKeepAliveIdle and after kKeepAliveMaxRequests requests, so idle or slow
// clients cannot hold the server's threads.
inline constexpr std::chrono::seconds kReadTimeout{5};
inline constexpr std::chrono::seconds kWriteTimeout{5};
inline constexpr std::chrono::seconds kKeepAliveIdle{5};
inline constexpr size_t kKeepAliveMaxRequests = 5;  // then the connection queues again

class Handlers {
 public:
  explicit Handlers(HandlerDeps deps);

  // Request body in, response body (JSON text) out.
  std::string Filter(std::string_view body);
  std::string Bind(std::string_view body);
  std::string Webhook(std::string_view body);

  // Installs the routes, the 1 MiB body limit, the connection timeouts above
  // and the error/exception handlers.
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

// The webhook's answer to a shed AdmissionReview (see the file comment): same
// apiVersion and uid as the request, decided from the raw body without
// building the pod.
std::string OverloadedAdmissionResponse(std::string_view body,
                                        const std::vector<std::string>& device_resources,
                                        std::string_view message);

// Wires informer events into the scheduling core: pods -> UpsertPod /
// RemovePod (a malformed allocation is a Warning event on the pod, its
// earlier usage kept), quotas -> UpsertQuota / RemoveQuota. Nodes go through
// the Registrar (registration.h).
k8s::InformerHandlers PodHandlers(scheduler::Scheduler* scheduler, k8s::EventRecorder* events);
k8s::InformerHandlers QuotaHandlers(scheduler::Scheduler* scheduler);

}  // namespace hami::schedulerd
