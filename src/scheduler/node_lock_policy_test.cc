#include "scheduler/node_lock_policy.h"

#include <gtest/gtest.h>

namespace hami::scheduler {
namespace {

using namespace std::chrono;
const auto kNow = system_clock::time_point(seconds(1700000000));

api::NodeLock Lock(seconds age, std::string ns = "ns", std::string name = "owner") {
  return {kNow - age, std::move(ns), std::move(name)};
}

LockOwnerState Owner(std::string phase, std::string bind_phase = "allocating") {
  LockOwnerState o;
  o.exists = true;
  o.phase = std::move(phase);
  o.bind_phase = std::move(bind_phase);
  o.node_name = "n0";
  o.vgpu_node = "n0";
  return o;
}

LockVerdict Judge(std::optional<api::NodeLock> l, std::optional<LockOwnerState> o, NodeLockPolicy p = {}) {
  return JudgeNodeLock(l, "n0", "ns", "me", o, kNow, p).verdict;
}

TEST(NodeLockPolicy, Verdicts) {
  EXPECT_EQ(Judge(std::nullopt, std::nullopt), LockVerdict::kFree);
  EXPECT_EQ(Judge(Lock(seconds(1), "ns", "me"), std::nullopt), LockVerdict::kOwnedByUs);
  EXPECT_EQ(Judge(Lock(seconds(301)), Owner("Pending")), LockVerdict::kStale);
  EXPECT_EQ(Judge(Lock(seconds(1)), Owner("Pending")), LockVerdict::kHeld);
  EXPECT_EQ(Judge(Lock(seconds(1)), std::nullopt), LockVerdict::kHeld);
  LockOwnerState gone;
  EXPECT_EQ(Judge(Lock(seconds(1)), gone), LockVerdict::kStale);
  EXPECT_EQ(Judge(Lock(seconds(1)), Owner("Running")), LockVerdict::kStale);
  EXPECT_EQ(Judge(Lock(seconds(1)), Owner("Failed")), LockVerdict::kStale);
  EXPECT_EQ(Judge(Lock(seconds(1)), Owner("Pending", "success")), LockVerdict::kStale);
  EXPECT_EQ(Judge(Lock(seconds(1)), Owner("Pending", "failed")), LockVerdict::kStale);
  auto elsewhere = Owner("Pending");
  elsewhere.vgpu_node = "n9";
  EXPECT_EQ(Judge(Lock(seconds(1)), elsewhere), LockVerdict::kStale);
  auto deleting = Owner("Pending");
  deleting.deleting = true;
  EXPECT_EQ(Judge(Lock(seconds(1)), deleting), LockVerdict::kStale);
  // Owner never reached bind-phase: grace then stale.
  EXPECT_EQ(Judge(Lock(seconds(5)), Owner("Pending", "")), LockVerdict::kHeld);
  EXPECT_EQ(Judge(Lock(seconds(31)), Owner("Pending", "")), LockVerdict::kStale);
  // Legacy lock: only expiry frees it.
  EXPECT_EQ(Judge(api::NodeLock{kNow - seconds(5), "", ""}, std::nullopt), LockVerdict::kHeld);
  EXPECT_EQ(Judge(api::NodeLock{kNow - seconds(400), "", ""}, std::nullopt), LockVerdict::kStale);
  NodeLockPolicy short_expiry;
  short_expiry.expiry = seconds(10);
  EXPECT_EQ(Judge(Lock(seconds(11)), Owner("Pending"), short_expiry), LockVerdict::kStale);
}

TEST(NodeLockPolicy, RetryDelayGrowsAndIsBounded) {
  NodeLockPolicy p;
  for (int a = 0; a < 20; ++a) {
    auto d = LockRetryDelay(a, 42, p);
    EXPECT_GE(d.count(), 1);
    EXPECT_LE(d, p.poll_max);
  }
  EXPECT_LE(LockRetryDelay(0, 7, p), p.poll_initial);
  EXPECT_GE(LockRetryDelay(10, 7, p), p.poll_max / 2);
}

}  // namespace
}  // namespace hami::scheduler
