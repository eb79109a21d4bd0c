#include <gtest/gtest.h>

#include <cstring>

#include "vgpu/internal/limiter.h"
#include "vgpu/internal/runtime.h"
#include "vgpu/shared_region.h"

namespace hami::vgpu {
namespace {

TEST(SharedRegion, HamiV1Offsets) {
  EXPECT_EQ(offsetof(hami_vgpu_region_v1, limit), 1600u);
  EXPECT_EQ(offsetof(hami_vgpu_region_v1, procs), 1856u);
  EXPECT_EQ(sizeof(hami_vgpu_region_v1), 2008952u);
  EXPECT_EQ(offsetof(hami_vgpu_region, ext), 2008960u);
}

TEST(ParseSize, HamiFormats) {
  EXPECT_EQ(ParseSizeBytes("3000m"), 3000ull << 20);
  EXPECT_EQ(ParseSizeBytes("2g"), 2ull << 30);
  EXPECT_EQ(ParseSizeBytes("2G"), 2ull << 30);
  EXPECT_EQ(ParseSizeBytes("10k"), 10240u);
  EXPECT_EQ(ParseSizeBytes("1234"), 1234u);
  EXPECT_EQ(ParseSizeBytes("0m"), 0u);
  EXPECT_EQ(ParseSizeBytes("1gb"), 0u);
  EXPECT_EQ(ParseSizeBytes("abc"), 0u);
  EXPECT_EQ(ParseSizeBytes(""), 0u);
  EXPECT_EQ(ParseSizeBytes(nullptr), 0u);
  EXPECT_EQ(ParseSizeBytes("99999999999999999999999g"), 0u);
}

TEST(LimitsFile, ParsesDevicesAndIgnoresJunk) {
  Config c{};
  const char* text =
      "# comment\nversion=1\nshared_region=/tmp/x.cache\ncore_policy=force\npriority=0\n"
      "device.0.uuid=GPU-aaa\ndevice.0.memory_limit_bytes=1048576\n"
      "device.0.sm_limit_percent=30\ndevice.1.uuid=GPU-bbb\r\n"
      "device.99.uuid=GPU-bad\ndevice.x.uuid=bad\ngarbage line\nunknown=1\n"
      "device.1.memory_limit_bytes=-5\n";
  ASSERT_TRUE(ParseLimitsText(text, &c));
  EXPECT_EQ(c.num_devices, 2);
  EXPECT_STREQ(c.devices[0].uuid, "GPU-aaa");
  EXPECT_EQ(c.devices[0].memory_limit_bytes, 1048576u);
  EXPECT_EQ(c.devices[0].sm_limit_percent, 30u);
  EXPECT_STREQ(c.devices[1].uuid, "GPU-bbb");
  EXPECT_EQ(c.devices[1].memory_limit_bytes, 0u);
  EXPECT_STREQ(c.region_path, "/tmp/x.cache");
  EXPECT_EQ(c.core_policy, kPolicyForce);
  EXPECT_EQ(c.priority, 0);
}

TEST(Controller, ScalesTowardsCap) {
  // 1000 tokens/s produced 60% utilization; cap 30% -> target 500/s.
  uint64_t r = NextRate(1000 * 1000, 1000, 60, 30, true);
  EXPECT_LT(r, 1000u * 1000);
  EXPECT_GT(r, 500u * 1000);
  // Converges: iterate with a linear plant util = rate * 0.06.
  double rate = 1000;
  uint64_t rm = 1000 * 1000;
  for (int i = 0; i < 40; ++i) {
    double util = rate * 0.06;
    rm = NextRate(rm, rate, util, 30, true);
    rate = double(rm) / 1000;
  }
  EXPECT_NEAR(rate * 0.06, 30, 1.0);
}

TEST(Controller, IdleKeepsRateAndNoUnboundedGrowth) {
  EXPECT_EQ(NextRate(5000, 0, 0, 30, false), 5000u);
  uint64_t r = 1000 * 1000;
  for (int i = 0; i < 50; ++i) r = NextRate(r, 100, 1, 30, false);
  EXPECT_LE(r, 1000u * 1000);
}

}  // namespace
}  // namespace hami::vgpu
