#include "monitor/feedback.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "monitor/region.h"
#include "monitor/testing/region_builder.h"
#include "monitor/testing/temp_dir.h"

namespace hami::monitor {
namespace {

FeedbackEntry E(std::vector<std::string> uuids, int32_t priority, int32_t rk) {
  return FeedbackEntry{std::move(uuids), priority, rk, 0};
}

TEST(ComputeFeedbackTest, AloneRunsUnthrottled) {
  std::vector<FeedbackEntry> e{E({"A"}, 1, 2)};
  ComputeFeedback(&e);
  EXPECT_EQ(e[0].recent_kernel, 1);
  EXPECT_EQ(e[0].utilization_switch, 0);
  ComputeFeedback(&e);
  EXPECT_EQ(e[0].recent_kernel, 0);
  EXPECT_EQ(e[0].utilization_switch, 0);
}

TEST(ComputeFeedbackTest, HighPriorityBlocksLowOnSharedDeviceOnly) {
  std::vector<FeedbackEntry> e{E({"A"}, 0, 2), E({"A"}, 1, 2), E({"B"}, 1, 2)};
  ComputeFeedback(&e);
  EXPECT_EQ(e[0].recent_kernel, 1);
  EXPECT_EQ(e[0].utilization_switch, 0);
  EXPECT_EQ(e[1].recent_kernel, -1);  // blocked
  EXPECT_EQ(e[1].utilization_switch, 1);
  EXPECT_EQ(e[2].recent_kernel, 1);   // other device: untouched
  EXPECT_EQ(e[2].utilization_switch, 0);
  // High priority stops launching: next tick it is no longer active and the
  // low-priority container is released.
  ComputeFeedback(&e);
  EXPECT_EQ(e[0].recent_kernel, 0);
  EXPECT_EQ(e[1].recent_kernel, 0);
  EXPECT_EQ(e[1].utilization_switch, 0);
}

TEST(ComputeFeedbackTest, SamePriorityContentionSwitchesThrottlingOn) {
  std::vector<FeedbackEntry> e{E({"A"}, 1, 2), E({"A", "B"}, 1, 2), E({"B"}, 1, 0)};
  ComputeFeedback(&e);
  EXPECT_EQ(e[0].utilization_switch, 1);
  EXPECT_EQ(e[1].utilization_switch, 1);
  EXPECT_EQ(e[2].utilization_switch, 0);  // only one active on B
  EXPECT_EQ(e[0].recent_kernel, 1);
  EXPECT_EQ(e[2].recent_kernel, 0);
}

TEST(ComputeFeedbackTest, NegativePriorityIgnoredAndDuplicateUuidsCountOnce) {
  std::vector<FeedbackEntry> e{E({"A"}, -1, 2), E({"A", "A"}, 0, 2), E({"A"}, 0, 0)};
  ComputeFeedback(&e);
  EXPECT_EQ(e[1].utilization_switch, 0);  // counted once on A at priority 0
  EXPECT_EQ(e[2].recent_kernel, 0);
  EXPECT_EQ(e[0].recent_kernel, 1);  // priority -1 is never blocked by index < -1
}

class FeedbackFileTest : public ::testing::Test {
 protected:
  std::string Make(const std::string& name, int32_t priority, int32_t rk, int version = 1) {
    testing::RegionSpec s;
    s.version = version;
    s.uuids = {"GPU-shared"};
    s.priority = priority;
    s.recent_kernel = rk;
    std::string path = dir_.path() + "/" + name + ".cache";
    EXPECT_TRUE(testing::WriteFile(path, testing::BuildRegion(s)));
    return path;
  }
  RegionSnapshot Read(const std::string& path) {
    RegionError error;
    auto r = ReadRegionFile(path, &error);
    EXPECT_TRUE(r) << error.message;
    return r.value_or(RegionSnapshot{});
  }
  testing::TempDir dir_;
};

TEST_F(FeedbackFileTest, RegionFieldsReadAndWrite) {
  std::string path = Make("a", 1, 2);
  auto fields = RegionFields::Open(path);
  ASSERT_TRUE(fields.ok()) << fields.status().ToString();
  auto v = (*fields)->Load();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->recent_kernel, 2);
  EXPECT_EQ(v->priority, 1);
  auto stored = (*fields)->CompareExchangeRecentKernel(5, 1);
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(*stored);  // expected value did not match
  stored = (*fields)->CompareExchangeRecentKernel(2, -1);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(*stored);
  ASSERT_TRUE((*fields)->StoreUtilizationSwitch(1).ok());
  auto snap = Read(path);
  EXPECT_EQ(snap.recent_kernel, -1);
  EXPECT_EQ(snap.utilization_switch, 1);
}

TEST_F(FeedbackFileTest, RegionFieldsV0) {
  std::string path = Make("v0", 3, 2, 0);
  auto fields = RegionFields::Open(path);
  ASSERT_TRUE(fields.ok()) << fields.status().ToString();
  auto v = (*fields)->Load();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->priority, 3);
  ASSERT_TRUE((*fields)->StoreUtilizationSwitch(1).ok());
  EXPECT_EQ(Read(path).utilization_switch, 1);
}

TEST_F(FeedbackFileTest, TruncationUnderMappingIsAnErrorNotACrash) {
  std::string path = Make("t", 1, 2);
  auto fields = RegionFields::Open(path);
  ASSERT_TRUE(fields.ok());
  ASSERT_EQ(truncate(path.c_str(), 4096), 0);
  EXPECT_FALSE((*fields)->Load().ok());
  EXPECT_FALSE((*fields)->StoreUtilizationSwitch(1).ok());
  EXPECT_FALSE((*fields)->CompareExchangeRecentKernel(2, 1).ok());
  // And a truncated file does not open.
  EXPECT_FALSE(RegionFields::Open(path).ok());
}

// A fault must leave nothing behind: the same mapping, once the file is long
// again, reads and writes as before. Under ThreadSanitizer the guarded atomics
// once left the sanitizer's lock for the address held and the next access
// blocked forever; the accesses run on a thread so that this fails, not hangs.
TEST_F(FeedbackFileTest, AccessAfterAFaultDoesNotBlock) {
  std::string path = Make("f", 1, 2);
  struct stat st{};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  auto fields = RegionFields::Open(path);
  ASSERT_TRUE(fields.ok());
  RegionFields* f = fields->get();
  std::promise<bool> done;
  std::future<bool> result = done.get_future();
  std::thread worker([&path, f, size = st.st_size, &done] {
    bool ok = true;
    for (int round = 0; round < 3; ++round) {
      ok = ok && truncate(path.c_str(), 4096) == 0;
      ok = ok && !f->StoreUtilizationSwitch(1).ok() && !f->Load().ok() &&
           !f->CompareExchangeRecentKernel(0, 1).ok();
      ok = ok && truncate(path.c_str(), size) == 0;  // the tail comes back as zeros
      ok = ok && f->StoreUtilizationSwitch(1).ok();
      auto stored = f->CompareExchangeRecentKernel(0, 2);
      ok = ok && stored.ok() && *stored;
      auto v = f->Load();
      ok = ok && v.ok() && v->utilization_switch == 1 && v->recent_kernel == 2;
    }
    done.set_value(ok);
  });
  if (result.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    worker.detach();  // blocked for good: report it and let the process end
    FAIL() << "an access after a faulted one blocked";
  }
  worker.join();
  EXPECT_TRUE(result.get());
}

TEST_F(FeedbackFileTest, LoopBlocksAndReleasesLowPriority) {
  std::string high = Make("high", 0, 2);
  std::string low = Make("low", 1, 2);
  FeedbackLoop loop(dir_.path() + "/pause.lock");
  std::vector<FeedbackTarget> targets{{high, {"GPU-shared"}}, {low, {"GPU-shared"}}};
  EXPECT_EQ(loop.Tick(targets), 2);
  EXPECT_EQ(Read(low).recent_kernel, -1);
  EXPECT_EQ(Read(low).utilization_switch, 1);
  EXPECT_EQ(Read(high).recent_kernel, 1);
  // The high-priority task keeps launching (libvgpu sets 2 per launch).
  auto hf = RegionFields::Open(high);
  ASSERT_TRUE(hf.ok());
  ASSERT_TRUE((*hf)->CompareExchangeRecentKernel(1, 2).ok());
  loop.Tick(targets);
  EXPECT_EQ(Read(low).recent_kernel, -1);
  // It stops: after one more tick it is inactive and the low one is released.
  loop.Tick(targets);
  EXPECT_EQ(Read(high).recent_kernel, 0);
  EXPECT_EQ(Read(low).recent_kernel, 0);
  EXPECT_EQ(Read(low).utilization_switch, 0);
}

TEST_F(FeedbackFileTest, PauseFileStopsTheLoop) {
  std::string high = Make("high", 0, 2);
  std::string pause = dir_.path() + "/pause.lock";
  std::ofstream(pause) << "";
  FeedbackLoop loop(pause);
  EXPECT_TRUE(loop.paused());
  EXPECT_EQ(loop.Tick({{high, {"GPU-shared"}}}), 0);
  EXPECT_EQ(Read(high).recent_kernel, 2);
  unlink(pause.c_str());
  EXPECT_EQ(loop.Tick({{high, {"GPU-shared"}}}), 1);
  EXPECT_EQ(Read(high).recent_kernel, 1);
}

TEST_F(FeedbackFileTest, ReplacedFileIsRemapped) {
  std::string path = Make("r", 1, 2);
  FeedbackLoop loop("");
  EXPECT_EQ(loop.Tick({{path, {"GPU-shared"}}}), 1);
  unlink(path.c_str());
  Make("r", 1, 2);  // container restarted: new file, new inode
  EXPECT_EQ(loop.Tick({{path, {"GPU-shared"}}}), 1);
  EXPECT_EQ(Read(path).recent_kernel, 1);
}

TEST_F(FeedbackFileTest, UnreadableRegionsAreSkipped) {
  std::string bad = dir_.path() + "/bad.cache";
  std::ofstream(bad) << "garbage";
  FeedbackLoop loop("");
  EXPECT_EQ(loop.Tick({{bad, {"X"}}, {dir_.path() + "/missing.cache", {"X"}}}), 0);
}

}  // namespace
}  // namespace hami::monitor
