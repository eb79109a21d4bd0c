// Benchmarks of the monitor's per-refresh cost: parsing one region, and a
// full NodeMonitor refresh + render over N containers (v1 + extension
// regions, 4 live processes each). Prints figures; not a test.
#include <filesystem>

#include <benchmark/benchmark.h>

#include "metrics/registry.h"
#include "monitor/node_monitor.h"
#include "monitor/testing/region_builder.h"
#include "monitor/testing/temp_dir.h"

namespace hami::monitor {
namespace {

testing::RegionSpec Spec() {
  testing::RegionSpec s;
  s.extension = true;
  s.uuids = {"GPU-00000000-0000-0000-0000-000000000000", "GPU-11111111-1111-1111-1111-111111111111"};
  s.limits = {1 << 30, 1 << 30};
  s.sm_limits = {30, 30};
  for (int p = 0; p < 4; ++p) s.procs.push_back({p + 1, 1000 + p, 1, {1 << 20, 1 << 21}, {5, 6}});
  return s;
}

void BM_ParseRegion(benchmark::State& state) {
  auto bytes = testing::BuildRegion(Spec());
  RegionError error;
  for (auto _ : state) benchmark::DoNotOptimize(ParseRegion(bytes, &error));
}
BENCHMARK(BM_ParseRegion);

void BM_ReadRegionFile(benchmark::State& state) {
  testing::TempDir dir;
  std::string path = dir.path() + "/0.cache";
  testing::WriteFile(path, testing::BuildRegion(Spec()));
  RegionError error;
  for (auto _ : state) benchmark::DoNotOptimize(ReadRegionFile(path, &error));
}
BENCHMARK(BM_ReadRegionFile);

void BM_RefreshAndRender(benchmark::State& state) {
  testing::TempDir dir;
  std::string root = dir.path() + "/vgpu/containers";
  auto bytes = testing::BuildRegion(Spec());
  for (int i = 0; i < state.range(0); ++i) {
    std::string d = root + "/uid-" + std::to_string(i) + "_main";
    std::filesystem::create_directories(d);
    testing::WriteFile(d + "/0.cache", bytes);
  }
  FakeClock clock;
  NodeMonitor m({"node", root}, nullptr, nullptr, &clock);
  metrics::Registry registry;
  registry.AddCollector(&m);
  for (auto _ : state) {
    m.Refresh();
    benchmark::DoNotOptimize(registry.Render());
  }
  state.counters["containers"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_RefreshAndRender)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hami::monitor

BENCHMARK_MAIN();
