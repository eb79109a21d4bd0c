#include <gtest/gtest.h>

#include <cstring>

#include <climits>
#include <limits>
#include <memory>

#include "vgpu/internal/limiter.h"
#include "vgpu/internal/region.h"
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

// Found by reading the region as another process may leave it (the
// libvgpu_region_fuzzer covers the same ground): every value is defined.
TEST(LimiterMath, RefillSaturates) {
  EXPECT_EQ(RefilledTokens(0, 1000 * 1000, 1'000'000'000, 50'000'000), 50);  // capped at 50 ms
  EXPECT_EQ(RefilledTokens(-100, 1000 * 1000, 10'000'000, 50'000'000), -90);
  EXPECT_EQ(RefilledTokens(500, 1000, 1, 50'000'000), 500);  // above the bucket: kept
  EXPECT_EQ(RefilledTokens(INT64_MIN, UINT64_MAX, UINT64_MAX, UINT64_MAX), -1);  // + INT64_MAX
  EXPECT_EQ(RefilledTokens(INT64_MAX - 1, UINT64_MAX, UINT64_MAX, UINT64_MAX), INT64_MAX);
  EXPECT_EQ(RefilledTokens(0, 1, 0, 0), 0);
}

TEST(LimiterMath, DebtSleepIsBounded) {
  EXPECT_EQ(DebtSleepNs(5, 1000), 0u);
  EXPECT_EQ(DebtSleepNs(-5, 0), 0u);
  EXPECT_EQ(DebtSleepNs(INT64_MIN, 1), 5'000'000u);
  EXPECT_EQ(DebtSleepNs(-1, UINT64_MAX), 50'000u);
  EXPECT_EQ(DebtSleepNs(-1, 1'000'000), 1'000'000u);  // 1 token at 1000/s: 1 ms
}

TEST(LimiterMath, NextRateStaysInRange) {
  EXPECT_LE(NextRate(UINT64_MAX, 1e300, 1e-300, 100, true), uint64_t(1e18));
  EXPECT_EQ(NextRate(0, 1, std::numeric_limits<double>::quiet_NaN(), 30, true), 1000u);  // NaN: the floor, 1 token/s
  EXPECT_EQ(NextRate(5000, 1e-9, 1e300, 30, true), 1000u);  // floor of 1 token/s
}

bool OddPidsRun(int32_t pid, uint64_t) { return pid > 0 && pid % 2 == 1; }

TEST(Region, AttachSweepClaimOverAnyContent) {
  auto region = std::make_unique<hami_vgpu_region>();
  hami_vgpu_region* r = region.get();
  std::memset(r, 0, sizeof(*r));
  Config cfg{};
  cfg.num_devices = 1;
  cfg.devices[0].memory_limit_bytes = 1 << 30;
  cfg.from_file = true;
  PrepareRegion(r, cfg);
  EXPECT_EQ(r->v1.initialized_flag, HAMI_VGPU_MAGIC);
  EXPECT_EQ(r->ext.magic, HAMI_VGPU_EXT_MAGIC);
  EXPECT_EQ(r->v1.limit[0], 1u << 30);
  EXPECT_EQ(ClaimSlotIn(r, 11, 1, false, OddPidsRun), 0);
  EXPECT_EQ(ClaimSlotIn(r, 12, 1, false, OddPidsRun), 1);
  r->v1.procs[1].used[0].total = 4096;
  EXPECT_EQ(ContainerUsageIn(r, 0), 4096u);
  EXPECT_EQ(ContainerUsageIn(r, -1), 0u);
  EXPECT_EQ(ContainerUsageIn(r, HAMI_VGPU_MAX_DEVICES), 0u);
  // A reclaimer pid of INT32_MIN (negating it was undefined) and a huge
  // high-water mark: the dead slots are reclaimed, the bound is respected.
  r->v1.procs[2].pid = INT32_MIN;
  r->v1.procs[3].pid = -11;  // being reclaimed by a live process: left alone
  r->ext.slot_hwm = INT32_MAX;
  EXPECT_EQ(SlotBound(r), HAMI_VGPU_MAX_PROCS);
  EXPECT_EQ(SweepDeadSlotsIn(r, 99, OddPidsRun), 2);  // pid 12 and INT32_MIN
  EXPECT_EQ(r->v1.procs[1].pid, 0);
  EXPECT_EQ(r->v1.procs[1].used[0].total, 0u);
  EXPECT_EQ(r->v1.procs[2].pid, 0);
  EXPECT_EQ(r->v1.procs[3].pid, -11);
  EXPECT_EQ(ClaimSlotIn(r, 99, 1, true, OddPidsRun), 1);
  EXPECT_EQ(r->v1.procs[1].hostpid, 99);
  r->ext.slot_hwm = -7;
  EXPECT_EQ(SlotBound(r), 0);
  EXPECT_EQ(ContainerUsageIn(r, 0), 0u);
}

}  // namespace
}  // namespace hami::vgpu
