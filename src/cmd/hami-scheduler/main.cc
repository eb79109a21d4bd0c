// hami-scheduler: the kube-scheduler extender (/filter, /bind), the pod
// mutating webhook (/webhook) and the scheduler metrics (port 9395). Pods,
// nodes and resource quotas are watched with informers and fed to the
// scheduling core (nodes through the Registrar: selector, handshake health);
// see handlers.h for the HTTP contract. With --leader-elect it follows the
// co-located kube-scheduler's Lease (HAMi's model): the leader writes the
// handshake annotations and labels the scheduler pods by role.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <httplib.h>

#include "api/device_config.h"
#include "cmd/hami-scheduler/handlers.h"
#include "cmd/hami-scheduler/lock_judge.h"
#include "cmd/hami-scheduler/pruning.h"
#include "cmd/hami-scheduler/registration.h"
#include "cmd/hami-scheduler/roles.h"
#include "cmd/hami-scheduler/server_pool.h"
#include "common/clock.h"
#include "common/log.h"
#include "k8s/client.h"
#include "k8s/event_recorder.h"
#include "k8s/informer.h"
#include "k8s/leader.h"
#include "k8s/node_lock.h"
#include "metrics/http_exposer.h"
#include "metrics/registry.h"
#include "schedmetrics/scheduler_metrics.h"
#include "schedmetrics/snapshot_view.h"
#include "scheduler/scheduler.h"
#include "tls/reloading_certificate.h"
#include "vendors/config.h"
#include "vendors/registry.h"
#include "webhook/webhook.h"

namespace {

constexpr std::string_view kComponent = "scheduler";
// Server threads: kept at least, and beyond the limiters' running and waiting
// requests, for connections (health probes, /readyz, idle keep-alive ones).
constexpr size_t kMinServerThreads = 32;
constexpr size_t kConnectionThreads = 512;
std::atomic<bool> g_stop{false};  // set by the signal handler only
void OnSignal(int) { g_stop.store(true); }

// "300", "300s", "5m", "1h", "1m30s" (Go duration subset); nullopt when malformed.
std::optional<std::chrono::seconds> ParseDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    if (j == i || j - i > 9) return std::nullopt;
    int64_t v = std::stoll(text.substr(i, j - i));
    if (j == text.size()) {
      if (i != 0) return std::nullopt;  // bare number only on its own
      return std::chrono::seconds(v);
    }
    char unit = text[j];
    if (unit == 'h') total += v * 3600;
    else if (unit == 'm') total += v * 60;
    else if (unit == 's') total += v;
    else return std::nullopt;
    i = j + 1;
  }
  return std::chrono::seconds(total);
}

// A running httplib server (plain or TLS) on its own thread.
struct ServerThread {
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
};

hami::Status StartServer(std::unique_ptr<httplib::Server> server, const std::string& bind,
                         hami::schedulerd::Handlers* handlers, size_t max_threads,
                         std::vector<ServerThread>* out) {
  auto addr = hami::metrics::ParseBindAddress(bind);
  if (!addr.ok()) return addr.status();
  if (!server->is_valid()) return hami::InvalidArgumentError("cannot set up server for " + bind);
  handlers->Register(server.get());
  // Binds may wait for a node lock (up to --node-lock-retry-timeout),
  // requests wait for a limiter slot (up to --queue-timeout) and every open
  // connection holds a thread: the pool grows to hold every running and
  // waiting request the limiters allow plus kConnectionThreads connections,
  // so neither waiting binds nor a flood starve /filter or the probes.
  server->new_task_queue = [max_threads] {
    return new hami::schedulerd::ElasticThreadPool(kMinServerThreads, max_threads);
  };
  int listen_fd = -1;
  server->set_socket_options(hami::schedulerd::RecordListeningSocket(&listen_fd));
  std::string host = addr->host.empty() ? "0.0.0.0" : addr->host;
  if (!server->bind_to_port(host, addr->port)) {
    return hami::UnavailableError("cannot bind " + bind);
  }
  if (!hami::schedulerd::RaiseListenBacklog(listen_fd)) {
    hami::log::Warn(kComponent, "cannot raise the listen backlog", {{"bind", bind}});
  }
  httplib::Server* raw = server.get();
  out->push_back({std::move(server), std::thread([raw] { raw->listen_after_bind(); })});
  return hami::OkStatus();
}

std::string EnvOr(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hami;
  CLI::App app{"hami-scheduler: kube-scheduler extender and pod webhook for HAMi"};
  std::string kubeconfig, http_bind, https_bind, cert_file, key_file;
  std::string metrics_bind = ":9395";
  std::string scheduler_name = "hami-scheduler";
  std::string device_config_file;
  std::string node_policy = "binpack", gpu_policy = "spread";
  std::string node_lock_timeout = "5m";
  std::string node_lock_retry_timeout = "28s";
  std::string log_level = "info";
  bool leader_elect = false;
  std::string lease_name = "hami-scheduler";
  std::string lease_namespace = EnvOr("POD_NAMESPACE", "kube-system");
  std::string leader_identity = HostName();
  std::string node_label_selector;
  std::string registration_period = "15s";
  bool success_events = true;
  int filter_threads = 1;
  int max_inflight_filter = 16, max_inflight_bind = 128, max_inflight_webhook = 16;
  int max_queued = 32;
  std::string queue_timeout = "2s";
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig; empty = $KUBECONFIG or in-cluster");
  app.add_option("--http-bind", http_bind, "plain HTTP host:port (default 127.0.0.1:8080 when no --https-bind)");
  app.add_option("--https-bind", https_bind, "HTTPS host:port (needs --cert-file/--key-file)");
  app.add_option("--cert-file", cert_file, "TLS certificate (PEM)");
  app.add_option("--key-file", key_file, "TLS private key (PEM)");
  app.add_option("--metrics-bind-address", metrics_bind, "host:port for /metrics");
  app.add_option("--scheduler-name", scheduler_name, "schedulerName set by the webhook");
  app.add_option("--device-config-file", device_config_file, "device-config.yaml");
  bool enable_iluvatar = false, enable_ascend = false;
  app.add_flag("--enable-iluvatar", enable_iluvatar, "schedule Iluvatar GPUs");
  app.add_flag("--enable-ascend", enable_ascend, "schedule Huawei Ascend NPUs");
  app.add_option("--node-scheduler-policy", node_policy, "binpack|spread");
  app.add_option("--gpu-scheduler-policy", gpu_policy, "binpack|spread|topology-aware");
  app.add_option("--node-lock-timeout", node_lock_timeout, "node lock expiry (seconds or 5m)");
  app.add_option("--node-lock-retry-timeout", node_lock_retry_timeout,
                 "how long /bind waits for a contended node lock (28s; below the extender httpTimeout)");
  app.add_option("--filter-threads", filter_threads, "threads fitting nodes per filter call")
      ->check(CLI::Range(1, 64));
  app.add_option("--max-inflight-filter", max_inflight_filter,
                 "/filter requests served at once; more wait (--max-queued) or are shed")
      ->check(CLI::Range(1, 1024));
  app.add_option("--max-inflight-bind", max_inflight_bind,
                 "/bind requests served at once (each may wait for a node lock)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--max-inflight-webhook", max_inflight_webhook, "/webhook requests served at once")
      ->check(CLI::Range(1, 1024));
  app.add_option("--max-queued", max_queued,
                 "requests per endpoint waiting for a slot; beyond it they are shed at once")
      ->check(CLI::Range(0, 4096));
  app.add_option("--queue-timeout", queue_timeout,
                 "longest wait for a slot before an overloaded answer (2s; 0 = never wait)");
  app.add_flag("--leader-elect", leader_elect,
               "follow the kube-scheduler's Lease: only its holder writes handshakes and role labels"
               " (--leader-elect=false to turn off)");
  app.add_option("--leader-elect-resource-name", lease_name, "Lease held by the kube-scheduler");
  app.add_option("--leader-elect-resource-namespace", lease_namespace,
                 "Lease namespace (default $POD_NAMESPACE or kube-system)");
  app.add_option("--leader-elect-identity", leader_identity,
                 "holderIdentity prefix meaning this replica (default: the hostname)");
  app.add_option("--node-label-selector", node_label_selector,
                 "only nodes with all these labels: k=v,k2=v2");
  app.add_option("--registration-period", registration_period,
                 "node registration/handshake pass period (15s)");
  app.add_option("--success-events", success_events,
                 "post FilteringSucceed/BindingSucceed events too (true|false)");
  app.add_option("--log-level", log_level, "debug|info|warning|error");
  CLI11_PARSE(app, argc, argv);

  log::Level level;
  if (log::ParseLevel(log_level, &level)) log::SetLevel(level);
  auto lock_expiry = ParseDuration(node_lock_timeout);
  if (!lock_expiry.has_value()) {
    log::Error(kComponent, "bad --node-lock-timeout", {{"value", node_lock_timeout}});
    return 2;
  }
  if (!https_bind.empty() && (cert_file.empty() || key_file.empty())) {
    log::Error(kComponent, "--https-bind needs --cert-file and --key-file");
    return 2;
  }
  if (http_bind.empty() && https_bind.empty()) http_bind = "127.0.0.1:8080";
  auto lock_wait = ParseDuration(node_lock_retry_timeout);
  if (!lock_wait.has_value()) {
    log::Error(kComponent, "bad --node-lock-retry-timeout", {{"value", node_lock_retry_timeout}});
    return 2;
  }
  auto queue_wait = ParseDuration(queue_timeout);
  if (!queue_wait.has_value()) {
    log::Error(kComponent, "bad --queue-timeout", {{"value", queue_timeout}});
    return 2;
  }
  auto pass_period = ParseDuration(registration_period);
  if (!pass_period.has_value() || pass_period->count() <= 0) {
    log::Error(kComponent, "bad --registration-period", {{"value", registration_period}});
    return 2;
  }
  auto selector = schedulerd::ParseNodeSelector(node_label_selector);
  if (!selector.ok()) {
    log::Error(kComponent, "bad --node-label-selector", {{"error", selector.status().ToString()}});
    return 2;
  }
  if (leader_elect && leader_identity.empty()) {
    log::Error(kComponent, "--leader-elect needs a hostname or --leader-elect-identity");
    return 2;
  }

  api::DeviceConfig device_config;
  if (!device_config_file.empty()) {
    auto loaded = api::LoadDeviceConfigFile(device_config_file);
    if (!loaded.ok()) {
      log::Error(kComponent, "cannot load device config", {{"error", loaded.status().ToString()}});
      return 1;
    }
    device_config = std::move(loaded).value();
  }
  vendors::DevicesConfig devices = vendors::DevicesConfigFrom(device_config);
  devices.enable_iluvatar = enable_iluvatar;
  devices.enable_ascend = enable_ascend;

  auto client_config = k8s::LoadClientConfig(kubeconfig);
  if (!client_config.ok()) {
    log::Error(kComponent, "cannot load kubeconfig", {{"error", client_config.status().ToString()}});
    return 1;
  }
  auto client_or = k8s::Client::Create(std::move(client_config).value());
  if (!client_or.ok()) {
    log::Error(kComponent, "cannot create API client", {{"error", client_or.status().ToString()}});
    return 1;
  }
  std::unique_ptr<k8s::Client> client = std::move(client_or).value();

  SystemClock clock;
  scheduler::SchedulerOptions sched_options;
  sched_options.node_policy = node_policy;
  sched_options.gpu_policy = gpu_policy;
  sched_options.filter_threads = filter_threads;
  vendors::VendorList vendor_list = vendors::MakeVendors(devices);
  std::set<std::string, std::less<>> unit_core_vendors;
  for (const auto& v : vendor_list) {
    if (v->names().cores_are_units) unit_core_vendors.insert(v->names().keyword);
  }
  scheduler::Scheduler sched(std::move(vendor_list), sched_options, clock);
  webhook::WebhookOptions webhook_options;
  webhook_options.scheduler_name = scheduler_name;
  webhook::Webhook hook(sched.vendors(), webhook_options, &sched);

  k8s::EventRecorder events(k8s::PostEventsTo(client.get(), scheduler_name), &clock);
  events.Start();

  // Leadership: followed from the kube-scheduler's Lease, or always ours.
  std::atomic<bool> leadership_changed{true};
  std::unique_ptr<k8s::LeaseObserver> lease;
  if (leader_elect) {
    k8s::LeaseObserverOptions lo;
    lo.lease_namespace = lease_namespace;
    lo.lease_name = lease_name;
    lo.identity = leader_identity;
    lease = std::make_unique<k8s::LeaseObserver>(client.get(), &clock, lo,
                                                 [&](bool) { leadership_changed.store(true); });
    lease->Start();
    log::Info(kComponent, "following the kube-scheduler lease",
              {{"lease", lease_namespace + "/" + lease_name}, {"identity", leader_identity}});
  }
  auto is_leader = [&lease] { return lease == nullptr || lease->IsLeader(); };

  schedulerd::RegistrarDeps reg_deps;
  reg_deps.scheduler = &sched;
  reg_deps.client = client.get();
  reg_deps.events = &events;
  reg_deps.clock = &clock;
  reg_deps.is_leader = is_leader;
  reg_deps.node_selector = std::move(selector).value();
  schedulerd::Registrar registrar(std::move(reg_deps));

  auto pruned = [](std::function<void(k8s::Json&)> prune) {
    k8s::InformerOptions o;
    o.transform = std::move(prune);
    return o;
  };
  k8s::Informer nodes(client.get(), k8s::kNodes, pruned(schedulerd::PruneNode));
  k8s::Informer pods(client.get(), k8s::kPods, pruned(schedulerd::PrunePod));
  k8s::Informer quotas(client.get(), k8s::kResourceQuotas, pruned(schedulerd::PruneQuota));

  k8s::NodeLockOptions lock_options;
  lock_options.expiry = *lock_expiry;
  scheduler::NodeLockPolicy lock_policy;
  lock_policy.expiry = *lock_expiry;
  lock_options.judge = schedulerd::JudgeWithPolicy(lock_policy, &clock);
  lock_options.cached_node = [&nodes](std::string_view n) { return nodes.Get(std::string(n)); };
  k8s::NodeLocker locker(client.get(), &clock, lock_options);

  nodes.AddHandlers(registrar.Handlers());
  pods.AddHandlers(schedulerd::PodHandlers(&sched, &events));
  quotas.AddHandlers(schedulerd::QuotaHandlers(&sched));
  nodes.Start();
  pods.Start();
  quotas.Start();

  schedmetrics::SchedulerMetrics sched_metrics(
      [&sched, &unit_core_vendors] { return schedmetrics::ViewFromSnapshot(sched.Snapshot(), {}, unit_core_vendors); });
  metrics::Registry registry;
  registry.AddCollector(&sched_metrics);
  metrics::HttpExposer exposer(&registry);
  if (Status s = exposer.Start(metrics_bind); !s.ok()) {
    log::Error(kComponent, "cannot serve metrics", {{"error", s.ToString()}});
    return 1;
  }

  auto limit = [&](int inflight) {
    schedulerd::LimiterOptions o;
    o.max_inflight = inflight;
    o.max_queued = max_queued;
    o.queue_timeout = *queue_wait;
    return o;
  };
  schedulerd::ConcurrencyLimiter filter_limiter("filter", limit(max_inflight_filter));
  schedulerd::ConcurrencyLimiter bind_limiter("bind", limit(max_inflight_bind));
  schedulerd::ConcurrencyLimiter webhook_limiter("webhook", limit(max_inflight_webhook));
  schedulerd::OverloadMetrics overload_metrics({&filter_limiter, &bind_limiter, &webhook_limiter});
  registry.AddCollector(&overload_metrics);
  const size_t server_threads = static_cast<size_t>(max_inflight_filter + max_inflight_bind +
                                                    max_inflight_webhook + 3 * max_queued) +
                                kConnectionThreads;

  schedulerd::HandlerDeps deps;
  deps.filter_limiter = &filter_limiter;
  deps.bind_limiter = &bind_limiter;
  deps.webhook_limiter = &webhook_limiter;
  for (const auto& v : sched.vendors()) {
    for (const std::string& r : v->names().managed_resources) deps.device_resources.push_back(r);
  }
  deps.scheduler = &sched;
  deps.webhook = &hook;
  deps.client = client.get();
  deps.locker = &locker;
  deps.pods = &pods;
  deps.metrics = &sched_metrics;
  deps.clock = &clock;
  deps.events = &events;
  deps.nodes = &nodes;
  deps.node_lock_wait = *lock_wait;
  deps.success_events = success_events;
  deps.caches_synced = [&nodes, &pods] { return nodes.HasSynced() && pods.HasSynced(); };
  schedulerd::Handlers handlers(deps);

  // The webhook's certificate is re-read when its files change (cert-manager or
  // kube-webhook-certgen rotating the Secret): no restart, open connections kept.
  // Declared before the servers, which use it until they are stopped.
  std::unique_ptr<tls::ReloadingCertificate> certificate;
  std::vector<ServerThread> servers;
  Status started = OkStatus();
  if (!http_bind.empty()) {
    started = StartServer(std::make_unique<httplib::Server>(), http_bind, &handlers, server_threads,
                          &servers);
  }
  if (started.ok() && !https_bind.empty()) {
    auto loaded = tls::ReloadingCertificate::Load(cert_file, key_file, clock);
    if (!loaded.ok()) {
      started = loaded.status();
    } else {
      certificate = std::move(*loaded);
      log::Info(kComponent, "serving certificate", {{"certificate", certificate->Describe()}});
      tls::ReloadingCertificate* cert = certificate.get();
      started = StartServer(
          std::make_unique<httplib::SSLServer>([cert](SSL_CTX& ctx) { return cert->InstallOn(&ctx).ok(); }),
          https_bind, &handlers, server_threads, &servers);
    }
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  if (started.ok()) {
    log::Info(kComponent, "started",
              {{"http", http_bind}, {"https", https_bind},
               {"metrics_port", std::to_string(exposer.port())},
               {"scheduler_name", scheduler_name},
               {"leader_elect", leader_elect ? "true" : "false"}});
    bool synced_logged = false;
    auto next_pass = clock.Monotonic();
    std::string self_pod = EnvOr("POD_NAME", "");
    std::string self_ns = EnvOr("POD_NAMESPACE", "");
    while (!g_stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (!nodes.HasSynced() || !pods.HasSynced()) continue;
      if (!synced_logged) {
        log::Info(kComponent, "caches synced",
                  {{"nodes", std::to_string(nodes.Size())}, {"pods", std::to_string(pods.Size())}});
        synced_logged = true;
      }
      bool changed = leadership_changed.exchange(false);
      if (!changed && clock.Monotonic() < next_pass) continue;
      next_pass = clock.Monotonic() + *pass_period;
      int failed = registrar.Pass(nodes.List());
      if (failed > 0) log::Warn(kComponent, "registration pass: handshake writes failed", {{"count", std::to_string(failed)}});
      if (leader_elect && is_leader() && !self_pod.empty() && !self_ns.empty()) {
        (void)schedulerd::LabelSchedulerPods(client.get(), self_ns, self_pod);
      }
    }
    log::Info(kComponent, "stopping");
  } else {
    log::Error(kComponent, "cannot start server", {{"error", started.ToString()}});
  }
  for (auto& s : servers) s.server->stop();
  for (auto& s : servers) {
    if (s.thread.joinable()) s.thread.join();
  }
  exposer.Stop();
  if (lease) lease->Stop();
  events.Stop();
  quotas.Stop();
  pods.Stop();
  nodes.Stop();
  return started.ok() ? 0 : 1;
}
