#include "monitor/node_monitor.h"

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/testing/promtool.h"
#include "monitor/testing/region_builder.h"
#include "monitor/testing/temp_dir.h"

namespace hami::monitor {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint64_t kMiB = 1 << 20;
const char* kGpu0 = "GPU-00000000-0000-0000-0000-000000000000";
const char* kGpu1 = "GPU-11111111-1111-1111-1111-111111111111";

class NodeMonitorTest : public ::testing::Test {
 protected:
  NodeMonitorTest()
      : root_(tmp_.path() + "/vgpu/containers"),
        nvml_({NvmlDevice{0, kGpu0, "A100-SXM4-80GB", 80 * 1024 * kMiB, 700 * kMiB, 35, 12,
                          std::vector<NvmlProcess>{{4242, 300 * kMiB}, {5000, 400 * kMiB}}},
               NvmlDevice{1, kGpu1, "A100-SXM4-80GB", 80 * 1024 * kMiB, 0, 0, 0,
                          std::vector<NvmlProcess>{}}}) {}

  void AddRegion(const std::string& dir, testing::RegionSpec spec) {
    fs::create_directories(root_ + "/" + dir);
    ASSERT_TRUE(testing::WriteFile(root_ + "/" + dir + "/0.cache", testing::BuildRegion(spec)));
  }
  void AddRaw(const std::string& dir, std::vector<uint8_t> bytes) {
    fs::create_directories(root_ + "/" + dir);
    ASSERT_TRUE(testing::WriteFile(root_ + "/" + dir + "/0.cache", bytes));
  }
  std::string Render(const NodeMonitor& m) {
    metrics::Registry registry;
    registry.AddCollector(&m);
    std::vector<std::string> errors;
    std::string text = registry.Render(&errors);
    EXPECT_TRUE(errors.empty()) << errors.front();
    return text;
  }

  testing::TempDir tmp_;
  std::string root_;
  FakeNvml nvml_;
  FakeClock clock_;
};

testing::RegionSpec LimitedSpec() {
  testing::RegionSpec s;
  s.extension = true;
  s.uuids = {kGpu0};
  s.limits = {1024 * kMiB};
  s.sm_limits = {30};
  s.procs = {testing::ProcSpec{7, 4242, 1, {256 * kMiB}, {20}}};
  s.throttled_ns = {1500000000};
  s.limiter_util = {28};
  s.oom_refusals = 3;
  s.last_kernel_time = 1700000000 - 4;
  return s;
}

TEST_F(NodeMonitorTest, ExportsHamiAndExtraMetricsForMappedContainers) {
  AddRegion("uid-a_main", LimitedSpec());
  testing::RegionSpec unlimited;  // HAMi-core v1, no limits, no extension
  unlimited.uuids = {kGpu1};
  unlimited.procs = {testing::ProcSpec{9, 0, 1, {64 * kMiB}, {0}}};
  AddRegion("uid-b_worker", unlimited);
  AddRegion("uid-gone_main", LimitedSpec());  // pod not on the node: not exported
  StaticPodLister pods({PodInfo{"uid-a", "team", "train-0", {"main"}},
                        PodInfo{"uid-b", "team", "infer \"x\"", {"worker"}}});
  NodeMonitor m({"node-1", root_}, &nvml_, &pods, &clock_);
  m.Refresh();
  ASSERT_EQ(m.containers().size(), 2u);
  std::string text = Render(m);
  const std::string a =
      "{container=\"main\",device_uuid=\"" + std::string(kGpu0) +
      "\",namespace=\"team\",pod=\"train-0\",vdevice_index=\"0\",zone=\"vGPU\"}";
  EXPECT_THAT(text, HasSubstr("hami_vgpu_memory_used_bytes" + a + " 268435456\n"));
  EXPECT_THAT(text, HasSubstr("hami_vgpu_memory_limit_bytes" + a + " 1073741824\n"));
  EXPECT_THAT(text, HasSubstr("hami_container_device_memory_bytes" + a + " 268435456\n"));
  EXPECT_THAT(text, HasSubstr("hami_container_device_utilization_ratio" + a + " 28\n"));
  EXPECT_THAT(text, HasSubstr("hami_container_sm_limit_ratio" + a + " 30\n"));
  EXPECT_THAT(text, HasSubstr("hami_container_throttled_seconds_total" + a + " 1.5\n"));
  EXPECT_THAT(text, HasSubstr("hami_container_last_kernel_elapsed_seconds" + a + " 4\n"));
  EXPECT_THAT(text, HasSubstr("hami_container_nvml_memory_used_bytes" + a + " 314572800\n"));
  EXPECT_THAT(text, HasSubstr("hami_container_memory_drift_bytes" + a + " -46137344\n"));
  EXPECT_THAT(text, HasSubstr("hami_container_memory_refused_allocations_total{container=\"main\","
                              "namespace=\"team\",pod=\"train-0\",zone=\"vGPU\"} 3\n"));
  // Unlimited container: still reported, limit 0, escaped pod name.
  EXPECT_THAT(text, HasSubstr("hami_vgpu_memory_used_bytes{container=\"worker\",device_uuid=\"" +
                              std::string(kGpu1) +
                              "\",namespace=\"team\",pod=\"infer \\\"x\\\"\",vdevice_index=\"0\","
                              "zone=\"vGPU\"} 67108864\n"));
  EXPECT_THAT(text, HasSubstr("hami_host_gpu_memory_used_bytes{device_index=\"0\",device_type="
                              "\"NVIDIA-A100-SXM4-80GB\",device_uuid=\"" + std::string(kGpu0) +
                              "\",node=\"node-1\",zone=\"vGPU\"} 734003200\n"));
  EXPECT_THAT(text, HasSubstr("hami_host_gpu_utilization_ratio{"));
  EXPECT_THAT(text, HasSubstr("hami_host_gpu_memory_controller_utilization_ratio{device_index=\"0\""));
  EXPECT_THAT(text, HasSubstr("hami_build_info{build_date="));
  EXPECT_THAT(text, Not(HasSubstr("uid-gone")));
  EXPECT_THAT(text, HasSubstr("hami_monitor_regions{zone=\"vGPU\"} 2\n"));
  auto result = metrics::testing::PromtoolCheck(text);
  if (result) {
    EXPECT_TRUE(result->clean()) << result->output << text;
  }
}

TEST_F(NodeMonitorTest, AllocatedContainerWithoutRegionReportsLimits) {
  AddRegion("uid-a_main", LimitedSpec());
  PodInfo waiting{"uid-w", "team", "waiting", {"main"}, {}};
  waiting.allocated["main"] = {api::ContainerDevice{kGpu1, "NVIDIA", 2048, 25}};
  PodInfo a{"uid-a", "team", "train-0", {"main"}, {}};
  a.allocated["main"] = {api::ContainerDevice{kGpu0, "NVIDIA", 1024, 30}};
  StaticPodLister pods({a, waiting});
  NodeMonitor m({"node-1", root_}, &nvml_, &pods, &clock_);
  m.Refresh();
  ASSERT_EQ(m.containers().size(), 2u);
  std::string text = Render(m);
  const std::string w = "{container=\"main\",device_uuid=\"" + std::string(kGpu1) +
                        "\",namespace=\"team\",pod=\"waiting\",vdevice_index=\"0\",zone=\"vGPU\"}";
  EXPECT_THAT(text, HasSubstr("hami_vgpu_memory_limit_bytes" + w + " 2147483648\n"));
  EXPECT_THAT(text, HasSubstr("hami_vgpu_memory_used_bytes" + w + " 0\n"));
  EXPECT_THAT(text, HasSubstr("hami_container_sm_limit_ratio" + w + " 25\n"));
  EXPECT_THAT(text, HasSubstr("hami_container_region_ready{container=\"main\",namespace=\"team\","
                              "pod=\"waiting\",zone=\"vGPU\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("hami_container_region_ready{container=\"main\",namespace=\"team\","
                              "pod=\"train-0\",zone=\"vGPU\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hami_monitor_regions{zone=\"vGPU\"} 1\n"));
  FeedbackLoop loop("");
  EXPECT_EQ(m.FeedbackTick(&loop), 1);  // only the real region
}

TEST_F(NodeMonitorTest, UtilizationFromNvmlWhenRegionRecordsNone) {
  testing::RegionSpec hami_core;  // v1, no SM limit: HAMi-core samples nothing
  hami_core.uuids = {kGpu0};
  hami_core.procs = {testing::ProcSpec{7, 4242, 1, {128 * kMiB}, {0}},
                     testing::ProcSpec{8, 4243, 1, {128 * kMiB}, {0}}};
  AddRegion("uid-a_main", hami_core);
  NvmlDevice dev{0, kGpu0, "A100-SXM4-80GB", 80 * 1024 * kMiB, 700 * kMiB, 35, 12,
                 std::vector<NvmlProcess>{}, std::vector<NvmlProcessUtil>{{4242, 30}, {4243, 15},
                                                                          {9999, 50}}};
  nvml_.Set({dev});
  NodeMonitor m({"node-1", root_}, &nvml_, nullptr, &clock_);
  m.Refresh();
  EXPECT_THAT(Render(m), HasSubstr("hami_container_device_utilization_ratio{container=\"main\","
                                   "device_uuid=\"" + std::string(kGpu0) +
                                   "\",namespace=\"\",pod=\"uid-a\",vdevice_index=\"0\","
                                   "zone=\"vGPU\"} 45\n"));
}

TEST_F(NodeMonitorTest, WithoutPodListExportsEveryContainerByUid) {
  AddRegion("uid-a_main", LimitedSpec());
  StaticPodLister unknown;
  NodeMonitor m({"node-1", root_}, &nvml_, &unknown, &clock_);
  m.Refresh();
  ASSERT_EQ(m.containers().size(), 1u);
  EXPECT_EQ(m.containers()[0].pod, "uid-a");
  EXPECT_TRUE(m.Cleanup().empty());  // never cleans without a pod list
}

TEST_F(NodeMonitorTest, BadRegionsAreCountedAndSkipped) {
  AddRegion("uid-a_main", LimitedSpec());
  AddRaw("uid-a_trunc", std::vector<uint8_t>(100, 0));
  auto foreign = testing::BuildRegion(LimitedSpec());
  testing::Put<int32_t>(&foreign, layout::V1::kMajorVersion, 7);
  AddRaw("uid-a_foreign", foreign);
  auto garbage = testing::BuildRegion(LimitedSpec());
  testing::Put<int32_t>(&garbage, 0, 0x12345);
  AddRaw("uid-a_garbage", garbage);
  NodeMonitor m({"node-1", root_}, &nvml_, nullptr, &clock_);
  m.Refresh();
  m.Refresh();
  EXPECT_EQ(m.containers().size(), 1u);
  EXPECT_EQ(m.skipped(SkipReason::kTruncated), 2u);
  EXPECT_EQ(m.skipped(SkipReason::kForeignVersion), 2u);
  EXPECT_EQ(m.skipped(SkipReason::kBadMagic), 2u);
  std::string text = Render(m);
  EXPECT_THAT(text, HasSubstr("hami_monitor_region_skipped_total{reason=\"truncated\",zone=\"vGPU\"} 2\n"));
}

TEST_F(NodeMonitorTest, FeedbackTickUsesDiscoveredRegions) {
  testing::RegionSpec high = LimitedSpec();
  high.priority = 0;
  high.recent_kernel = 2;
  testing::RegionSpec low = LimitedSpec();
  low.priority = 1;
  low.recent_kernel = 2;
  AddRegion("uid-h_main", high);
  AddRegion("uid-l_main", low);
  NodeMonitor m({"node-1", root_}, &nvml_, nullptr, &clock_);
  m.Refresh();
  FeedbackLoop loop("");
  EXPECT_EQ(m.FeedbackTick(&loop), 2);
  m.Refresh();
  std::string text = Render(m);
  EXPECT_THAT(text, HasSubstr("hami_container_priority_blocked{container=\"main\",namespace=\"\","
                              "pod=\"uid-l\",zone=\"vGPU\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hami_container_priority_blocked{container=\"main\",namespace=\"\","
                              "pod=\"uid-h\",zone=\"vGPU\"} 0\n"));
}

TEST_F(NodeMonitorTest, CleanupRemovesOldDirsOfGonePods) {
  AddRegion("uid-a_main", LimitedSpec());
  AddRegion("uid-gone_main", LimitedSpec());
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(1);
  fs::last_write_time(root_ + "/uid-gone_main", old);
  fs::last_write_time(root_ + "/uid-a_main", old);
  StaticPodLister pods({PodInfo{"uid-a", "ns", "p", {"main"}}});
  NodeMonitor m({"node-1", root_}, &nvml_, &pods, &clock_);
  auto removed = m.Cleanup();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_FALSE(fs::exists(root_ + "/uid-gone_main"));
  EXPECT_TRUE(fs::exists(root_ + "/uid-a_main"));
}

// The device plugin writes <hook>/vgpu/limits/<podUID>_<container>.limits at every
// Allocate and nothing else removes it: without this, one file per container ever run
// piles up on the node (found by the chaos run, docs/reliability.md).
TEST_F(NodeMonitorTest, CleanupRemovesOldLimitFilesOfGonePods) {
  const std::string limits = tmp_.path() + "/vgpu/limits";
  fs::create_directories(limits);
  for (const char* f : {"/uid-a_main.limits", "/uid-gone_main.limits"}) std::ofstream(limits + f) << "version=1\n";
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(1);
  fs::last_write_time(limits + "/uid-a_main.limits", old);
  fs::last_write_time(limits + "/uid-gone_main.limits", old);
  StaticPodLister pods({PodInfo{"uid-a", "ns", "p", {"main"}}});
  MonitorOptions options{"node-1", root_};
  options.limits_root = limits;
  NodeMonitor m(options, &nvml_, &pods, &clock_);
  auto removed = m.Cleanup();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0], limits + "/uid-gone_main.limits");
  EXPECT_TRUE(fs::exists(limits + "/uid-a_main.limits"));
}

}  // namespace
}  // namespace hami::monitor
