#include "cmd/hami-scheduler/lock_judge.h"

#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "k8s/internal/fake_apiserver.h"

namespace hami::schedulerd {
namespace {

using k8s::Json;
using namespace std::chrono_literals;

class LockJudgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = std::move(k8s::Client::Create(k8s::ClientConfig{.server = api_.url()})).value();
    api_.Put("/api/v1/nodes", {{"metadata", {{"name", "n1"}}}});
    Owner("p2", Json::object(), Json::object());
    k8s::NodeLockOptions o;
    o.retry.initial_backoff = std::chrono::milliseconds(1);
    o.judge = JudgeWithPolicy(scheduler::NodeLockPolicy{}, &clock_);
    locker_ = std::make_unique<k8s::NodeLocker>(client_.get(), &clock_, o);
  }
  void Owner(const std::string& name, Json annotations, Json spec, std::string phase = "Pending") {
    api_.Put("/api/v1/pods", {{"metadata", {{"name", name}, {"namespace", "ns"}, {"annotations", annotations}}},
                              {"spec", spec},
                              {"status", {{"phase", phase}}}});
  }
  std::string LockValue() {
    return k8s::Annotation(api_.Object("/api/v1/nodes", "n1"), k8s::kNodeLockAnnotation);
  }

  k8s::testing::FakeApiServer api_;
  std::unique_ptr<k8s::Client> client_;
  FakeClock clock_{std::chrono::system_clock::now()};
  std::unique_ptr<k8s::NodeLocker> locker_;
};

const Json kAllocatingOnN1 = {{"hami.io/vgpu-node", "n1"}, {"hami.io/bind-phase", "allocating"}};

TEST_F(LockJudgeTest, LiveOwnerOnItsWayToTheNodeHoldsTheLock) {
  Owner("p1", kAllocatingOnN1, Json::object());
  ASSERT_TRUE(locker_->Lock("n1", "ns", "p1").ok());
  EXPECT_EQ(locker_->Lock("n1", "ns", "p2").code(), StatusCode::kResourceExhausted);
  Owner("p1", kAllocatingOnN1, {{"nodeName", "n1"}});  // bound, plugin not done yet
  EXPECT_EQ(locker_->Lock("n1", "ns", "p2").code(), StatusCode::kResourceExhausted);
}

TEST_F(LockJudgeTest, OwnerElsewhereSettledOrFinishedIsTakenOver) {
  const std::vector<std::tuple<Json, Json, std::string>> stale = {
      {{{"hami.io/vgpu-node", "n2"}}, Json::object(), "Pending"},   // re-placed after a restart
      {Json::object(), {{"nodeName", "n2"}}, "Pending"},            // bound elsewhere
      {{{"hami.io/vgpu-node", "n1"}, {"hami.io/bind-phase", "success"}}, {{"nodeName", "n1"}}, "Pending"},
      {{{"hami.io/vgpu-node", "n1"}, {"hami.io/bind-phase", "failed"}}, {{"nodeName", "n1"}}, "Pending"},
      {kAllocatingOnN1, {{"nodeName", "n1"}}, "Running"},
      {kAllocatingOnN1, {{"nodeName", "n1"}}, "Succeeded"},
  };
  for (const auto& [ann, spec, phase] : stale) {
    ASSERT_TRUE(locker_->Release("n1", "ns", "p2").ok());
    Owner("p1", kAllocatingOnN1, Json::object());
    ASSERT_TRUE(locker_->Lock("n1", "ns", "p1").ok());
    Owner("p1", ann, spec, phase);
    EXPECT_TRUE(locker_->Lock("n1", "ns", "p2").ok()) << ann.dump() << spec.dump() << phase;
    EXPECT_NE(LockValue().find(",ns,p2"), std::string::npos);
  }
}

TEST_F(LockJudgeTest, OwnerThatNeverReachedBindPhaseIsStaleAfterTheGrace) {
  Owner("p1", {{"hami.io/vgpu-node", "n1"}}, Json::object());
  ASSERT_TRUE(locker_->Lock("n1", "ns", "p1").ok());
  EXPECT_EQ(locker_->Lock("n1", "ns", "p2").code(), StatusCode::kResourceExhausted);
  clock_.Advance(31s);
  EXPECT_TRUE(locker_->Lock("n1", "ns", "p2").ok());
}

}  // namespace
}  // namespace hami::schedulerd
