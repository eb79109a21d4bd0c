#include "k8s/node_lock.h"

#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "k8s/internal/fake_apiserver.h"

namespace hami::k8s {
namespace {

using testing::FakeApiServer;

class NodeLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ClientConfig cfg;
    cfg.server = api_.url();
    client_ = std::move(Client::Create(cfg)).value();
    api_.Put("/api/v1/nodes", {{"metadata", {{"name", "n1"}}}});
    for (auto name : {"p1", "p2"}) {
      api_.Put("/api/v1/pods", {{"metadata", {{"name", name}, {"namespace", "ns"}}}, {"spec", Json::object()}});
    }
    NodeLockOptions o;
    o.retry.initial_backoff = std::chrono::milliseconds(1);
    locker_ = std::make_unique<NodeLocker>(client_.get(), &clock_, o);
  }
  std::string LockValue() { return Annotation(api_.Object("/api/v1/nodes", "n1"), kNodeLockAnnotation); }

  FakeApiServer api_;
  FakeClock clock_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<NodeLocker> locker_;
};

TEST_F(NodeLockTest, LockIsReentrantAndExclusive) {
  ASSERT_TRUE(locker_->Lock("n1", "ns", "p1").ok());
  EXPECT_NE(LockValue().find(",ns,p1"), std::string::npos);
  EXPECT_TRUE(locker_->Lock("n1", "ns", "p1").ok());
  Status s = locker_->Lock("n1", "ns", "p2");
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("node lock contention"), std::string::npos) << s.message();
  // Only the owner releases.
  EXPECT_TRUE(locker_->Release("n1", "ns", "p2").ok());
  EXPECT_FALSE(LockValue().empty());
  EXPECT_TRUE(locker_->Release("n1", "ns", "p1").ok());
  EXPECT_TRUE(LockValue().empty());
  EXPECT_TRUE(locker_->Lock("n1", "ns", "p2").ok());
  EXPECT_TRUE(locker_->Release("n1", "ns", "p2").ok());
  EXPECT_TRUE(locker_->Release("n1", "ns", "p2").ok());  // absent = OK
}

TEST_F(NodeLockTest, ExpiredLockIsTakenOver) {
  ASSERT_TRUE(locker_->Lock("n1", "ns", "p1").ok());
  clock_.Advance(std::chrono::minutes(6));
  EXPECT_TRUE(locker_->Lock("n1", "ns", "p2").ok());
  EXPECT_NE(LockValue().find(",ns,p2"), std::string::npos);
}

TEST_F(NodeLockTest, DanglingOwnerIsTakenOver) {
  ASSERT_TRUE(locker_->Lock("n1", "ns", "gone").ok());
  EXPECT_TRUE(locker_->Lock("n1", "ns", "p2").ok());
}

TEST_F(NodeLockTest, InjectedJudgeDecidesStaleness) {
  std::vector<std::string> seen;
  NodeLockOptions o;
  o.judge = [&](std::string_view node, const api::NodeLock& lock, const std::optional<Json>& owner) {
    seen.push_back(std::string(node) + " " + lock.pod_name + " " + (owner ? Name(*owner) : "-"));
    return owner && Annotation(*owner, "stale") == "yes" ? std::string("test says stale") : std::string();
  };
  NodeLocker judged(client_.get(), &clock_, o);
  ASSERT_TRUE(judged.Lock("n1", "ns", "p1").ok());
  EXPECT_EQ(judged.Lock("n1", "ns", "p2").code(), StatusCode::kResourceExhausted);
  api_.Put("/api/v1/pods", {{"metadata", {{"name", "p1"}, {"namespace", "ns"}, {"annotations", {{"stale", "yes"}}}}},
                            {"spec", Json::object()}});
  EXPECT_TRUE(judged.Lock("n1", "ns", "p2").ok());
  EXPECT_NE(LockValue().find(",ns,p2"), std::string::npos);
  EXPECT_EQ(seen, (std::vector<std::string>{"n1 p1 p1", "n1 p1 p1"}));
  ASSERT_TRUE(judged.Lock("n1", "ns", "p2").ok());  // re-entrant: judge not asked
  EXPECT_EQ(seen.size(), 2u);
}

TEST_F(NodeLockTest, CachedNodeSavesTheGetAndAStaleCopyOnlyCostsAConflict) {
  std::shared_ptr<const Json> cache = std::make_shared<const Json>(api_.Object("/api/v1/nodes", "n1"));
  NodeLockOptions o;
  o.retry.initial_backoff = std::chrono::milliseconds(1);
  o.cached_node = [&](std::string_view) { return cache; };
  NodeLocker cached(client_.get(), &clock_, o);
  int before = api_.requests();
  ASSERT_TRUE(cached.Lock("n1", "ns", "p1").ok());
  EXPECT_EQ(api_.requests() - before, 1);  // the PATCH only
  ASSERT_TRUE(cached.Release("n1", "ns", "p1").ok());
  // The cache still holds the first copy (now stale): conflict, then GET + PATCH.
  before = api_.requests();
  ASSERT_TRUE(cached.Lock("n1", "ns", "p2").ok());
  EXPECT_EQ(api_.requests() - before, 3);
  EXPECT_NE(LockValue().find(",ns,p2"), std::string::npos);
  // A cached lock of a live owner is contention (only the owner is looked up).
  cache = std::make_shared<const Json>(api_.Object("/api/v1/nodes", "n1"));
  api_.Put("/api/v1/pods", {{"metadata", {{"name", "p2"}, {"namespace", "ns"}}}, {"spec", Json::object()}});
  EXPECT_EQ(cached.Lock("n1", "ns", "p1").code(), StatusCode::kResourceExhausted);
}

TEST_F(NodeLockTest, LegacyAndGarbageValues) {
  Json node = api_.Object("/api/v1/nodes", "n1");
  node["metadata"]["annotations"][std::string(kNodeLockAnnotation)] = api::EncodeNodeLock(api::NodeLock{.time = clock_.Now()});
  api_.Put("/api/v1/nodes", node);
  EXPECT_EQ(locker_->Lock("n1", "ns", "p1").code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(locker_->Release("n1", "ns", "p1").ok());  // legacy: anyone releases
  EXPECT_TRUE(LockValue().empty());
  node = api_.Object("/api/v1/nodes", "n1");
  node["metadata"]["annotations"][std::string(kNodeLockAnnotation)] = "garbage,,";
  api_.Put("/api/v1/nodes", node);
  EXPECT_TRUE(locker_->Lock("n1", "ns", "p1").ok());
}

TEST_F(NodeLockTest, ConflictIsRetriedAndMissingNodeFails) {
  api_.FailNext("PATCH", 409, 2);
  EXPECT_TRUE(locker_->Lock("n1", "ns", "p1").ok());
  EXPECT_EQ(locker_->Lock("missing", "ns", "p1").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace hami::k8s
