// Test fixture: serves scheduler metrics (hami_schedmetrics) for a fixed
// cluster view on 127.0.0.1:<port>, with a few recorded filter/bind
// latencies and errors, until SIGTERM. Stands in for hami-scheduler's metrics
// endpoint in the Prometheus end-to-end test.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "metrics/http_exposer.h"
#include "schedmetrics/scheduler_metrics.h"

namespace {
std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }
}  // namespace

int main(int argc, char** argv) {
  using namespace hami;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s 127.0.0.1:PORT\n", argv[0]);
    return 2;
  }
  schedmetrics::SchedulerMetrics sched([] {
    schedmetrics::ClusterView v;
    v.nodes.push_back({"sim-node-1",
                       {{"GPU-7f3c2a10-0000-4000-8000-000000000001", 0, "NVIDIA-A100-SXM4-80GB",
                         "NVIDIA", 10, 2, 81920, 20480, 100, 50},
                        {"GPU-7f3c2a10-0000-4000-8000-000000000002", 1, "NVIDIA-A100-SXM4-80GB",
                         "NVIDIA", 10, 0, 81920, 0, 100, 0}}});
    v.pods.push_back({"team", "train-0", "sim-node-1", 0,
                      "GPU-7f3c2a10-0000-4000-8000-000000000001", "NVIDIA", 16384, 30, 100});
    v.pods.push_back({"team", "infer-0", "sim-node-1", 0,
                      "GPU-7f3c2a10-0000-4000-8000-000000000001", "NVIDIA", 4096, 20, 100});
    v.quotas.push_back({"team", "gpu", "limits.nvidia.com/gpumem", 20480, 40960});
    return v;
  });
  for (int i = 0; i < 10; ++i) sched.ObserveFilter(std::chrono::milliseconds(2), "success");
  sched.ObserveBind(std::chrono::milliseconds(8), "success");
  sched.FilterError("node_unregistered");
  metrics::Registry registry;
  registry.AddCollector(&sched);
  metrics::HttpExposer exposer(&registry);
  if (!exposer.Start(argv[1]).ok()) return 1;
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  exposer.Stop();
  return 0;
}
