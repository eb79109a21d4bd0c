#include <gtest/gtest.h>
#include <stdlib.h>

#include "deviceplugin/gpu_discovery.h"

namespace hami::deviceplugin {
namespace {

TEST(NvmlDlopen, ListsGpusThroughTheLibrary) {
  auto nvml = LoadNvml(HAMI_NVML_STUB_PATH);
  ASSERT_TRUE(nvml.ok()) << nvml.status().ToString();
  EXPECT_EQ((*nvml)->DriverVersion(), "550.54.15");
  auto gpus = (*nvml)->ListGpus();
  ASSERT_TRUE(gpus.ok());
  ASSERT_EQ(gpus->size(), 2u);
  EXPECT_EQ((*gpus)[0].uuid, "GPU-stub-0");
  EXPECT_EQ((*gpus)[0].memory_mib, 81920);
  EXPECT_EQ((*gpus)[1].index, 1);
  EXPECT_EQ((*gpus)[1].name, "Tesla V100-PCIE-32GB");
  EXPECT_EQ((*gpus)[1].numa_node, 1);
  EXPECT_EQ((*gpus)[1].pci_bus_id, "00000000:87:00.0");
  EXPECT_TRUE((*gpus)[1].healthy);
  // No NVLink/topology symbols in the stub: NUMA-based score.
  auto score = (*nvml)->PairScore((*gpus)[0], (*gpus)[1]);
  ASSERT_TRUE(score.ok());
  EXPECT_EQ(*score, 10);

  setenv("HAMI_NVML_STUB_FAIL_GPU1", "1", 1);
  gpus = (*nvml)->ListGpus();
  unsetenv("HAMI_NVML_STUB_FAIL_GPU1");
  ASSERT_TRUE(gpus.ok());
  EXPECT_TRUE((*gpus)[0].healthy);
  EXPECT_FALSE((*gpus)[1].healthy);
}

TEST(NvmlDlopen, MissingLibraryIsAClearError) {
  auto nvml = LoadNvml("/nonexistent/libnvidia-ml.so.1");
  ASSERT_FALSE(nvml.ok());
  EXPECT_NE(nvml.status().message().find("/nonexistent/libnvidia-ml.so.1"), std::string::npos);
}

}  // namespace
}  // namespace hami::deviceplugin
