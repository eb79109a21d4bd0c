// TEST DOUBLE (never shipped): hami-sim-device-plugin finishes, for simulated
// nodes that have no kubelet and no GPU, what hami-device-plugin's Allocate
// does for a bound pod: bind-phase `allocating` -> `success`, and the node
// lock the scheduler took at bind (hami.io/mutex.lock) released. It watches
// bound pods through an informer and works the hand-offs off a queue with a
// few threads, so a scale run measures the scheduler rather than a slow fake.
// Vendor-neutral: it reads only hami.io/bind-phase, which the scheduler sets
// for every vendor's pod. Vendors with a lock of their own that their plugin
// clears after Allocate (Cambricon's time-only cambricon.com/dsmlu.lock) are
// covered by --release-annotation KEY: after each hand-off KEY is removed
// from the pod's node (repeatable).
//
//   hami-sim-device-plugin --kubeconfig K [--workers 4] [--allocate-delay-ms 0]
//                          [--release-annotation KEY]...
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/clock.h"
#include "common/log.h"
#include "k8s/client.h"
#include "k8s/informer.h"
#include "k8s/node_lock.h"

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

struct Job {
  std::string ns, name, node;
};

class HandOffQueue {
 public:
  void Push(Job job) {
    std::lock_guard lock(mu_);
    std::string key = job.ns + "/" + job.name;
    if (!queued_.insert(key).second) return;  // already waiting
    jobs_.push_back(std::move(job));
    cv_.notify_one();
  }
  bool Pop(Job* out) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return !jobs_.empty(); });
    if (jobs_.empty()) return false;
    *out = std::move(jobs_.front());
    jobs_.pop_front();
    queued_.erase(out->ns + "/" + out->name);
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  std::set<std::string> queued_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace hami;
  CLI::App app{"hami-sim-device-plugin: TEST DOUBLE finishing Allocate hand-offs on simulated nodes"};
  std::string kubeconfig;
  int workers = 4;
  int delay_ms = 0;
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig")->required();
  app.add_option("--workers", workers, "parallel hand-offs")->check(CLI::Range(1, 64));
  app.add_option("--allocate-delay-ms", delay_ms, "simulated kubelet admission + Allocate time");
  std::vector<std::string> release_annotations;
  app.add_option("--release-annotation", release_annotations,
                 "node annotation (a vendor's own node lock) removed after each hand-off; repeatable");
  CLI11_PARSE(app, argc, argv);

  auto config = k8s::LoadClientConfig(kubeconfig);
  if (!config.ok()) {
    log::Error("simplugin", "cannot load kubeconfig", {{"error", config.status().ToString()}});
    return 1;
  }
  auto client = k8s::Client::Create(std::move(config).value());
  if (!client.ok()) return 1;
  SystemClock clock;
  k8s::NodeLocker locker(client->get(), &clock);
  HandOffQueue queue;
  std::atomic<int64_t> done{0}, failed{0};

  k8s::InformerOptions io;
  io.field_selector = "spec.nodeName!=";
  k8s::Informer pods(client->get(), k8s::kPods, io);
  auto consider = [&](const k8s::ObjectPtr& pod) {
    if (k8s::Annotation(*pod, "hami.io/bind-phase") != "allocating") return;
    std::string node = (*pod)["spec"].value("nodeName", "");
    if (!node.empty()) queue.Push({k8s::Namespace(*pod), k8s::Name(*pod), node});
  };
  k8s::InformerHandlers h;
  h.on_add = consider;
  h.on_update = [&](const k8s::ObjectPtr&, const k8s::ObjectPtr& pod) { consider(pod); };
  pods.AddHandlers(h);
  pods.Start();

  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) {
    threads.emplace_back([&] {
      Job job;
      while (!g_stop.load()) {
        if (!queue.Pop(&job)) continue;
        if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        k8s::Json patch = {{"metadata", {{"annotations", {{"hami.io/bind-phase", "success"}}}}}};
        auto patched = (*client)->MergePatch(k8s::kPods, job.ns, job.name, patch);
        Status released = locker.Release(job.node, job.ns, job.name);
        if (released.ok() && !release_annotations.empty()) {
          k8s::Json annotations = k8s::Json::object();
          for (const std::string& key : release_annotations) annotations[key] = nullptr;
          auto cleared = (*client)->MergePatch(k8s::kNodes, "", job.node,
                                               k8s::Json{{"metadata", {{"annotations", annotations}}}});
          if (!cleared.ok() && cleared.status().code() != StatusCode::kNotFound) released = cleared.status();
        }
        if (patched.ok() && released.ok()) {
          done.fetch_add(1);
        } else {
          failed.fetch_add(1);
          log::Warn("simplugin", "hand-off failed",
                    {{"pod", job.ns + "/" + job.name},
                     {"error", patched.ok() ? released.ToString() : patched.status().ToString()}});
        }
      }
    });
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  log::Info("simplugin", "started", {{"workers", std::to_string(workers)}});
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (auto& t : threads) t.join();
  pods.Stop();
  log::Info("simplugin", "stopped",
            {{"allocated", std::to_string(done.load())}, {"failed", std::to_string(failed.load())}});
  return 0;
}
