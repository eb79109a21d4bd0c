#include "cmd/hami-scheduler/time_lock.h"

#include <gtest/gtest.h>

#include "k8s/internal/fake_apiserver.h"

namespace hami::schedulerd {
namespace {

using namespace std::chrono_literals;

const std::string kKey = "cambricon.com/dsmlu.lock";

TEST(TimeLock, Judge) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  const std::string fresh = "2023-11-14T22:12:20Z";  // 1700000000 - 60 s
  const std::string old = "2023-11-14T22:10:00Z";
  const std::string junk = "soon";
  EXPECT_EQ(JudgeTimeLock(nullptr, now), TimeLockState::kFree);
  EXPECT_EQ(JudgeTimeLock(&fresh, now), TimeLockState::kHeld);
  EXPECT_EQ(JudgeTimeLock(&old, now), TimeLockState::kExpired);
  EXPECT_EQ(JudgeTimeLock(&junk, now), TimeLockState::kInvalid);
}

TEST(TimeLock, TakeHoldReleaseAgainstApiServer) {
  k8s::testing::FakeApiServer api;
  auto client = std::move(k8s::Client::Create(k8s::ClientConfig{.server = api.url()})).value();
  api.Put("/api/v1/nodes", {{"metadata", {{"name", "n1"}}}});
  FakeClock clock;
  ASSERT_TRUE(TakeTimeLock(*client, clock, "n1", kKey).ok());
  EXPECT_EQ(k8s::Annotation(api.Object("/api/v1/nodes", "n1"), kKey), "2023-11-14T22:13:20Z");
  Status again = TakeTimeLock(*client, clock, "n1", kKey);
  EXPECT_EQ(again.code(), StatusCode::kResourceExhausted);
  clock.Advance(121s);
  EXPECT_TRUE(TakeTimeLock(*client, clock, "n1", kKey).ok());  // expired: taken over
  ASSERT_TRUE(ReleaseTimeLock(*client, "n1", kKey).ok());
  EXPECT_EQ(k8s::Annotation(api.Object("/api/v1/nodes", "n1"), kKey), "");
  EXPECT_TRUE(ReleaseTimeLock(*client, "n1", kKey).ok());  // already free
}

}  // namespace
}  // namespace hami::schedulerd
