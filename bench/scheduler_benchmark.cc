// Google Benchmark over generated clusters: Filter latency (with unreserve)
// at 100/1,000/5,000 nodes x 8 GPUs and 0/50/90% occupancy.
// Run: build/bench/scheduler_benchmark [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <map>
#include <memory>

#include "api/annotations.h"
#include "api/pod_devices.h"
#include "scheduler/scheduler.h"
#include "scheduler/testing/fixtures.h"

namespace hami::bench {
namespace {

using scheduler::testing::Gpu;

struct Cluster {
  SystemClock clock;
  std::unique_ptr<scheduler::Scheduler> sched;
  std::vector<std::string> names;
};

Cluster& GetCluster(int nodes, int occupancy) {
  static std::map<std::pair<int, int>, std::unique_ptr<Cluster>> cache;
  auto& slot = cache[{nodes, occupancy}];
  if (slot) return *slot;
  cache.clear();  // one cluster alive at a time
  auto& c = cache[{nodes, occupancy}];
  c = std::make_unique<Cluster>();
  c->sched = std::make_unique<scheduler::Scheduler>(vendors::MakeVendors({}), scheduler::SchedulerOptions{}, c->clock);
  scheduler::testing::GpuSpec spec;
  spec.memory_mib = 81920;
  for (int n = 0; n < nodes; ++n) {
    c->names.push_back("node-" + std::to_string(n));
    (void)c->sched->UpsertNode(scheduler::testing::MakeUniformNode(c->names.back(), 8, spec));
    if (occupancy == 0) continue;
    for (int g = 0; g < 8; ++g) {
      int64_t mem = 81920 * occupancy / 100;
      scheduler::Pod pod = scheduler::testing::MakePod(c->names.back() + "-" + std::to_string(g), {Gpu{1, mem, occupancy}});
      pod.annotations[std::string(api::kVgpuNode)] = c->names.back();
      pod.annotations[std::string(api::kNvidiaDevicesAllocated)] = api::EncodePodDevices(
          {{{scheduler::testing::GpuUuid(c->names.back(), g), "NVIDIA", static_cast<int32_t>(mem), occupancy}}});
      (void)c->sched->UpsertPod(pod);
    }
  }
  return *c;
}

void BM_Filter(benchmark::State& state) {
  Cluster& c = GetCluster(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  int i = 0;
  for (auto _ : state) {
    scheduler::Pod probe = scheduler::testing::MakePod("probe-" + std::to_string(i++), {Gpu{1, 4096, 5}});
    auto r = c.sched->Filter(probe, c.names);
    benchmark::DoNotOptimize(r);
    c.sched->Unreserve(probe.uid);
  }
}
BENCHMARK(BM_Filter)
    ->ArgsProduct({{100, 1000, 5000}, {0, 50, 90}})
    ->ArgNames({"nodes", "occupancy"})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace hami::bench

BENCHMARK_MAIN();
