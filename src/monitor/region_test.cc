#include "monitor/region.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "monitor/internal/layout.h"
#include "monitor/testing/region_builder.h"
#include "monitor/testing/temp_dir.h"

#if __has_include("vgpu/shared_region.h")
#include "vgpu/shared_region.h"
namespace L = hami::monitor::layout;
// Our offsets must match the vgpu helper's C header.
static_assert(L::V1::kSize == HAMI_VGPU_V1_SIZE);
static_assert(L::V1::kNum == offsetof(hami_vgpu_region_v1, device_num));
static_assert(L::V1::kUuids == offsetof(hami_vgpu_region_v1, uuids));
static_assert(L::V1::kLimit == offsetof(hami_vgpu_region_v1, limit));
static_assert(L::V1::kSmLimit == offsetof(hami_vgpu_region_v1, sm_limit));
static_assert(L::V1::kProcs == offsetof(hami_vgpu_region_v1, procs));
static_assert(L::V1::kSlotSize == sizeof(hami_vgpu_proc_slot));
static_assert(L::V1::kSlotStatus == offsetof(hami_vgpu_proc_slot, status));
static_assert(L::V1::kSlotDeviceUtil == offsetof(hami_vgpu_proc_slot, device_util));
static_assert(L::V1::kProcNum == offsetof(hami_vgpu_region_v1, proc_num));
static_assert(L::V1::kRecentKernel == offsetof(hami_vgpu_region_v1, recent_kernel));
static_assert(L::V1::kUtilizationSwitch == offsetof(hami_vgpu_region_v1, utilization_switch));
static_assert(L::V1::kPriority == offsetof(hami_vgpu_region_v1, priority));
static_assert(L::V1::kLastKernelTime == offsetof(hami_vgpu_region_v1, last_kernel_time));
static_assert(L::Ext::kOffset == HAMI_VGPU_EXT_OFFSET);
static_assert(L::Ext::kMagic == HAMI_VGPU_EXT_MAGIC);
static_assert(L::Ext::kVersion == HAMI_VGPU_EXT_VERSION);
static_assert(L::Ext::kLimiters == offsetof(hami_vgpu_ext, limiter));
static_assert(L::Ext::kLimiterSize == sizeof(hami_vgpu_limiter));
static_assert(L::Ext::kLimiterUtilPercent == offsetof(hami_vgpu_limiter, util_percent));
static_assert(L::Ext::kLimiterThrottledNs == offsetof(hami_vgpu_limiter, throttled_ns));
static_assert(L::Ext::kSlots == offsetof(hami_vgpu_ext, slots));
static_assert(L::Ext::kSlotSize == sizeof(hami_vgpu_slot_ext));
static_assert(L::Ext::kSlotOomRefusals == offsetof(hami_vgpu_slot_ext, oom_refusals));
static_assert(L::Ext::kSize == sizeof(hami_vgpu_ext));
#endif

namespace hami::monitor {
namespace {

using testing::BuildRegion;
using testing::ProcSpec;
using testing::RegionSpec;

constexpr uint64_t kMiB = 1 << 20;
const char* kUuid0 = "GPU-11111111-2222-3333-4444-555555555555";
const char* kUuid1 = "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

RegionSpec TwoDeviceSpec(int version) {
  RegionSpec s;
  s.version = version;
  s.uuids = {kUuid0, kUuid1};
  s.limits = {1024 * kMiB, 2048 * kMiB};
  s.sm_limits = {30, 0};
  s.procs = {ProcSpec{10, 1010, 1, {100 * kMiB, 0}, {20, 0}},
             ProcSpec{11, 1011, 0, {999 * kMiB, 0}, {50, 0}},  // exited: ignored
             ProcSpec{12, 0, 1, {50 * kMiB, 8 * kMiB}, {5, 7}}};
  s.priority = 1;
  s.recent_kernel = 2;
  s.utilization_switch = 1;
  s.last_kernel_time = 1700000000;
  return s;
}

TEST(RegionTest, ParsesV1) {
  RegionError error;
  auto bytes = BuildRegion(TwoDeviceSpec(1));
  auto r = ParseRegion(bytes, &error);
  ASSERT_TRUE(r) << error.message;
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(r->minor_version, 2);
  EXPECT_FALSE(r->has_extension);
  ASSERT_EQ(r->devices.size(), 2u);
  EXPECT_EQ(r->devices[0].uuid, kUuid0);
  EXPECT_EQ(r->devices[0].limit_bytes, 1024 * kMiB);
  EXPECT_EQ(r->devices[0].sm_limit_percent, 30u);
  EXPECT_EQ(r->devices[0].used_bytes, 150 * kMiB);
  EXPECT_EQ(r->devices[0].context_bytes + r->devices[0].module_bytes + r->devices[0].buffer_bytes,
            150 * kMiB);
  EXPECT_EQ(r->devices[0].sm_util_percent, 25u);
  EXPECT_EQ(r->devices[1].used_bytes, 8 * kMiB);
  EXPECT_EQ(r->live_processes, 2);
  EXPECT_EQ(r->host_pids, std::vector<int32_t>{1010});
  EXPECT_EQ(r->priority, 1);
  EXPECT_EQ(r->recent_kernel, 2);
  EXPECT_EQ(r->utilization_switch, 1);
  EXPECT_EQ(r->last_kernel_time, 1700000000);
  EXPECT_FALSE(r->oom_refusals);
}

TEST(RegionTest, ParsesV0) {
  RegionError error;
  auto bytes = BuildRegion(TwoDeviceSpec(0));
  ASSERT_EQ(bytes.size(), layout::V0::kSize);
  auto r = ParseRegion(bytes, &error);
  ASSERT_TRUE(r) << error.message;
  EXPECT_EQ(r->version, 0);
  ASSERT_EQ(r->devices.size(), 2u);
  EXPECT_EQ(r->devices[1].uuid, kUuid1);
  EXPECT_EQ(r->devices[0].used_bytes, 150 * kMiB);
  EXPECT_EQ(r->devices[0].sm_util_percent, 25u);
  EXPECT_EQ(r->recent_kernel, 2);
  EXPECT_EQ(r->last_kernel_time, 0);
}

TEST(RegionTest, ParsesExtension) {
  RegionSpec s = TwoDeviceSpec(1);
  s.extension = true;
  s.throttled_ns = {2500000000ull, 0};
  s.limiter_util = {29, 3};
  s.oom_refusals = 4;
  RegionError error;
  auto r = ParseRegion(BuildRegion(s), &error);
  ASSERT_TRUE(r) << error.message;
  EXPECT_TRUE(r->has_extension);
  EXPECT_EQ(r->devices[0].throttled_ns.value_or(0), 2500000000ull);
  EXPECT_EQ(r->devices[0].limiter_util_percent.value_or(0), 29u);
  EXPECT_EQ(r->devices[1].limiter_util_percent.value_or(0), 3u);
  EXPECT_EQ(r->oom_refusals.value_or(0), 4u);
}

TEST(RegionTest, ExtensionWithWrongMagicIgnored) {
  RegionSpec s = TwoDeviceSpec(1);
  s.extension = true;
  auto bytes = BuildRegion(s);
  bytes[layout::Ext::kOffset] ^= 0xff;
  RegionError error;
  auto r = ParseRegion(bytes, &error);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_extension);
}

SkipReason ReasonOf(const std::vector<uint8_t>& bytes) {
  RegionError error;
  auto r = ParseRegion(bytes, &error);
  EXPECT_FALSE(r);
  EXPECT_FALSE(error.message.empty());
  return error.reason;
}

TEST(RegionTest, RejectsBadRegions) {
  auto good = BuildRegion(TwoDeviceSpec(1));
  EXPECT_EQ(ReasonOf({}), SkipReason::kTruncated);
  EXPECT_EQ(ReasonOf(std::vector<uint8_t>(good.begin(), good.begin() + 4096)),
            SkipReason::kTruncated);
  auto zero = good;
  testing::Put<int32_t>(&zero, 0, 0);
  EXPECT_EQ(ReasonOf(zero), SkipReason::kNotInitialized);
  auto magic = good;
  testing::Put<int32_t>(&magic, 0, 12345);
  EXPECT_EQ(ReasonOf(magic), SkipReason::kBadMagic);
  RegionSpec foreign = TwoDeviceSpec(1);
  foreign.major = 2;
  EXPECT_EQ(ReasonOf(BuildRegion(foreign)), SkipReason::kForeignVersion);
  auto num = good;
  testing::Put<uint64_t>(&num, layout::V1::kNum, 17);
  EXPECT_EQ(ReasonOf(num), SkipReason::kCorrupted);
  auto uuid = good;
  std::memset(uuid.data() + layout::V1::kUuids, 'A', layout::kUuidLen);  // no terminator
  EXPECT_EQ(ReasonOf(uuid), SkipReason::kCorrupted);
  auto binary = good;
  binary[layout::V1::kUuids + 3] = 0x01;
  EXPECT_EQ(ReasonOf(binary), SkipReason::kCorrupted);
}

TEST(RegionTest, TruncatedBetweenV0AndV1ReadsAsV0) {
  // HAMi's rule: size >= v0 and < v1 is a v0 region. A truncated v1 file thus
  // parses as v0 garbage; it must still not crash and not read out of bounds.
  auto good = BuildRegion(TwoDeviceSpec(1));
  std::vector<uint8_t> cut(good.begin(), good.begin() + layout::V0::kSize + 10);
  RegionError error;
  (void)ParseRegion(cut, &error);
}

TEST(RegionTest, ClampsProcNumAndIgnoresAbsurdSlots) {
  auto bytes = BuildRegion(TwoDeviceSpec(1));
  testing::Put<int32_t>(&bytes, layout::V1::kProcNum, -5);
  RegionError error;
  auto r = ParseRegion(bytes, &error);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->live_processes, 0);
  testing::Put<int32_t>(&bytes, layout::V1::kProcNum, 1 << 30);
  r = ParseRegion(bytes, &error);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->live_processes, 2);
  // A slot claiming exabytes is torn or corrupted and left out.
  testing::Put<uint64_t>(&bytes, layout::V1::kProcs + layout::V1::kSlotUsed + layout::kMemTotal,
                         uint64_t{1} << 62);
  r = ParseRegion(bytes, &error);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->live_processes, 1);
  EXPECT_EQ(r->devices[0].used_bytes, 50 * kMiB);
}

TEST(RegionTest, RandomCorruptionNeverCrashes) {
  auto good = BuildRegion(TwoDeviceSpec(1));
  std::mt19937 rng(42);
  std::uniform_int_distribution<size_t> pos(0, layout::V1::kProcs + 4096);
  for (int round = 0; round < 300; ++round) {
    auto bytes = good;
    for (int k = 0; k < 16; ++k) bytes[pos(rng)] = static_cast<uint8_t>(rng());
    testing::Put<int32_t>(&bytes, layout::V1::kProcNum, static_cast<int32_t>(rng()));
    size_t len = (round % 3 == 0) ? rng() % bytes.size() : bytes.size();
    RegionError error;
    auto r = ParseRegion(std::span<const uint8_t>(bytes.data(), len), &error);
    if (r) {
      EXPECT_LE(r->devices.size(), 16u);
    } else {
      EXPECT_NE(error.reason, SkipReason::kNone);
    }
  }
}

TEST(RegionFileTest, ReadsFileAndReportsMissing) {
  testing::TempDir dir;
  std::string path = dir.path() + "/x.cache";
  RegionError error;
  EXPECT_FALSE(ReadRegionFile(path, &error));
  EXPECT_EQ(error.reason, SkipReason::kIoError);
  ASSERT_TRUE(testing::WriteFile(path, BuildRegion(TwoDeviceSpec(1))));
  auto r = ReadRegionFile(path, &error);
  ASSERT_TRUE(r) << error.message;
  EXPECT_EQ(r->devices.size(), 2u);
  ASSERT_EQ(truncate(path.c_str(), 100), 0);
  EXPECT_FALSE(ReadRegionFile(path, &error));
  EXPECT_EQ(error.reason, SkipReason::kTruncated);
}

TEST(RegionFileTest, SurvivesConcurrentWriter) {
  testing::TempDir dir;
  std::string path = dir.path() + "/x.cache";
  auto good = BuildRegion(TwoDeviceSpec(1));
  ASSERT_TRUE(testing::WriteFile(path, good));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    int fd = open(path.c_str(), O_WRONLY);
    std::mt19937 rng(7);
    uint64_t n = 0;
    while (!stop.load()) {
      // Flip the device count and a uuid byte, rewrite usage, truncate/extend.
      uint64_t num = (n++ % 3);
      (void)!pwrite(fd, &num, sizeof(num), layout::V1::kNum);
      uint64_t used = rng();
      (void)!pwrite(fd, &used, sizeof(used),
                    layout::V1::kProcs + layout::V1::kSlotUsed + layout::kMemTotal);
      if (n % 50 == 0) (void)!ftruncate(fd, static_cast<off_t>(rng() % good.size()));
      if (n % 50 == 25) (void)!pwrite(fd, good.data(), good.size(), 0);
    }
    close(fd);
  });
  int ok = 0, skipped = 0;
  for (int i = 0; i < 200; ++i) {
    RegionError error;
    auto r = ReadRegionFile(path, &error);
    if (r) {
      ++ok;
      EXPECT_LE(r->devices.size(), 2u);
    } else {
      ++skipped;
      EXPECT_NE(error.reason, SkipReason::kNone);
    }
  }
  stop = true;
  writer.join();
  EXPECT_EQ(ok + skipped, 200);
}

}  // namespace
}  // namespace hami::monitor
