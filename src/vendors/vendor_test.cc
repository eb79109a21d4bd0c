#include "vendors/vendor.h"

#include <gtest/gtest.h>

#include <deque>

namespace hami::vendors {
namespace {

DeviceUsage Dev(int index, double score, int numa, int used = 0) {
  DeviceUsage d;
  static std::deque<std::string> ids;  // views must outlive the device
  d.id = ids.emplace_back("GPU-" + std::to_string(index));
  d.index = index;
  d.score = score;
  d.numa = numa;
  d.used = used;
  return d;
}

std::vector<int> Order(std::vector<DeviceUsage>& devs, const GpuPolicy& p, bool numa_bind) {
  std::vector<DeviceUsage*> ptrs;
  for (auto& d : devs) ptrs.push_back(&d);
  SortDevices(ptrs, p, numa_bind);
  std::vector<int> out;
  for (auto* d : ptrs) out.push_back(d->index);
  return out;
}

TEST(ScoringWeights, ParsesAllThree) {
  auto w = ParseScoringWeights("slot=2,core=0,memory=5");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->slot, 2);
  EXPECT_EQ(w->core, 0);
  EXPECT_EQ(w->memory, 5);
}

TEST(ScoringWeights, RejectsBadInput) {
  EXPECT_FALSE(ParseScoringWeights("slot=1,core=1").ok());
  EXPECT_FALSE(ParseScoringWeights("slot=0,core=0,memory=0").ok());
  EXPECT_FALSE(ParseScoringWeights("slot=-1,core=1,memory=1").ok());
  EXPECT_FALSE(ParseScoringWeights("slot=x,core=1,memory=1").ok());
  EXPECT_FALSE(ParseScoringWeights("slot=1,core=1,memory=1,gpu=3").ok());
  EXPECT_FALSE(ParseScoringWeights("").ok());
}

TEST(DeviceScore, UsageFormula) {
  DeviceUsage d;
  d.count = 10, d.used = 5, d.total_cores = 100, d.used_cores = 50, d.total_mem_mib = 1000,
  d.used_mem_mib = 250;
  EXPECT_DOUBLE_EQ(DeviceScore(d, {}), 10 * (0.5 + 0.5 + 0.25));
  EXPECT_DOUBLE_EQ(DeviceScore(d, {2, 0, 0}), 10.0);
  d.total_cores = 0;
  EXPECT_EQ(DeviceScore(d, {}), 0);
}

TEST(GpuPolicy, SpreadPutsLowestScoreLast) {
  std::vector<DeviceUsage> d = {Dev(0, 5, 0), Dev(1, 1, 0), Dev(2, 9, 0)};
  EXPECT_EQ(Order(d, ParseGpuPolicy("spread", false), false), (std::vector<int>{2, 0, 1}));
  EXPECT_EQ(Order(d, ParseGpuPolicy("unknown", false), false), (std::vector<int>{2, 0, 1}));
}

TEST(GpuPolicy, BinpackPutsHighestScoreLast) {
  std::vector<DeviceUsage> d = {Dev(0, 5, 0), Dev(1, 1, 0), Dev(2, 9, 0)};
  EXPECT_EQ(Order(d, ParseGpuPolicy("binpack", false), false), (std::vector<int>{1, 0, 2}));
}

TEST(GpuPolicy, MutexPutsIdleLast) {
  std::vector<DeviceUsage> d = {Dev(0, 5, 0, 0), Dev(1, 1, 0, 3), Dev(2, 9, 0, 1)};
  auto p = ParseGpuPolicy("mutex", false);
  EXPECT_TRUE(p.mutex);
  EXPECT_EQ(Order(d, p, false), (std::vector<int>{1, 2, 0}));
}

TEST(GpuPolicy, NumaBindKeepsGroupsContiguous) {
  std::vector<DeviceUsage> d = {Dev(0, 5, 0), Dev(1, 1, 1), Dev(2, 9, 0), Dev(3, 2, 1)};
  EXPECT_EQ(Order(d, ParseGpuPolicy("binpack", true), true), (std::vector<int>{1, 3, 0, 2}));
  EXPECT_EQ(Order(d, ParseGpuPolicy("spread", true), true), (std::vector<int>{2, 0, 3, 1}));
}

TEST(GpuPolicy, ChainAppliesKeysInOrder) {
  std::vector<DeviceUsage> d = {Dev(0, 5, 1), Dev(1, 5, 0), Dev(2, 9, 0)};
  auto p = ParseGpuPolicy("binpack, numa", false);
  EXPECT_TRUE(p.chain);
  EXPECT_EQ(Order(d, p, false), (std::vector<int>{1, 0, 2}));
  auto numa_only = ParseGpuPolicy("numa", false);
  EXPECT_TRUE(numa_only.chain);
  EXPECT_EQ(Order(d, numa_only, false), (std::vector<int>{1, 2, 0}));
  // numa-bind forces numa first.
  auto forced = ParseGpuPolicy("spread,numa", true);
  EXPECT_EQ(forced.keys.front(), GpuPolicy::Key::kNuma);
  // A chain without a sort key falls back to spread.
  auto filters = ParseGpuPolicy("mutex,topology-aware", false);
  EXPECT_TRUE(filters.mutex && filters.topology_aware);
  EXPECT_EQ(Order(d, filters, false), (std::vector<int>{2, 0, 1}));
}

TEST(FitOutcome, ReasonStringIsSortedNOverM) {
  FitOutcome o;
  o.examined = 4;
  o.reasons = {{"CardTimeSlicingExhausted", 3}, {"CardInsufficientMemory", 1}};
  EXPECT_EQ(o.ReasonString(), "1/4 CardInsufficientMemory, 3/4 CardTimeSlicingExhausted");
}

}  // namespace
}  // namespace hami::vendors

#include "vendors/config.h"

namespace hami::vendors {
namespace {

TEST(DevicesConfig, FromDeviceConfigYaml) {
  auto parsed = api::ParseDeviceConfigYaml(
      "nvidia:\n  resourceCountName: example.com/gpu\n  defaultMemory: 1024\n  defaultCores: 5\n"
      "  gpuCorePolicy: force\n  memoryFactor: 2\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  DevicesConfig c = DevicesConfigFrom(*parsed);
  EXPECT_EQ(c.nvidia.resource_count_name, "example.com/gpu");
  EXPECT_EQ(c.nvidia.default_memory_mib, 1024);
  EXPECT_EQ(c.nvidia.default_cores, 5);
  EXPECT_EQ(c.nvidia.gpu_core_policy, "force");
  EXPECT_EQ(c.nvidia.memory_factor, 2);
  EXPECT_TRUE(c.nvidia_enabled);
}

}  // namespace
}  // namespace hami::vendors
