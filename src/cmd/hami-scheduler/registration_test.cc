#include "cmd/hami-scheduler/registration.h"

#include <ctime>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include "api/annotations.h"
#include "api/node_lock.h"
#include "k8s/internal/fake_apiserver.h"
#include "scheduler/testing/fixtures.h"
#include "vendors/registry.h"

namespace hami::schedulerd {
namespace {

using k8s::Json;
using namespace std::chrono_literals;

std::chrono::system_clock::time_point Local(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  return t + std::chrono::seconds(tm.tm_gmtoff);
}

class RegistrarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto client = k8s::Client::Create(k8s::ClientConfig{.server = server_.url()});
    ASSERT_TRUE(client.ok());
    client_ = std::move(client).value();
    events_.Start();
  }

  std::unique_ptr<Registrar> Make(bool leader = true, NodeSelector selector = {}) {
    RegistrarDeps d;
    d.scheduler = &sched_;
    d.client = client_.get();
    d.events = &events_;
    d.clock = &clock_;
    d.is_leader = [leader] { return leader; };
    d.node_selector = std::move(selector);
    return std::make_unique<Registrar>(std::move(d));
  }

  // A node object as the API server returns it.
  Json NodeJson(const std::string& name, int64_t allocatable, const std::string& handshake = "",
                Json labels = Json::object()) {
    auto fixture = scheduler::testing::MakeUniformNode(name, 2);
    Json annotations = Json::object();
    for (const auto& [k, v] : fixture.annotations) annotations[k] = v;
    if (!handshake.empty()) annotations[std::string(api::kNodeHandshake)] = handshake;
    Json node = {{"apiVersion", "v1"},
                 {"kind", "Node"},
                 {"metadata", {{"name", name}, {"uid", "uid-" + name}, {"labels", labels},
                               {"annotations", annotations}}},
                 {"status", {{"allocatable", {{"nvidia.com/gpu", std::to_string(allocatable)}}}}}};
    server_.Put("/api/v1/nodes", node);
    return node;
  }

  size_t Devices(const std::string& node) {
    for (const auto& n : sched_.Snapshot().nodes) {
      if (n.name == node) return n.devices.size();
    }
    return 0;
  }

  std::vector<std::string> Reasons() {
    EXPECT_TRUE(events_.Flush(5s));
    std::lock_guard lock(mu_);
    return reasons_;
  }

  std::string Requesting(std::chrono::seconds ago) {
    return api::EncodeHandshakeRequesting(Local(clock_.Now() - ago));
  }

  k8s::testing::FakeApiServer server_;
  std::unique_ptr<k8s::Client> client_;
  FakeClock clock_{std::chrono::system_clock::now()};
  scheduler::Scheduler sched_{vendors::MakeVendors({}), {}, clock_};
  std::mutex mu_;
  std::vector<std::string> reasons_;
  k8s::EventRecorder events_{[this](const k8s::EventToPost& e) {
                               std::lock_guard lock(mu_);
                               reasons_.push_back(e.reason);
                               return OkStatus();
                             },
                             &clock_};
};

TEST_F(RegistrarTest, LeaderWritesTheHandshakeAndRegisters) {
  auto reg = Make(/*leader=*/true);
  Json node = NodeJson("n0", 20);
  reg->OnNode(node);
  EXPECT_EQ(Devices("n0"), 2u);
  EXPECT_EQ(reg->Pass({std::make_shared<const Json>(node)}), 0);
  std::string written = k8s::Annotation(server_.Object("/api/v1/nodes", "n0"), api::kNodeHandshake);
  EXPECT_EQ(written, Requesting(0s));
  EXPECT_TRUE(Reasons().empty());
}

TEST_F(RegistrarTest, FollowerNeverWrites) {
  auto reg = Make(/*leader=*/false);
  Json node = NodeJson("n0", 20);
  reg->OnNode(node);
  EXPECT_EQ(reg->Pass({std::make_shared<const Json>(node)}), 0);
  EXPECT_EQ(k8s::Annotation(server_.Object("/api/v1/nodes", "n0"), api::kNodeHandshake), "");
  EXPECT_EQ(Devices("n0"), 2u);
}

TEST_F(RegistrarTest, StaleHandshakeWithoutAllocatableWithholdsDevices) {
  auto reg = Make();
  reg->OnNode(NodeJson("n0", 0, Requesting(10s)));  // fresh: healthy
  EXPECT_EQ(Devices("n0"), 2u);
  clock_.Advance(61s);  // now stale, and nothing allocatable
  auto node = std::make_shared<const Json>(NodeJson("n0", 0, Requesting(71s)));
  reg->Pass({node});
  EXPECT_EQ(Devices("n0"), 0u);
  EXPECT_EQ(Reasons(), std::vector<std::string>{"DevicesUnhealthy"});
  reg->OnNode(NodeJson("n0", 20, Requesting(71s)));  // the plugin reports devices again
  EXPECT_EQ(Devices("n0"), 2u);
}

TEST_F(RegistrarTest, AllocatableDroppingToZeroWithholdsUntilItReturns) {
  auto reg = Make();
  reg->OnNode(NodeJson("n0", 20, Requesting(1s)));
  EXPECT_EQ(Devices("n0"), 2u);
  reg->OnNode(NodeJson("n0", 0, Requesting(1s)));
  EXPECT_EQ(Devices("n0"), 0u);
  reg->OnNode(NodeJson("n0", 0, Requesting(1s)));  // still withheld (no flapping)
  EXPECT_EQ(Devices("n0"), 0u);
  reg->OnNode(NodeJson("n0", 20, Requesting(1s)));
  EXPECT_EQ(Devices("n0"), 2u);
}

TEST_F(RegistrarTest, GarbageRegistrationIsAnEventAndKeepsTheLastGoodInventory) {
  auto reg = Make();
  reg->OnNode(NodeJson("n0", 20, Requesting(1s)));
  Json bad = NodeJson("n0", 20, Requesting(1s));
  bad["metadata"]["annotations"][std::string(api::kNodeNvidiaRegister)] = "[{\"id\": 42, garbage";
  reg->OnNode(bad);
  EXPECT_EQ(Devices("n0"), 2u);
  Json never = NodeJson("n1", 20, Requesting(1s));
  never["metadata"]["annotations"][std::string(api::kNodeNvidiaRegister)] = "\xff\xfe";
  reg->OnNode(never);
  EXPECT_EQ(Devices("n1"), 0u);
  EXPECT_EQ(Reasons(), (std::vector<std::string>{"InvalidRegistration", "InvalidRegistration"}));
}

TEST_F(RegistrarTest, SelectorAndDeletion) {
  auto reg = Make(true, {{"gpu", "on"}});
  reg->OnNode(NodeJson("n0", 20, Requesting(1s)));
  reg->OnNode(NodeJson("n1", 20, Requesting(1s), {{"gpu", "on"}}));
  EXPECT_EQ(Devices("n0"), 0u);
  EXPECT_EQ(Devices("n1"), 2u);
  reg->OnNode(NodeJson("n1", 20, Requesting(1s), {{"gpu", "off"}}));  // label removed
  EXPECT_EQ(Devices("n1"), 0u);
  reg->OnNode(NodeJson("n1", 20, Requesting(1s), {{"gpu", "on"}}));
  reg->OnNodeDeleted(NodeJson("n1", 20));
  EXPECT_EQ(Devices("n1"), 0u);
}

TEST_F(RegistrarTest, NodeLockUpdatesDoNotReDecodeTheInventory) {
  auto reg = Make();
  Json node = NodeJson("n0", 20, Requesting(1s));
  reg->OnNode(node);
  EXPECT_EQ(Devices("n0"), 2u);
  sched_.RemoveNode("n0");  // behind the registrar's back: shows whether it upserts again
  node["metadata"]["annotations"]["hami.io/mutex.lock"] = "2026-11-29T00:00:00Z,ns,p";
  reg->OnNode(node);
  EXPECT_EQ(Devices("n0"), 0u);  // only the lock changed: skipped
  node["status"]["allocatable"]["nvidia.com/gpu"] = "19";
  reg->OnNode(node);
  EXPECT_EQ(Devices("n0"), 2u);  // allocatable changed: upserted
}

TEST_F(RegistrarTest, HandshakeWriteFailureIsCounted) {
  auto reg = Make();
  Json node = NodeJson("n0", 20);
  server_.FailNext("PATCH", 500);
  EXPECT_EQ(reg->Pass({std::make_shared<const Json>(node)}), 1);
}

TEST(NodeSelector, Parse) {
  auto s = ParseNodeSelector("gpu=on,zone=a,");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->size(), 2u);
  EXPECT_EQ(s->at("zone"), "a");
  EXPECT_TRUE(ParseNodeSelector("")->empty());
  EXPECT_FALSE(ParseNodeSelector("gpu").ok());
  EXPECT_FALSE(ParseNodeSelector("=on").ok());
}

}  // namespace
}  // namespace hami::schedulerd
