// hami-monitor: serves per-container GPU metrics for Prometheus (HAMi's names
// on port 9394) and runs the priority feedback loop over the shared regions
// under <hook-path>/vgpu/containers.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "common/clock.h"
#include "common/log.h"
#include "metrics/http_exposer.h"
#include "metrics/registry.h"
#include "monitor/feedback.h"
#include "monitor/node_monitor.h"
#include "monitor/nvml.h"
#include "monitor/pods.h"
#ifdef HAMI_MONITOR_WITH_K8S
#include "cmd/hami-monitor/k8s_pod_lister.h"
#endif

namespace {

std::atomic<bool> g_stop{false};  // set by the signal handler only
void OnSignal(int) { g_stop.store(true); }

std::string EnvOr(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : fallback;
}

// Parses "5m", "30s", "1h" or plain seconds; returns fallback when malformed.
std::chrono::seconds ParseDuration(const std::string& text, std::chrono::seconds fallback) {
  if (text.empty()) return fallback;
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || v < 0) return fallback;
  std::string unit(end);
  if (unit.empty() || unit == "s") return std::chrono::seconds(v);
  if (unit == "m") return std::chrono::minutes(v);
  if (unit == "h") return std::chrono::hours(v);
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hami;
  CLI::App app{"hami-monitor: per-container GPU metrics and priority feedback"};
  std::string bind = ":9394";
  std::string hook_path = EnvOr("HOOK_PATH", "/usr/local");
  std::string node_name = EnvOr("NODE_NAME", "");
  std::string kubeconfig;
  std::string nvml_library = "libnvidia-ml.so.1";
  std::string log_level = "info";
  std::string resync = EnvOr("HAMI_RESYNC_INTERVAL", "5m");
  std::string mig_lock = "/tmp/hami/hami-mig-apply.lock";
  double refresh_s = 1.0;
  double feedback_s = 5.0;
  bool no_k8s = false;
  app.add_option("--metrics-bind-address", bind, "host:port to serve /metrics on");
  app.add_option("--hook-path", hook_path, "hook path; regions under <path>/vgpu/containers (env HOOK_PATH)");
  app.add_option("--node-name", node_name, "this node's name (env NODE_NAME)");
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig; empty = $KUBECONFIG or in-cluster");
  app.add_option("--nvml-library", nvml_library, "NVML library to dlopen");
  app.add_option("--refresh-interval", refresh_s, "seconds between region/NVML reads")->check(CLI::Range(0.05, 60.0));
  app.add_option("--feedback-interval", feedback_s, "seconds between priority feedback ticks")->check(CLI::Range(0.05, 600.0));
  app.add_option("--resync-interval", resync, "age before stale container dirs are removed (env HAMI_RESYNC_INTERVAL)");
  app.add_option("--mig-lock-file", mig_lock, "feedback pauses while this file exists");
  app.add_flag("--no-kubernetes", no_k8s, "do not list pods (label containers by pod UID, no cleanup)");
  app.add_option("--log-level", log_level, "debug|info|warning|error");
  CLI11_PARSE(app, argc, argv);

  log::Level level;
  if (log::ParseLevel(log_level, &level)) log::SetLevel(level);
  if (node_name.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) == 0) node_name = host;
  }

  std::unique_ptr<monitor::PodLister> pods;
  if (no_k8s) {
    pods = std::make_unique<monitor::StaticPodLister>();
  } else {
#ifdef HAMI_MONITOR_WITH_K8S
    auto lister = monitor::StartK8sPodLister(kubeconfig, node_name);
    if (!lister.ok()) {
      log::Error("monitor", "cannot start the pod informer", {{"error", lister.status().ToString()}});
      return 1;
    }
    pods = std::move(lister).value();
#else
    log::Warn("monitor", "built without the Kubernetes client; containers labelled by pod UID");
    pods = std::make_unique<monitor::StaticPodLister>();
#endif
  }

  std::unique_ptr<monitor::Nvml> nvml;
  auto opened = monitor::OpenNvml(nvml_library);
  if (opened.ok()) {
    nvml = std::move(opened).value();
  } else {
    log::Warn("monitor", "NVML unavailable; host metrics disabled", {{"error", opened.status().ToString()}});
  }

  SystemClock clock;
  monitor::MonitorOptions options;
  options.node_name = node_name;
  options.containers_root = hook_path + "/vgpu/containers";
  options.limits_root = hook_path + "/vgpu/limits";
  options.stale_grace = ParseDuration(resync, std::chrono::minutes(5));
  monitor::NodeMonitor node_monitor(options, nvml.get(), pods.get(), &clock);
  monitor::FeedbackLoop feedback(mig_lock);
  node_monitor.Refresh();

  metrics::Registry registry;
  registry.AddCollector(&node_monitor);
  metrics::HttpExposer exposer(&registry);
  if (Status s = exposer.Start(bind); !s.ok()) {
    log::Error("monitor", "cannot serve metrics", {{"error", s.ToString()}});
    return 1;
  }

  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  log::Info("monitor", "started", {{"node", node_name}, {"containers", options.containers_root},
                                   {"port", std::to_string(exposer.port())}});
  using Steady = std::chrono::steady_clock;
  auto to_duration = [](double s) {
    return std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(s));
  };
  auto next_refresh = Steady::now() + to_duration(refresh_s);
  auto next_feedback = Steady::now() + to_duration(feedback_s);
  auto next_cleanup = Steady::now() + std::chrono::seconds(60);
  while (!g_stop.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto now = Steady::now();
    if (now >= next_refresh) {
      node_monitor.Refresh();
      next_refresh = now + to_duration(refresh_s);
    }
    if (now >= next_feedback) {
      node_monitor.FeedbackTick(&feedback);
      next_feedback = now + to_duration(feedback_s);
    }
    if (now >= next_cleanup) {
      node_monitor.Cleanup();
      next_cleanup = now + std::chrono::seconds(60);
    }
  }
  log::Info("monitor", "stopping");
  exposer.Stop();
  return 0;
}
