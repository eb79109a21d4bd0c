// hami-cluster-load: load generator for the scale run (scripts/scale-run.sh).
// Not a product binary. Talks to a real kube-apiserver through hami::k8s::Client.
//
//   hami-cluster-load --kubeconfig K nodes --count N --mode extender|baseline
//   hami-cluster-load --kubeconfig K pods  --count P --mode extender|baseline [--nodes N]
//
// `nodes` creates N simulated GPU nodes concurrently. `pods` creates P pods
// concurrently, watches (field selector spec.nodeName!=) until every one is
// bound or --timeout, reports throughput and create->bound latency measured
// with this process's clock, then checks the allocations for over-commit.
// In extender mode it also plays the device plugin's part of the node lock:
// hami-scheduler's bind takes hami.io/mutex.lock on the node and leaves it for
// the device plugin to release at Allocate; with no kubelet here, the lock of a
// pod is released (owner-checked) as soon as the pod is seen bound.
//
// The vendor mix (issue #24; vendor_mix.h):
//   hami-cluster-load --kubeconfig K vendor-nodes --spec vendor-nodes.yaml --copies K
//   hami-cluster-load --kubeconfig K vendor-pods --expected examples/expected.yaml --per-vendor P
// `vendor-nodes` creates K copies of every node of the spec (<prefix><name>-<i>),
// inventory annotations rendered as the vendor's device plugin publishes them.
// `vendor-pods` creates P pods per vendor example of expected.yaml (limits of
// examples/vendors/*.yaml, no node pinned), interleaved, waits until bound and
// checks each pod's vendor allocation with the vendor's own decoders. It
// releases no lock: hami-sim-device-plugin (with --release-annotation
// cambricon.com/dsmlu.lock) plays the vendors' plugins.
// Human-readable lines first; the last stdout line is one JSON object.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <condition_variable>
#include <deque>
#include <fstream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench/cluster_load/load.h"
#include "bench/cluster_load/vendor_mix.h"
#include "common/clock.h"
#include "k8s/client.h"
#include "k8s/node_lock.h"

namespace {

using namespace hami::bench::cluster_load;
using hami::Status;
using hami::StatusCode;
using hami::k8s::Client;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Runs fn(i) for i in [0, n) on `threads` threads.
void ParallelFor(int n, int threads, const std::function<void(int)>& fn) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, threads); ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < n; i = next++) fn(i);
    });
  }
  for (auto& th : pool) th.join();
}

// Create with a few retries on throttling / transient errors. AlreadyExists is success.
Status CreateWithRetry(Client* client, const hami::k8s::Resource& r, const std::string& ns,
                       const Json& obj, std::atomic<int>* retries) {
  Status last;
  auto backoff = std::chrono::milliseconds(50);
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto created = client->CreateObject(r, ns, obj);
    if (created.ok() || created.status().code() == StatusCode::kAlreadyExists) {
      return hami::OkStatus();
    }
    last = created.status();
    if (last.code() != StatusCode::kUnavailable &&
        last.code() != StatusCode::kDeadlineExceeded) {
      return last;
    }
    ++*retries;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
  return last;
}

struct Common {
  std::string kubeconfig;
  std::string mode_text = "extender";
  Mode mode = Mode::kExtender;
  int threads = 16;
  NodeSpec node_spec;
};

int RunNodes(Client* client, const Common& c, int count, int start_index) {
  std::atomic<int> errors{0}, retries{0};
  std::mutex mu;
  std::string first_error;
  auto t0 = Clock::now();
  ParallelFor(count, c.threads, [&](int i) {
    Json node = NodeObject(c.node_spec, c.mode, start_index + i);
    Status s = CreateWithRetry(client, hami::k8s::kNodes, "", node, &retries);
    if (!s.ok()) {
      ++errors;
      std::lock_guard lock(mu);
      if (first_error.empty()) first_error = s.ToString();
    }
  });
  double secs = Seconds(Clock::now() - t0);
  std::printf("nodes: created %d %s nodes (%d GPUs each) in %.2f s (%.0f nodes/s), %d errors, %d retries\n",
              count - errors.load(), std::string(ModeName(c.mode)).c_str(), c.node_spec.gpus, secs,
              count / std::max(secs, 1e-9), errors.load(), retries.load());
  if (!first_error.empty()) std::printf("nodes: first error: %s\n", first_error.c_str());
  Json out = {{"kind", "nodes"},   {"mode", ModeName(c.mode)}, {"nodes", count - errors.load()},
              {"seconds", secs},   {"errors", errors.load()},  {"retries", retries.load()}};
  std::printf("%s\n", out.dump().c_str());
  std::fflush(stdout);
  return errors.load() == 0 ? 0 : 1;
}

struct PodsOptions {
  int count = 0;
  int node_count = 0;  // for the over-commit check (UUID ownership)
  double timeout_s = 600;
  bool verify = true;
  bool release_locks = true;  // extender mode only
  int release_threads = 4;
  PodSpec spec;
};

// The simulated device plugin's lock release: a queue of (node, pod) drained by
// a few threads calling NodeLocker::Release (GET node, owner check, patch).
class LockReleaser {
 public:
  LockReleaser(Client* client, std::string ns, int threads)
      : locker_(client, &clock_), ns_(std::move(ns)) {
    for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~LockReleaser() { Stop(); }
  void Push(std::string node, std::string pod) {
    {
      std::lock_guard lock(mu_);
      queue_.emplace_back(std::move(node), std::move(pod));
    }
    cv_.notify_one();
  }
  // Drains the queue, then joins.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  int released() const { return released_.load(); }
  int errors() const { return errors_.load(); }

 private:
  void Loop() {
    for (;;) {
      std::pair<std::string, std::string> item;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      Status s = locker_.Release(item.first, ns_, item.second);
      if (s.ok()) ++released_;
      else ++errors_;
    }
  }

  hami::SystemClock clock_;
  hami::k8s::NodeLocker locker_;
  std::string ns_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, std::string>> queue_;
  bool stop_ = false;
  std::atomic<int> released_{0}, errors_{0};
  std::vector<std::thread> threads_;
};

// Watches pods with spec.nodeName set and stamps the first time each of ours is seen.
class BindWatcher {
 public:
  // on_bound(node, pod name) runs on the watch thread for each newly bound pod.
  using OnBound = std::function<void(const std::string&, const std::string&)>;
  BindWatcher(Client* client, const PodSpec& spec, int count, Clock::time_point t0, OnBound on_bound)
      : client_(client), spec_(spec), bound_s_(count, -1), t0_(t0), on_bound_(std::move(on_bound)) {}

  Status Start() {
    auto list = Relist();
    if (!list.ok()) return list;
    thread_ = std::thread([this] { Loop(); });
    return hami::OkStatus();
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int bound() const { return bound_.load(); }
  int watch_restarts() const { return restarts_; }
  // Seconds since t0; -1 when not seen. Read after Stop().
  const std::vector<double>& bound_seconds() const { return bound_s_; }

 private:
  void Mark(const Json& pod) {
    const Json* name = nullptr;
    if (auto m = pod.find("metadata"); m != pod.end() && m->is_object()) {
      if (auto n = m->find("name"); n != m->end() && n->is_string()) name = &*n;
      if (auto rv = m->find("resourceVersion"); rv != m->end() && rv->is_string()) {
        rv_ = rv->get<std::string>();
      }
    }
    if (name == nullptr) return;
    auto sp = pod.find("spec");
    if (sp == pod.end() || !sp->contains("nodeName") || !(*sp)["nodeName"].is_string() ||
        (*sp)["nodeName"].get_ref<const std::string&>().empty()) {
      return;
    }
    int i = PodIndex(spec_, name->get_ref<const std::string&>());
    if (i < 0 || i >= static_cast<int>(bound_s_.size()) || bound_s_[i] >= 0) return;
    bound_s_[i] = Seconds(Clock::now() - t0_);
    ++bound_;
    if (on_bound_) on_bound_((*sp)["nodeName"].get<std::string>(), name->get<std::string>());
  }

  Status Relist() {
    hami::k8s::ListOptions opts;
    opts.field_selector = "spec.nodeName!=";
    auto list = client_->List(hami::k8s::kPods, spec_.ns, opts);
    if (!list.ok()) return list.status();
    for (const Json& pod : (*list)["items"]) Mark(pod);
    rv_ = (*list)["metadata"].value("resourceVersion", "");
    return hami::OkStatus();
  }

  void Loop() {
    while (!stop_) {
      hami::k8s::WatchOptions opts;
      opts.field_selector = "spec.nodeName!=";
      opts.resource_version = rv_;
      opts.allow_bookmarks = true;
      Status s = client_->Watch(
          hami::k8s::kPods, spec_.ns, opts,
          [this](const hami::k8s::WatchEvent& ev) {
            if (ev.type == "ADDED" || ev.type == "MODIFIED") Mark(ev.object);
            else if (ev.type == "BOOKMARK" && ev.object.contains("metadata")) {
              rv_ = ev.object["metadata"].value("resourceVersion", rv_);
            }
            return !stop_.load();
          },
          &stop_);
      if (stop_) break;
      ++restarts_;
      if (s.code() == StatusCode::kOutOfRange || !s.ok()) {
        if (!s.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
        (void)Relist();
      }
    }
  }

  Client* client_;
  PodSpec spec_;
  std::vector<double> bound_s_;
  Clock::time_point t0_;
  OnBound on_bound_;
  std::atomic<int> bound_{0};
  std::atomic<bool> stop_{false};
  std::string rv_;
  int restarts_ = 0;
  std::thread thread_;
};

// Creates `count` pods (make_pod(i)) with `threads` in parallel while
// `watcher` follows their binding; returns once every created pod is bound,
// or at the timeout. Prints progress every 5 s under `label`.
struct CreateRun {
  std::vector<double> created_s;  // per pod, seconds after t0; -1 when its create failed
  int created = 0, errors = 0;
  double create_end_s = 0;
  std::string first_error;
};
CreateRun CreateUntilBound(Client* client, const std::string& ns, int count, int threads, double timeout_s,
                           Clock::time_point t0, BindWatcher& watcher, std::atomic<int>* retries,
                           const char* label, const std::function<Json(int)>& make_pod) {
  std::vector<double> created_s(count, -1);
  std::atomic<int> created{0}, errors{0};
  std::mutex mu;
  std::string first_error;
  std::atomic<bool> creating_done{false};
  double create_end_s = 0;
  std::thread creator([&] {
    ParallelFor(count, threads, [&](int i) {
      created_s[i] = Seconds(Clock::now() - t0);
      Status s = CreateWithRetry(client, hami::k8s::kPods, ns, make_pod(i), retries);
      if (s.ok()) {
        ++created;
      } else {
        created_s[i] = -1;
        ++errors;
        std::lock_guard lock(mu);
        if (first_error.empty()) first_error = s.ToString();
      }
    });
    create_end_s = Seconds(Clock::now() - t0);
    creating_done = true;
  });
  auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  auto next_report = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    int b = watcher.bound();
    if (creating_done && b >= created.load()) break;
    if (Clock::now() >= next_report) {
      std::printf("%s: t=%.0fs created %d bound %d\n", label, Seconds(Clock::now() - t0), created.load(), b);
      std::fflush(stdout);
      next_report += std::chrono::seconds(5);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  creator.join();
  return {std::move(created_s), created.load(), errors.load(), create_end_s, std::move(first_error)};
}

int RunPods(Client* client, const Common& c, const PodsOptions& o) {
  Json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", o.spec.ns}}}};
  std::atomic<int> retries{0};
  if (Status s = CreateWithRetry(client, hami::k8s::kNamespaces, "", ns, &retries); !s.ok()) {
    std::fprintf(stderr, "pods: cannot create namespace %s: %s\n", o.spec.ns.c_str(),
                 s.ToString().c_str());
    return 1;
  }

  std::unique_ptr<LockReleaser> releaser;
  if (c.mode == Mode::kExtender && o.release_locks) {
    releaser = std::make_unique<LockReleaser>(client, o.spec.ns, o.release_threads);
  }
  auto t0 = Clock::now();
  BindWatcher watcher(client, o.spec, o.count, t0,
                      [&releaser](const std::string& node, const std::string& pod) {
                        if (releaser) releaser->Push(node, pod);
                      });
  if (Status s = watcher.Start(); !s.ok()) {
    std::fprintf(stderr, "pods: cannot list pods: %s\n", s.ToString().c_str());
    return 1;
  }
  CreateRun run = CreateUntilBound(client, o.spec.ns, o.count, c.threads, o.timeout_s, t0, watcher, &retries,
                                   "pods", [&](int i) { return PodObject(o.spec, c.mode, i); });
  const std::vector<double>& created_s = run.created_s;
  watcher.Stop();
  if (releaser) releaser->Stop();

  const std::vector<double>& bound_s = watcher.bound_seconds();
  std::vector<double> latency;
  double last_bound_s = 0;
  int bound = 0;
  for (int i = 0; i < o.count; ++i) {
    if (bound_s[i] < 0) continue;
    ++bound;
    last_bound_s = std::max(last_bound_s, bound_s[i]);
    if (created_s[i] >= 0) latency.push_back(bound_s[i] - created_s[i]);
  }
  int unbound = run.created - bound;
  double pods_per_s = last_bound_s > 0 ? bound / last_bound_s : 0;
  double p50 = Percentile(latency, 50), p90 = Percentile(latency, 90),
         p99 = Percentile(latency, 99), pmax = Percentile(latency, 100);
  std::printf("pods: mode %s, created %d (%d errors, %d retries) in %.2f s (%.0f pods/s)\n",
              std::string(ModeName(c.mode)).c_str(), run.created, run.errors, retries.load(),
              run.create_end_s, run.created / std::max(run.create_end_s, 1e-9));
  if (!run.first_error.empty()) std::printf("pods: first create error: %s\n", run.first_error.c_str());
  std::printf("pods: bound %d, unbound %d; first create -> last bound %.2f s = %.1f pods/s\n",
              bound, unbound, last_bound_s, pods_per_s);
  if (releaser) {
    std::printf("pods: node locks released for %d bound pods (%d release errors)\n",
                releaser->released(), releaser->errors());
  }
  std::printf("pods: create->bound latency p50 %.3f s, p90 %.3f s, p99 %.3f s, max %.3f s\n", p50,
              p90, p99, pmax);

  Json verify = nullptr;
  bool pass = unbound == 0 && run.errors == 0;
  if (o.verify) {
    hami::k8s::ListOptions opts;
    opts.limit = 1000;
    auto list = client->List(hami::k8s::kPods, o.spec.ns, opts);
    if (!list.ok()) {
      std::printf("verify: FAIL: cannot list pods: %s\n", list.status().ToString().c_str());
      pass = false;
    } else {
      std::vector<Json> pods;
      for (Json& p : (*list)["items"]) pods.push_back(std::move(p));
      OvercommitReport r = CheckOvercommit(pods, c.node_spec, o.node_count, c.mode);
      for (const std::string& p : r.problems) std::printf("verify: %s\n", p.c_str());
      if (c.mode == Mode::kExtender) {
        std::printf("verify: %s: %d bound pods, %d with allocations, %d GPUs used; fullest GPU "
                    "mem %lld/%lld MiB, count %d/%d, cores %d/%d; %d problems\n",
                    r.ok() ? "PASS" : "FAIL", r.pods_checked, r.pods_allocated, r.devices_used,
                    static_cast<long long>(r.max_mem_mib),
                    static_cast<long long>(c.node_spec.devmem_mib), r.max_count,
                    c.node_spec.split, r.max_cores, c.node_spec.devcore, r.problem_count);
      } else {
        std::printf("verify: %s: %d bound pods on %d nodes, fullest node %d/%d nvidia.com/gpu; "
                    "%d problems\n",
                    r.ok() ? "PASS" : "FAIL", r.pods_checked, r.devices_used, r.max_count,
                    BaselineGpus(c.node_spec), r.problem_count);
      }
      pass = pass && r.ok();
      verify = {{"pass", r.ok()},          {"pods_checked", r.pods_checked},
                {"problems", r.problem_count}, {"gpus_used", r.devices_used},
                {"max_mem_mib", r.max_mem_mib}, {"max_count", r.max_count},
                {"max_cores", r.max_cores}};
    }
  }
  Json out = {{"kind", "pods"},
              {"mode", ModeName(c.mode)},
              {"pods", o.count},
              {"created", run.created},
              {"create_errors", run.errors},
              {"create_seconds", run.create_end_s},
              {"bound", bound},
              {"unbound", unbound},
              {"wall_seconds", last_bound_s},
              {"pods_per_second", pods_per_s},
              {"latency_p50_s", p50},
              {"latency_p90_s", p90},
              {"latency_p99_s", p99},
              {"latency_max_s", pmax},
              {"watch_restarts", watcher.watch_restarts()},
              {"locks_released", releaser ? releaser->released() : 0},
              {"lock_release_errors", releaser ? releaser->errors() : 0},
              {"verify", verify},
              {"pass", pass}};
  std::printf("%s\n", out.dump().c_str());
  std::fflush(stdout);
  return pass ? 0 : 1;
}

hami::StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path);
  if (!in) return hami::NotFoundError("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

hami::vendors::VendorList AllVendors() {
  hami::vendors::DevicesConfig config;
  config.enable_iluvatar = true;
  config.enable_ascend = true;
  return hami::vendors::MakeVendors(config);
}

struct VendorNodesOptions {
  std::string spec_file;
  int copies = 1;
  std::string prefix = "vmix-";
};

int RunVendorNodes(Client* client, const Common& c, const VendorNodesOptions& o) {
  auto text = ReadText(o.spec_file);
  if (!text.ok()) {
    std::fprintf(stderr, "vendor-nodes: %s\n", text.status().ToString().c_str());
    return 1;
  }
  auto specs = hami::testing::ParseSimVendorSpecs(*text);
  if (!specs.ok()) {
    std::fprintf(stderr, "vendor-nodes: %s\n", specs.status().ToString().c_str());
    return 1;
  }
  int per_copy = static_cast<int>(specs->size());
  int count = per_copy * o.copies;
  std::atomic<int> errors{0}, retries{0};
  std::mutex mu;
  std::string first_error;
  auto now = std::chrono::system_clock::now();
  auto t0 = Clock::now();
  ParallelFor(count, c.threads, [&](int i) {
    const auto& spec = (*specs)[i % per_copy];
    Json node = VendorNodeObject(spec, VendorNodeName(o.prefix, spec, i / per_copy), now);
    Status s = CreateWithRetry(client, hami::k8s::kNodes, "", node, &retries);
    if (!s.ok()) {
      ++errors;
      std::lock_guard lock(mu);
      if (first_error.empty()) first_error = s.ToString();
    }
  });
  double secs = Seconds(Clock::now() - t0);
  std::printf("vendor-nodes: created %d nodes (%d copies of %d vendor nodes) in %.2f s, %d errors, %d retries\n",
              count - errors.load(), o.copies, per_copy, secs, errors.load(), retries.load());
  if (!first_error.empty()) std::printf("vendor-nodes: first error: %s\n", first_error.c_str());
  Json out = {{"kind", "vendor-nodes"}, {"nodes", count - errors.load()}, {"seconds", secs},
              {"errors", errors.load()},  {"retries", retries.load()}};
  std::printf("%s\n", out.dump().c_str());
  std::fflush(stdout);
  return errors.load() == 0 ? 0 : 1;
}

struct VendorPodsOptions {
  std::string expected_file;
  std::string examples_dir;  // default: the directory of expected_file
  int per_vendor = 1;
  double timeout_s = 300;
  PodSpec spec;
};

int RunVendorPods(Client* client, const Common& c, VendorPodsOptions o) {
  auto text = ReadText(o.expected_file);
  if (!text.ok()) {
    std::fprintf(stderr, "vendor-pods: %s\n", text.status().ToString().c_str());
    return 1;
  }
  auto templates = ParseVendorExpectations(*text);
  if (!templates.ok()) {
    std::fprintf(stderr, "vendor-pods: %s\n", templates.status().ToString().c_str());
    return 1;
  }
  if (o.examples_dir.empty()) {
    size_t slash = o.expected_file.rfind('/');
    o.examples_dir = slash == std::string::npos ? "." : o.expected_file.substr(0, slash);
  }
  for (VendorPodTemplate& t : *templates) {
    auto pod = ReadText(o.examples_dir + "/" + t.example);
    Status s = pod.ok() ? ReadTemplateLimits(*pod, &t) : pod.status();
    if (!s.ok()) {
      std::fprintf(stderr, "vendor-pods: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  const size_t kinds = templates->size();
  const int count = o.per_vendor * static_cast<int>(kinds);
  Json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", o.spec.ns}}}};
  std::atomic<int> retries{0};
  if (Status s = CreateWithRetry(client, hami::k8s::kNamespaces, "", ns, &retries); !s.ok()) {
    std::fprintf(stderr, "vendor-pods: cannot create namespace %s: %s\n", o.spec.ns.c_str(), s.ToString().c_str());
    return 1;
  }
  auto t0 = Clock::now();
  BindWatcher watcher(client, o.spec, count, t0, nullptr);
  if (Status s = watcher.Start(); !s.ok()) {
    std::fprintf(stderr, "vendor-pods: cannot list pods: %s\n", s.ToString().c_str());
    return 1;
  }
  CreateRun run = CreateUntilBound(client, o.spec.ns, count, c.threads, o.timeout_s, t0, watcher, &retries,
                                   "vendor-pods", [&](int i) {
                                     return VendorPodObject((*templates)[VendorTemplateOf(i, kinds)], o.spec, i);
                                   });
  const std::vector<double>& created_s = run.created_s;
  watcher.Stop();

  const std::vector<double>& bound_s = watcher.bound_seconds();
  std::map<std::string, std::vector<double>> latency;  // vendor -> create->bound
  std::map<std::string, int> unbound_of;
  double last_bound_s = 0;
  int bound = 0;
  for (int i = 0; i < count; ++i) {
    const std::string& vendor = (*templates)[VendorTemplateOf(i, kinds)].vendor;
    if (bound_s[i] < 0) {
      if (created_s[i] >= 0) ++unbound_of[vendor];
      continue;
    }
    ++bound;
    last_bound_s = std::max(last_bound_s, bound_s[i]);
    if (created_s[i] >= 0) latency[vendor].push_back(bound_s[i] - created_s[i]);
  }
  int unbound = run.created - bound;
  double pods_per_s = last_bound_s > 0 ? bound / last_bound_s : 0;
  std::printf("vendor-pods: %zu vendors x %d pods: created %d (%d errors, %d retries) in %.2f s\n", kinds,
              o.per_vendor, run.created, run.errors, retries.load(), run.create_end_s);
  if (!run.first_error.empty()) std::printf("vendor-pods: first create error: %s\n", run.first_error.c_str());
  std::printf("vendor-pods: bound %d, unbound %d; first create -> last bound %.2f s = %.1f pods/s\n", bound,
              unbound, last_bound_s, pods_per_s);

  bool pass = unbound == 0 && run.errors == 0;
  VendorMixReport r;
  bool listed = false;
  {
    auto pods = client->List(hami::k8s::kPods, o.spec.ns, {});
    hami::k8s::ListOptions nopts;
    nopts.label_selector = std::string(kVendorNodeLabel);
    auto nodes = client->List(hami::k8s::kNodes, "", nopts);
    if (!pods.ok() || !nodes.ok()) {
      std::printf("verify: FAIL: cannot list: %s\n",
                  (pods.ok() ? nodes.status() : pods.status()).ToString().c_str());
      pass = false;
    } else {
      std::vector<Json> pod_list, node_list;
      for (Json& p : (*pods)["items"]) pod_list.push_back(std::move(p));
      for (Json& n : (*nodes)["items"]) node_list.push_back(std::move(n));
      r = CheckVendorMix(pod_list, node_list, *templates, o.spec, AllVendors());
      listed = true;
      pass = pass && r.ok();
    }
  }
  Json per_vendor = Json::object();
  std::printf("vendor-pods: %-12s %6s %6s %8s %9s %9s %8s %8s\n", "vendor", "bound", "ok", "unbound",
              "p50 s", "p99 s", "devices", "mem%");
  for (const VendorPodTemplate& t : *templates) {
    const VendorMixReport::PerVendor& pv = r.vendors[t.vendor];
    double p50 = Percentile(latency[t.vendor], 50), p99 = Percentile(latency[t.vendor], 99);
    std::printf("vendor-pods: %-12s %6d %6d %8d %9.3f %9.3f %8d %7.0f%%\n", t.vendor.c_str(), pv.pods_bound,
                pv.pods_ok, unbound_of[t.vendor], p50, p99, pv.devices_used, pv.max_mem_fill * 100);
    per_vendor[t.vendor] = {{"bound", pv.pods_bound}, {"ok", pv.pods_ok}, {"unbound", unbound_of[t.vendor]},
                            {"latency_p50_s", p50}, {"latency_p99_s", p99}, {"devices_used", pv.devices_used},
                            {"max_mem_fill", pv.max_mem_fill}, {"max_slots", pv.max_slots}};
  }
  for (const std::string& p : r.problems) std::printf("verify: %s\n", p.c_str());
  if (listed) {
    std::printf("verify: %s: %d bound pods checked, %d problems\n", r.ok() ? "PASS" : "FAIL", r.pods_checked,
                r.problem_count);
  }
  std::vector<double> all;
  for (auto& [v, l] : latency) all.insert(all.end(), l.begin(), l.end());
  Json out = {{"kind", "vendor-pods"},
              {"vendors", kinds},
              {"pods", count},
              {"created", run.created},
              {"create_errors", run.errors},
              {"bound", bound},
              {"unbound", unbound},
              {"wall_seconds", last_bound_s},
              {"pods_per_second", pods_per_s},
              {"latency_p50_s", Percentile(all, 50)},
              {"latency_p99_s", Percentile(all, 99)},
              {"per_vendor", per_vendor},
              {"problems", r.problem_count},
              {"pass", pass}};
  std::printf("%s\n", out.dump().c_str());
  std::fflush(stdout);
  return pass ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hami-cluster-load: simulated GPU nodes and pods for the scale run"};
  Common c;
  app.add_option("--kubeconfig", c.kubeconfig, "kubeconfig (default $KUBECONFIG)");
  app.add_option("--mode", c.mode_text, "extender|baseline")->capture_default_str();
  app.add_option("--threads", c.threads, "concurrent create requests")->capture_default_str();
  app.add_option("--gpus-per-node", c.node_spec.gpus)->capture_default_str();
  app.add_option("--split", c.node_spec.split, "registration count per GPU")->capture_default_str();
  app.add_option("--baseline-gpu", c.node_spec.baseline_gpu,
                 "nvidia.com/gpu per node in baseline mode (0 = gpus-per-node x split)")
      ->capture_default_str();
  app.add_option("--node-prefix", c.node_spec.prefix)->capture_default_str();
  app.require_subcommand(1);

  int node_count = 0, start_index = 0;
  auto* nodes = app.add_subcommand("nodes", "create simulated GPU nodes");
  nodes->add_option("--count", node_count)->required();
  nodes->add_option("--start-index", start_index)->capture_default_str();

  PodsOptions po;
  bool no_verify = false;
  auto* pods = app.add_subcommand("pods", "create pods, wait until bound, verify");
  pods->add_option("--count", po.count)->required();
  pods->add_option("--nodes", po.node_count,
                   "node count for the GPU ownership check (default: count the simulated nodes)");
  pods->add_option("--namespace", po.spec.ns)->capture_default_str();
  pods->add_option("--timeout", po.timeout_s, "seconds to wait for binding")->capture_default_str();
  pods->add_option("--gpumem", po.spec.gpumem_mib, "MiB per pod")->capture_default_str();
  pods->add_option("--cores-min", po.spec.cores_min)->capture_default_str();
  pods->add_option("--cores-max", po.spec.cores_max)->capture_default_str();
  pods->add_option("--scheduler-name", po.spec.extender_scheduler, "extender mode schedulerName")
      ->capture_default_str();
  pods->add_flag("--no-verify", no_verify);
  bool no_release = false;
  pods->add_flag("--no-release-node-locks", no_release,
                 "extender mode: leave hami.io/mutex.lock for a real device plugin");
  pods->add_option("--release-threads", po.release_threads)->capture_default_str();

  VendorNodesOptions vno;
  auto* vnodes = app.add_subcommand("vendor-nodes", "create K copies of each simulated vendor node of a spec");
  vnodes->add_option("--spec", vno.spec_file, "vendor-nodes.yaml (tests/fakes/sim_vendor_node.h)")->required();
  vnodes->add_option("--copies", vno.copies)->capture_default_str();
  vnodes->add_option("--prefix", vno.prefix, "node name prefix")->capture_default_str();

  VendorPodsOptions vpo;
  vpo.spec.ns = "hami-vmix";
  vpo.spec.prefix = "vmix-";
  auto* vpods = app.add_subcommand("vendor-pods", "create P pods per vendor example, wait until bound, verify");
  vpods->add_option("--expected", vpo.expected_file, "examples/expected.yaml")->required();
  vpods->add_option("--examples-dir", vpo.examples_dir, "default: the directory of --expected");
  vpods->add_option("--per-vendor", vpo.per_vendor)->capture_default_str();
  vpods->add_option("--namespace", vpo.spec.ns)->capture_default_str();
  vpods->add_option("--timeout", vpo.timeout_s, "seconds to wait for binding")->capture_default_str();
  vpods->add_option("--scheduler-name", vpo.spec.extender_scheduler)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  po.verify = !no_verify;
  po.release_locks = !no_release;

  if (!ParseMode(c.mode_text, &c.mode)) {
    std::fprintf(stderr, "--mode must be extender or baseline\n");
    return 2;
  }
  auto config = hami::k8s::LoadClientConfig(c.kubeconfig);
  if (!config.ok()) {
    std::fprintf(stderr, "kubeconfig: %s\n", config.status().ToString().c_str());
    return 1;
  }
  config->user_agent = "hami-cluster-load";
  auto client = Client::Create(std::move(config).value());
  if (!client.ok()) {
    std::fprintf(stderr, "client: %s\n", client.status().ToString().c_str());
    return 1;
  }
  if (nodes->parsed()) return RunNodes(client->get(), c, node_count, start_index);
  if (vnodes->parsed()) return RunVendorNodes(client->get(), c, vno);
  if (vpods->parsed()) return RunVendorPods(client->get(), c, vpo);
  if (po.node_count <= 0 && po.verify) {  // count the simulated nodes for the ownership check
    hami::k8s::ListOptions opts;
    opts.label_selector = "hami.io/scale-run=true";
    auto list = (*client)->List(hami::k8s::kNodes, "", opts);
    if (list.ok()) po.node_count = static_cast<int>((*list)["items"].size());
  }
  return RunPods(client->get(), c, po);
}
