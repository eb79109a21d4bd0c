#include "api/node_lock.h"

#include <gtest/gtest.h>

namespace hami::api {
namespace {

using std::chrono::seconds;
using std::chrono::sys_days;
using namespace std::chrono_literals;

TEST(NodeLock, ReferenceExampleRoundTrips) {
  const std::string text = "2025-10-20T03:07:02Z,jingyu-test,gputest-6c77bb77f8-gvtzc";
  auto lock = DecodeNodeLock(text);
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_EQ(lock->pod_namespace, "jingyu-test");
  EXPECT_EQ(lock->pod_name, "gputest-6c77bb77f8-gvtzc");
  EXPECT_FALSE(lock->legacy());
  EXPECT_EQ(lock->time, sys_days(std::chrono::year(2025) / 10 / 20) + 3h + 7min + 2s);
  EXPECT_EQ(EncodeNodeLock(*lock), text);
}

TEST(NodeLock, LegacyAndOffsets) {
  auto legacy = DecodeNodeLock("2025-10-20T11:07:02+08:00");
  ASSERT_TRUE(legacy.ok());
  EXPECT_TRUE(legacy->legacy());
  EXPECT_EQ(legacy->time, sys_days(std::chrono::year(2025) / 10 / 20) + 3h + 7min + 2s);
  EXPECT_EQ(EncodeNodeLock(*legacy), "2025-10-20T11:07:02+08:00");
  auto frac = DecodeNodeLock("2025-10-20T03:07:02.5-01:30,ns,p");
  ASSERT_TRUE(frac.ok());
  EXPECT_EQ(EncodeNodeLock(*frac), "2025-10-20T03:07:02-01:30,ns,p");
}

TEST(NodeLock, Errors) {
  for (const std::string text :
       {"", "2025-10-20T03:07:02Z,ns", "2025-10-20T03:07:02Z,ns,p,x", "2025-10-20 03:07:02Z",
        "2025-13-20T03:07:02Z", "2025-02-30T03:07:02Z", "2025-10-20T03:07:02", "yesterday,ns,p",
        "2025-10-20T03:07:02Z,,p", "2025-10-20T24:00:00Z", "2025-10-20T03:07:02+8:00", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"}) {
    EXPECT_FALSE(DecodeNodeLock(text).ok()) << text;
  }
  auto r = DecodeNodeLock("2025-10-20T03:07:02Z,ns");
  EXPECT_EQ(r.status().message(),
            "node lock: '2025-10-20T03:07:02Z,ns' has 2 comma-separated parts, want 3 "
            "(<RFC3339>,<namespace>,<pod>) or 1 (legacy <RFC3339>)");
}

TEST(Handshake, ReferenceExample) {
  Handshake h = DecodeHandshake("Requesting_2024-01-10 04:06:57");
  EXPECT_TRUE(h.requesting);
  ASSERT_TRUE(h.requested_at.has_value());
  EXPECT_EQ(*h.requested_at, sys_days(std::chrono::year(2024) / 1 / 10) + 4h + 6min + 57s);
  EXPECT_EQ(EncodeHandshakeRequesting(*h.requested_at), "Requesting_2024-01-10 04:06:57");
}

TEST(Handshake, OtherValuesNeverFail) {
  EXPECT_FALSE(DecodeHandshake("Reported 2024-01-10 04:06:57").requesting);
  Handshake garbage = DecodeHandshake("Requesting_soon");
  EXPECT_TRUE(garbage.requesting);
  EXPECT_FALSE(garbage.requested_at.has_value());
  EXPECT_EQ(garbage.raw, "Requesting_soon");
  EXPECT_FALSE(DecodeHandshake("").requesting);
}

TEST(BindPhaseAndTimes, RoundTrip) {
  for (BindPhase p : {BindPhase::kAllocating, BindPhase::kSuccess, BindPhase::kFailed}) {
    EXPECT_EQ(*DecodeBindPhase(EncodeBindPhase(p)), p);
  }
  EXPECT_FALSE(DecodeBindPhase("Success").ok());
  EXPECT_FALSE(DecodeBindPhase("").ok());
  EXPECT_EQ(*DecodeUnixSeconds("1700000000"), 1700000000);
  EXPECT_EQ(EncodeUnixSeconds(1700000000), "1700000000");
  for (const std::string text : {"", "-1", "1.5", "12a", " 1", "99999999999999999999"}) {
    EXPECT_FALSE(DecodeUnixSeconds(text).ok()) << text;
  }
}

}  // namespace
}  // namespace hami::api
