#include "deviceplugin/devices.h"

#include <gtest/gtest.h>

#include "deviceplugin/testing/fakes.h"

namespace hami::deviceplugin {
namespace {

using testing::MakeGpu;

TEST(Devices, ReplicasAreSplitCountPerGpu) {
  PluginConfig c;
  c.device_split_count = 3;
  auto gpus = SelectGpus({MakeGpu(0), MakeGpu(1)}, c);
  auto r = BuildReplicas(gpus, c.device_split_count);
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].id, "GPU-0-0");
  EXPECT_EQ(r[5].id, "GPU-1-2");
  EXPECT_EQ(r[5].numa_node, 1);
}

TEST(Devices, PhysicalUuid) {
  EXPECT_EQ(PhysicalUuid("GPU-0fc3-aa-7"), "GPU-0fc3-aa");
  EXPECT_EQ(PhysicalUuid("GPU-0fc3-aa::7"), "GPU-0fc3-aa");
  EXPECT_EQ(PhysicalUuid("GPU-0fc3-aa"), "GPU-0fc3-aa");
}

TEST(Devices, FiltersAndScaling) {
  PluginConfig c;
  c.filter_uuids = {"GPU-1"};
  c.filter_indices = {2};
  c.device_memory_scaling = 2;
  c.device_core_scaling = 1.5;
  auto gpus = SelectGpus({MakeGpu(0), MakeGpu(1), MakeGpu(2)}, c);
  ASSERT_EQ(gpus.size(), 1u);
  EXPECT_EQ(gpus[0].devmem_mib, 163840);
  EXPECT_EQ(gpus[0].devcore, 150);
}

TEST(Devices, SkipsGpuWithoutMemoryUnlessPreconfigured) {
  PluginConfig c;
  GpuInfo g = MakeGpu(0);
  g.memory_mib = 0;
  EXPECT_TRUE(SelectGpus({g}, c).empty());
  c.preconfigured_device_memory_mib = 1000;
  ASSERT_EQ(SelectGpus({g}, c).size(), 1u);
}

TEST(Devices, RegistrationJsonFieldOrderAndOmitEmpty) {
  PluginConfig c;
  GpuInfo a = MakeGpu(0), b = MakeGpu(1);
  b.name = "Tesla V100-PCIE-32GB";
  b.memory_mib = 32768;
  b.healthy = false;
  std::string json = EncodeRegistration(SelectGpus({a, b}, c), c);
  EXPECT_EQ(json,
            R"([{"id":"GPU-0","count":10,"devmem":81920,"devcore":100,"type":"NVIDIA A100-SXM4-80GB",)"
            R"("mode":"hami-core","health":true},)"
            R"({"id":"GPU-1","index":1,"count":10,"devmem":32768,"devcore":100,)"
            R"("type":"NVIDIA-Tesla V100-PCIE-32GB","numa":1,"mode":"hami-core"}])");
}

TEST(Devices, PairScoresJson) {
  EXPECT_EQ(EncodePairScores({{"GPU-a", {{"GPU-b", 200}}}, {"GPU-b", {{"GPU-a", 200}}}}),
            R"([{"uuid":"GPU-a","score":{"GPU-b":200}},{"uuid":"GPU-b","score":{"GPU-a":200}}])");
}

}  // namespace
}  // namespace hami::deviceplugin
