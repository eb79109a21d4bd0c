#include "deviceplugin/config.h"

#include <gtest/gtest.h>

namespace hami::deviceplugin {
namespace {

TEST(PluginConfig, DefaultsMatchTheChart) {
  auto c = ParsePluginConfig("", "", "n1");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->resource_name, "nvidia.com/gpu");
  EXPECT_EQ(c->device_split_count, 10);
  EXPECT_EQ(c->lib_cuda_log_level, "1");
  EXPECT_FALSE(c->enable_numa_topology);
}

TEST(PluginConfig, YamlThenNodeOverrideForThisNodeOnly) {
  const std::string yaml =
      "nvidia:\n  resourceCountName: nvidia.com/gpu\n  deviceSplitCount: 4\n"
      "  deviceMemoryScaling: 1.5\n  libCudaLogLevel: 3\n  disableCoreLimit: true\n";
  const std::string json = R"({"nodeconfig":[
      {"name":"other","devicesplitcount":99},
      {"name":"n1","devicesplitcount":7,"enablenumatopology":true,
       "filterdevices":{"uuid":["GPU-x"],"index":[3]},"enablegetpreferredallocation":true}]})";
  auto c = ParsePluginConfig(yaml, json, "n1");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->device_split_count, 7);
  EXPECT_DOUBLE_EQ(c->device_memory_scaling, 1.5);
  EXPECT_EQ(c->lib_cuda_log_level, "3");
  EXPECT_TRUE(c->disable_core_limit);
  EXPECT_TRUE(c->enable_numa_topology);
  EXPECT_TRUE(c->enable_preferred_allocation);
  EXPECT_EQ(c->filter_uuids, std::vector<std::string>{"GPU-x"});
  EXPECT_EQ(c->filter_indices, std::vector<int32_t>{3});
}

TEST(PluginConfig, MalformedInputIsAClearError) {
  EXPECT_FALSE(ParsePluginConfig("nvidia: [unclosed", "", "n1").ok());
  EXPECT_FALSE(ParsePluginConfig("nvidia:\n  deviceSplitCount: many\n", "", "n1").ok());
  EXPECT_FALSE(ParsePluginConfig("", "{not json", "n1").ok());
  EXPECT_FALSE(ParsePluginConfig("", R"({"nodeconfig":[{"name":"n1","devicesplitcount":"x"}]})", "n1").ok());
  EXPECT_FALSE(ParsePluginConfig("nvidia:\n  deviceSplitCount: 0\n", "", "n1").ok());
  EXPECT_FALSE(LoadPluginConfig("/nonexistent/device-config.yaml", "", "n1").ok());
}

}  // namespace
}  // namespace hami::deviceplugin
