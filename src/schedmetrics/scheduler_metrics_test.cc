#include "schedmetrics/scheduler_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/testing/promtool.h"

namespace hami::schedmetrics {
namespace {
using ::testing::HasSubstr;

ClusterView SampleView() {
  ClusterView v;
  v.nodes.push_back(NodeView{"node-1",
                             {DeviceView{"GPU-a", 0, "NVIDIA-A100", "NVIDIA", 10, 2, 40960, 10240,
                                         100, 60},
                              DeviceView{"GPU-amd", 1, "MI210", "AMD", 4, 1, 65536, 0, 104, 52, true}}});
  v.pods.push_back(PodDeviceView{"team", "train", "node-1", 0, "GPU-a", "NVIDIA", 8192, 50, 100});
  v.pods.push_back(PodDeviceView{"team", "infer", "node-1", 0, "GPU-a", "NVIDIA", 2048, 10, 100});
  v.pods.push_back(PodDeviceView{"team", "amd", "node-1", 0, "GPU-amd", "AMD", 0, 26, 104, true});
  v.quotas.push_back(QuotaView{"team", "gpu-quota", "limits.nvidia.com/gpumem", 10240, 20480});
  v.quotas.push_back(QuotaView{"dev", "q", "limits.nvidia.com/gpu", 1, std::nullopt});
  return v;
}

TEST(SchedulerMetricsTest, RendersAllocationFamilies) {
  SchedulerMetrics m([] { return SampleView(); });
  metrics::Registry registry;
  registry.AddCollector(&m);
  std::string text = registry.Render();
  const std::string a = "device_index=\"0\",device_type=\"NVIDIA-A100\",device_uuid=\"GPU-a\",node=\"node-1\"";
  EXPECT_THAT(text, HasSubstr("hami_gpu_memory_limit_bytes{" + a + ",zone=\"vGPU\"} 42949672960\n"));
  EXPECT_THAT(text, HasSubstr("hami_gpu_core_limit_ratio{" + a + ",zone=\"vGPU\"} 100\n"));
  EXPECT_THAT(text, HasSubstr("hami_gpu_memory_allocated_bytes{device_cores=\"60\"," + a +
                              ",zone=\"vGPU\"} 10737418240\n"));
  EXPECT_THAT(text, HasSubstr("hami_gpu_shared_count{" + a + ",zone=\"vGPU\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hami_gpu_core_allocated_ratio{" + a + ",zone=\"vGPU\"} 60\n"));
  EXPECT_THAT(text, HasSubstr("hami_node_gpu_overview{device_cores=\"60\",device_index=\"0\","
                              "device_memory_limit=\"40960\",device_type=\"NVIDIA-A100\","
                              "device_uuid=\"GPU-a\",node=\"node-1\",zone=\"vGPU\"} 10737418240\n"));
  EXPECT_THAT(text, HasSubstr("hami_node_gpu_memory_allocated_ratio{" + a + ",zone=\"vGPU\"} 0.25\n"));
  // AMD: cores normalised to 100 and used = ceil(52/104*100) = 50.
  EXPECT_THAT(text, HasSubstr("hami_gpu_core_limit_ratio{device_index=\"1\",device_type=\"MI210\","
                              "device_uuid=\"GPU-amd\",node=\"node-1\",zone=\"vGPU\"} 100\n"));
  EXPECT_THAT(text, HasSubstr("hami_gpu_core_allocated_ratio{device_index=\"1\",device_type=\"MI210\","
                              "device_uuid=\"GPU-amd\",node=\"node-1\",zone=\"vGPU\"} 50\n"));
  EXPECT_THAT(text, HasSubstr("hami_vgpu_memory_allocated_bytes{container_index=\"0\",device_uuid="
                              "\"GPU-a\",namespace=\"team\",node=\"node-1\",pod=\"train\","
                              "zone=\"vGPU\"} 8589934592\n"));
  EXPECT_THAT(text, HasSubstr("hami_vgpu_core_allocated_ratio{container_index=\"0\",device_uuid="
                              "\"GPU-amd\",namespace=\"team\",node=\"node-1\",pod=\"amd\","
                              "zone=\"vGPU\"} 25\n"));
  EXPECT_THAT(text, HasSubstr("hami_resource_quota_used{limit=\"limits.nvidia.com/gpumem\","
                              "namespace=\"team\",quota_name=\"gpu-quota\",zone=\"vGPU\"} 10240\n"));
  EXPECT_THAT(text, HasSubstr("hami_resource_quota_limit{limit=\"limits.nvidia.com/gpumem\","
                              "namespace=\"team\",quota_name=\"gpu-quota\",zone=\"vGPU\"} 20480\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("hami_resource_quota_limit{limit=\"limits.nvidia.com/gpu\"")));
  EXPECT_THAT(text, HasSubstr("hami_device_info{device_index=\"1\",device_type=\"MI210\","
                              "device_uuid=\"GPU-amd\",device_vendor=\"AMD\",node=\"node-1\",zone=\"vGPU\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hami_build_info{build_date="));
  auto result = metrics::testing::PromtoolCheck(text);
  if (result) {
    EXPECT_TRUE(result->clean()) << result->output << text;
  }
}

TEST(SchedulerMetricsTest, RecordsLatencyAndErrors) {
  SchedulerMetrics m(nullptr);
  m.ObserveFilter(std::chrono::milliseconds(3), "success");
  m.ObserveFilter(std::chrono::milliseconds(40), "unschedulable");
  m.ObserveBind(std::chrono::microseconds(200), "success");
  m.ObserveWebhook(std::chrono::milliseconds(1), "success");
  m.FilterError("node_unregistered");
  m.FilterError("node_unregistered");
  m.BindError("patch_failed");
  metrics::Registry registry;
  registry.AddCollector(&m);
  std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE hami_scheduler_filter_duration_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("hami_scheduler_filter_duration_seconds_count{result=\"success\",zone=\"vGPU\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hami_scheduler_filter_duration_seconds_bucket{result=\"success\",zone=\"vGPU\",le=\"0.004\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hami_scheduler_filter_duration_seconds_bucket{result=\"success\",zone=\"vGPU\",le=\"0.002\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("hami_scheduler_bind_duration_seconds_bucket{result=\"success\",zone=\"vGPU\",le=\"+Inf\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hami_scheduler_filter_errors_total{reason=\"node_unregistered\",zone=\"vGPU\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hami_scheduler_bind_errors_total{reason=\"patch_failed\",zone=\"vGPU\"} 1\n"));
  auto result = metrics::testing::PromtoolCheck(text);
  if (result) {
    EXPECT_TRUE(result->clean()) << result->output << text;
  }
}

}  // namespace
}  // namespace hami::schedmetrics
