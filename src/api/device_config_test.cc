#include "api/device_config.h"
#include "api/config_sections.h"

#include <gtest/gtest.h>

namespace hami::api {
namespace {

constexpr char kChartDefault[] = R"(nvidia:
  resourceCountName: nvidia.com/gpu
  resourceMemoryName: nvidia.com/gpumem
  resourceMemoryPercentageName: nvidia.com/gpumem-percentage
  resourceCoreName: nvidia.com/gpucores
  resourcePriorityName: nvidia.com/priority
  overwriteEnv: false
  defaultMemory: 0
  defaultCores: 0
  defaultGPUNum: 1
  preConfiguredDeviceMemory: 0
  memoryFactor: 1
  deviceSplitCount: 10
  deviceMemoryScaling: 1
  deviceCoreScaling: 1
  enableNumaTopology: false
  gpuCorePolicy: default
  libCudaLogLevel: 1
  runtimeClassName: ""
  migProfileAllowlist:
    - models: ["A100-SXM4-40GB", "A100-PCIE-40GB"]
      profiles: ["1g.5gb", "2g.10gb", "3g.20gb", "7g.40gb"]
cambricon:
  resourceCountName: cambricon.com/vmlu
  resourceMemoryName: cambricon.com/mlu.smlu.vmemory
iluvatars:
  - chipName: MR-V100
    commonWord: MR-V100
vnpus:
  hamiVnpuCore: false
)";

TEST(DeviceConfig, ChartDefaultParses) {
  auto config = ParseDeviceConfigYaml(kChartDefault);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->has_nvidia_section);
  NvidiaConfig defaults;
  defaults.mig_profile_allowlist = {{{"A100-SXM4-40GB", "A100-PCIE-40GB"},
                                     {"1g.5gb", "2g.10gb", "3g.20gb", "7g.40gb"}}};
  EXPECT_EQ(config->nvidia, defaults);
  ASSERT_EQ(config->vendor_sections.size(), 3u);
  EXPECT_NE(config->vendor_sections.at("cambricon").find("cambricon.com/vmlu"), std::string::npos);
  EXPECT_NE(config->vendor_sections.at("iluvatars").find("MR-V100"), std::string::npos);
  EXPECT_TRUE(config->vendor_sections.contains("vnpus"));
}

TEST(DeviceConfig, SectionFieldsFlattenNestedValues) {
  auto fields = ParseSectionFields(
      "hamiVnpuCore: true\nconfigs:\n- commonWord: A\n  templates:\n  - {name: vir01, memory: 3072}\n");
  ASSERT_TRUE(fields.ok()) << fields.status().ToString();
  ASSERT_EQ(fields->size(), 1u);
  EXPECT_EQ(fields->front(), (SectionFields{{"hamiVnpuCore", "true"},
                                            {"configs.0.commonWord", "A"},
                                            {"configs.0.templates.0.name", "vir01"},
                                            {"configs.0.templates.0.memory", "3072"}}));
}

TEST(DeviceConfig, MissingKeysTakeDefaults) {
  auto config = ParseDeviceConfigYaml(
      "nvidia:\n  deviceSplitCount: 4\n  deviceMemoryScaling: 1.5\n  gpuCorePolicy: force\n"
      "  disableCoreLimit: true\n  resourceCountName: example.com/gpu\n  unknownKey: 3\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->nvidia.device_split_count, 4);
  EXPECT_DOUBLE_EQ(config->nvidia.device_memory_scaling, 1.5);
  EXPECT_EQ(config->nvidia.gpu_core_policy, "force");
  EXPECT_TRUE(config->nvidia.disable_core_limit);
  EXPECT_EQ(config->nvidia.resource_count_name, "example.com/gpu");
  EXPECT_EQ(config->nvidia.resource_memory_name, "nvidia.com/gpumem");
  EXPECT_EQ(config->nvidia.default_gpu_num, 1);
  EXPECT_EQ(config->nvidia.lib_cuda_log_level, "1");
}

TEST(DeviceConfig, VendorOnlyConfigKeepsNvidiaDefaults) {
  auto config = ParseDeviceConfigYaml("hygon:\n  resourceCountName: hygon.com/dcunum\n");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->has_nvidia_section);
  EXPECT_EQ(config->nvidia, NvidiaConfig{});
}

TEST(DeviceConfig, Errors) {
  for (const std::string text :
       {"", "[1, 2]", "nvidia: [", "nvidia:\n  deviceSplitCount: ten\n",
        "nvidia:\n  deviceSplitCount: -1\n", "nvidia:\n  gpuCorePolicy: sometimes\n",
        "nvidia:\n  migProfileAllowlist:\n    - profiles: [\"big\"]\n",
        "nvidia:\n  deviceMemoryScaling: 0\n", "nvidia: 3\n", "nvidia:\n  overwriteEnv: maybe\n"}) {
    EXPECT_FALSE(ParseDeviceConfigYaml(text).ok()) << text;
  }
  auto r = ParseDeviceConfigYaml("nvidia:\n  deviceSplitCount: ten\n");
  EXPECT_EQ(r.status().message(),
            "device config: nvidia.deviceSplitCount (line 2): 'ten' has the wrong type");
  EXPECT_EQ(LoadDeviceConfigFile("/nonexistent/device-config.yaml").status().code(),
            StatusCode::kNotFound);
}

TEST(NodeConfig, OnlyPresentKeysOverride) {
  auto overrides = ParseNodeConfigJson(
      R"({"nodeconfig":[{"name":"other","devicesplitcount":2},)"
      R"({"name":"node-1","operatingmode":"mig","devicememoryscaling":2,"libcudaloglevel":"3",)"
      R"("filterdevices":{"uuid":["GPU-x"],"index":[1]},"enablegetpreferredallocation":true}]})");
  ASSERT_TRUE(overrides.ok()) << overrides.status().ToString();
  NvidiaConfig yaml;
  yaml.device_split_count = 7;
  NvidiaNodeSettings s = ResolveNodeSettings(yaml, *overrides, "node-1");
  EXPECT_EQ(s.operating_mode, "mig");
  EXPECT_EQ(s.device_split_count, 7);  // not present for node-1
  EXPECT_DOUBLE_EQ(s.device_memory_scaling, 2.0);
  EXPECT_EQ(s.lib_cuda_log_level, "3");
  EXPECT_EQ(s.filter_device_uuids, std::vector<std::string>{"GPU-x"});
  EXPECT_EQ(s.filter_device_indices, std::vector<int32_t>{1});
  EXPECT_TRUE(s.enable_get_preferred_allocation);
  NvidiaNodeSettings other = ResolveNodeSettings(yaml, *overrides, "other");
  EXPECT_EQ(other.device_split_count, 2);
  EXPECT_EQ(other.operating_mode, "hami-core");
  NvidiaNodeSettings none = ResolveNodeSettings(yaml, *overrides, "absent");
  EXPECT_EQ(none.device_split_count, 7);
}

TEST(NodeConfig, Errors) {
  for (const std::string text : {"", "[]", R"({"nodeconfig":{}})",
                                 R"({"nodeconfig":[{"devicesplitcount":"2"}]})",
                                 R"({"nodeconfig":[{"operatingmode":"fast"}]})",
                                 R"({"nodeconfig":[{"filterdevices":{"index":[-1]}}]})"}) {
    EXPECT_FALSE(ParseNodeConfigJson(text).ok()) << text;
  }
  EXPECT_TRUE(ParseNodeConfigJson("{}")->empty());
}

}  // namespace
}  // namespace hami::api
