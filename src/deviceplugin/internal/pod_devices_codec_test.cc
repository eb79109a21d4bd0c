#include "deviceplugin/internal/pod_devices_codec.h"

#include <gtest/gtest.h>

namespace hami::deviceplugin::internal {
namespace {

TEST(PodDevicesCodec, RoundTripsTwoContainers) {
  const std::string text = "GPU-a,NVIDIA,3000,0:;GPU-a,NVIDIA,5000,0:;";
  auto d = DecodePodDevices(text);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->size(), 2u);
  EXPECT_EQ((*d)[1][0].used_mem_mib, 5000);
  EXPECT_EQ(EncodePodDevices(*d), text);
}

TEST(PodDevicesCodec, KeepsEmptyEntriesForIndexAlignment) {
  auto d = DecodePodDevices(";GPU-a,NVIDIA,1024,30:GPU-b,NVIDIA,1024,30:;");
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->size(), 2u);
  EXPECT_TRUE((*d)[0].empty());
  EXPECT_EQ((*d)[1].size(), 2u);
  EXPECT_EQ(EncodePodDevices({{}, {}}), ";;");
}

TEST(PodDevicesCodec, RejectsMalformed) {
  EXPECT_FALSE(DecodePodDevices("GPU-a,NVIDIA,3000:;").ok());
  EXPECT_FALSE(DecodePodDevices("GPU-a,NVIDIA,abc,0:;").ok());
  EXPECT_FALSE(DecodePodDevices("GPU-a,NVIDIA,99999999999,0:;").ok());
  EXPECT_FALSE(DecodePodDevices("GPU-a,NVIDIA,-1,0:;").ok());
  EXPECT_FALSE(DecodePodDevices(",NVIDIA,1,0:;").ok());
}

}  // namespace
}  // namespace hami::deviceplugin::internal
