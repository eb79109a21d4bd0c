#include "scheduler/scheduler.h"

#include <gtest/gtest.h>

#include "api/annotations.h"
#include "api/node_lock.h"
#include "api/pod_devices.h"
#include "scheduler/testing/fixtures.h"

namespace hami::scheduler {
namespace {

using testing::Gpu;
using testing::MakePod;
using testing::MakeUniformNode;

class SchedulerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Scheduler> Make(SchedulerOptions opts = {}) {
    return std::make_unique<Scheduler>(vendors::MakeVendors({}), opts, clock_);
  }
  void SetUp() override {
    s_ = Make();
    ASSERT_TRUE(s_->UpsertNode(MakeUniformNode("n0", 2)).ok());
    ASSERT_TRUE(s_->UpsertNode(MakeUniformNode("n1", 2)).ok());
  }
  FilterResult Filter(const Pod& p, std::vector<std::string> names = {"n0", "n1"}) {
    auto r = s_->Filter(p, names);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : FilterResult{};
  }
  const DeviceSnapshot& Dev(const std::string& node, int i) {
    snap_ = s_->Snapshot();
    for (auto& n : snap_.nodes) {
      if (n.name == node) return n.devices[i];
    }
    ADD_FAILURE() << "no node " << node;
    return snap_.nodes[0].devices[0];
  }
  FakeClock clock_;
  std::unique_ptr<Scheduler> s_;
  ClusterSnapshot snap_;
};

TEST_F(SchedulerTest, PodWithoutGpuIsNotInterested) {
  Pod p = MakePod("u1", {Gpu{0}});
  auto r = Filter(p);
  EXPECT_FALSE(r.interested);
  EXPECT_FALSE(r.decision);
}

TEST_F(SchedulerTest, DecisionCarriesAnnotationsAndLabel) {
  auto r = Filter(MakePod("u1", {Gpu{1, 3000, 30}}, {}, "ns"));
  ASSERT_TRUE(r.decision);
  const auto& d = *r.decision;
  EXPECT_EQ(d.node, "n0");
  EXPECT_EQ(d.annotations.at("hami.io/vgpu-node"), "n0");
  EXPECT_EQ(d.annotations.at("hami.io/vgpu-time"), "1700000000");
  EXPECT_EQ(d.labels.at("hami.io/vgpu-node"), "n0");
  const std::string& alloc = d.annotations.at("hami.io/vgpu-devices-allocated");
  EXPECT_EQ(alloc, d.annotations.at("hami.io/vgpu-devices-to-allocate"));
  // Equal scores: Fit walks the sorted list from the end, so GPU 1 comes first.
  EXPECT_EQ(alloc, "GPU-n0-1,NVIDIA,3000,30:;");
  EXPECT_EQ(Dev("n0", 1).used, 1);
  EXPECT_EQ(Dev("n0", 1).used_mem_mib, 3000);
  EXPECT_EQ(Dev("n0", 1).used_cores, 30);
  EXPECT_EQ(s_->PodNode("u1"), "n0");
}

TEST_F(SchedulerTest, UnknownNodeIsUnregistered) {
  auto r = Filter(MakePod("u1", {Gpu{4}}), {"n0", "ghost"});
  ASSERT_FALSE(r.decision);
  EXPECT_EQ(r.failed_nodes.at("ghost"), "node unregistered");
  EXPECT_EQ(r.failed_nodes.at("n0"), "NodeInsufficientDevice");
}

TEST_F(SchedulerTest, ReservationIsVisibleToNextFilter) {
  // Each pod takes a whole GPU (cores 100): 4 fit, the 5th does not.
  for (int i = 0; i < 4; ++i) {
    auto r = Filter(MakePod("u" + std::to_string(i), {Gpu{1, 0, 100}}));
    ASSERT_TRUE(r.decision) << i;
  }
  auto r = Filter(MakePod("u4", {Gpu{1, 0, 100}}));
  ASSERT_FALSE(r.decision);
  EXPECT_EQ(r.failed_nodes.at("n0"), "2/2 CardInsufficientMemory");
  s_->Unreserve("u2");
  EXPECT_TRUE(Filter(MakePod("u5", {Gpu{1, 0, 100}})).decision);
}

TEST_F(SchedulerTest, RefilterDropsEarlierReservation) {
  Pod p = MakePod("u1", {Gpu{2, 0, 100}});
  ASSERT_TRUE(Filter(p).decision);
  ASSERT_TRUE(Filter(p).decision);  // same pod again: not double-counted
  EXPECT_EQ(Dev("n0", 0).used + Dev("n1", 0).used, 1);
}

TEST_F(SchedulerTest, NodePolicies) {
  ASSERT_TRUE(Filter(MakePod("a", {Gpu{1, 1000, 10}}), {"n1"}).decision);
  // binpack (default): the used node.
  EXPECT_EQ(Filter(MakePod("b", {Gpu{1, 1000, 10}})).decision->node, "n1");
  // spread via annotation: the empty node.
  Pod c = MakePod("c", {Gpu{1, 1000, 10}});
  c.annotations[std::string(api::kNodeSchedulerPolicy)] = "spread";
  EXPECT_EQ(Filter(c).decision->node, "n0");
  auto spread = Make({.node_policy = "spread"});
  ASSERT_TRUE(spread->UpsertNode(MakeUniformNode("x", 1)).ok());
  ASSERT_TRUE(spread->UpsertNode(MakeUniformNode("y", 1)).ok());
  std::vector<std::string> names = {"x", "y"};
  ASSERT_EQ(spread->Filter(MakePod("a", {Gpu{1, 1000, 10}}), names)->decision->node, "x");
  EXPECT_EQ(spread->Filter(MakePod("b", {Gpu{1, 1000, 10}}), names)->decision->node, "y");
}

TEST_F(SchedulerTest, GpuSpreadWithinNode) {
  auto r1 = Filter(MakePod("a", {Gpu{1, 1000, 10}}), {"n0"});
  auto r2 = Filter(MakePod("b", {Gpu{1, 1000, 10}}), {"n0"});
  EXPECT_NE(r1.decision->devices.at("NVIDIA")[0][0].uuid, r2.decision->devices.at("NVIDIA")[0][0].uuid);
  Pod c = MakePod("c", {Gpu{1, 1000, 10}});
  c.annotations[std::string(api::kGpuSchedulerPolicy)] = "binpack";
  auto r3 = Filter(c, {"n1"});
  auto r4 = Filter(MakePod("d", {Gpu{1, 1000, 10}}), {"n1"});
  (void)r4;
  Pod e = MakePod("e", {Gpu{1, 1000, 10}});
  e.annotations[std::string(api::kGpuSchedulerPolicy)] = "binpack";
  auto r5 = Filter(e, {"n1"});
  EXPECT_NE(r3.decision->devices.at("NVIDIA")[0][0].uuid, r4.decision->devices.at("NVIDIA")[0][0].uuid);
  // binpack follows the fuller device (both have 1 pod; score tie -> stable).
  EXPECT_TRUE(r5.decision);
}

TEST_F(SchedulerTest, SeveralContainersShareAGpu) {
  auto r = Filter(MakePod("u1", {Gpu{1, 4000, 20}, Gpu{1, 4000, 20}}), {"n0"});
  ASSERT_TRUE(r.decision);
  EXPECT_EQ(Dev("n0", 0).used + Dev("n0", 1).used, 2);
}

TEST_F(SchedulerTest, InitContainerPeakRule) {
  // init 8000 MiB, two app containers 3000 each on the same GPU: max(6000, 8000).
  ASSERT_TRUE(s_->UpsertNode(MakeUniformNode("one", 1)).ok());
  auto r = Filter(MakePod("u1", {Gpu{1, 3000, 10}, Gpu{1, 3000, 10}}, {Gpu{1, 8000, 50}}), {"one"});
  ASSERT_TRUE(r.decision);
  EXPECT_EQ(r.decision->annotations.at("hami.io/vgpu-devices-allocated"),
            "GPU-one-0,NVIDIA,8000,50:;GPU-one-0,NVIDIA,3000,10:;GPU-one-0,NVIDIA,3000,10:;");
  EXPECT_EQ(Dev("one", 0).used_mem_mib, 8000);
  EXPECT_EQ(Dev("one", 0).used_cores, 50);
  EXPECT_EQ(Dev("one", 0).used, 2);
}

Pod AllocatedPod(const std::string& uid, const std::string& node, const std::string& alloc) {
  Pod p = MakePod(uid, {Gpu{1, 3000, 10}});
  p.annotations[std::string(api::kVgpuNode)] = node;
  p.annotations[std::string(api::kNvidiaDevicesAllocated)] = alloc;
  return p;
}

TEST_F(SchedulerTest, UsageFromAnnotationsAndLifecycle) {
  Pod p = AllocatedPod("u1", "n0", "GPU-n0-1,NVIDIA,3000,10:;");
  ASSERT_TRUE(s_->UpsertPod(p).ok());
  EXPECT_EQ(Dev("n0", 1).used_mem_mib, 3000);
  ASSERT_TRUE(s_->UpsertPod(p).ok());  // resync: idempotent
  EXPECT_EQ(Dev("n0", 1).used_mem_mib, 3000);
  p.deleting = true;  // terminating keeps usage
  ASSERT_TRUE(s_->UpsertPod(p).ok());
  EXPECT_EQ(Dev("n0", 1).used, 1);
  p.phase = "Succeeded";  // terminal frees
  ASSERT_TRUE(s_->UpsertPod(p).ok());
  EXPECT_EQ(Dev("n0", 1).used, 0);
  ASSERT_TRUE(s_->UpsertPod(AllocatedPod("u2", "n0", "GPU-n0-1,NVIDIA,3000,10:;")).ok());
  s_->RemovePod("u2");
  EXPECT_EQ(Dev("n0", 1).used_mem_mib, 0);
  // Malformed annotation: skipped, nothing charged.
  EXPECT_EQ(s_->UpsertPod(AllocatedPod("u3", "n0", "garbage")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Dev("n0", 1).used, 0);
  // A later garbage update of an allocated pod keeps what it was charged.
  ASSERT_TRUE(s_->UpsertPod(AllocatedPod("u4", "n0", "GPU-n0-1,NVIDIA,2000,20:;")).ok());
  EXPECT_FALSE(s_->UpsertPod(AllocatedPod("u4", "n0", "GPU-n0-1,NVIDIA,oops")).ok());
  EXPECT_EQ(Dev("n0", 1).used_mem_mib, 2000);
  EXPECT_EQ(Dev("n0", 1).used_cores, 20);
}

TEST_F(SchedulerTest, InitContainersDoneShrink) {
  Pod p = AllocatedPod("u1", "n0", "GPU-n0-0,NVIDIA,8000,50:;GPU-n0-0,NVIDIA,3000,10:;");
  p.init_containers.push_back(testing::GpuContainer("init", Gpu{1, 8000, 50}));
  ASSERT_TRUE(s_->UpsertPod(p).ok());
  EXPECT_EQ(Dev("n0", 0).used_mem_mib, 8000);
  p.init_statuses = {{true, 0}};
  ASSERT_TRUE(s_->UpsertPod(p).ok());
  EXPECT_EQ(Dev("n0", 0).used_mem_mib, 3000);
  EXPECT_EQ(Dev("n0", 0).used_cores, 10);
}

TEST_F(SchedulerTest, RestartRebuildsSameUsage) {
  std::vector<Pod> pods;
  for (int i = 0; i < 12; ++i) {
    Pod p = MakePod("u" + std::to_string(i), {Gpu{1 + i % 2, 1000 + 100 * i, 5 * (i % 4)}});
    auto r = Filter(p);
    ASSERT_TRUE(r.decision) << i;
    for (auto& [k, v] : r.decision->annotations) p.annotations[k] = v;
    pods.push_back(p);
  }
  auto before = s_->Snapshot();
  auto fresh = Make();
  for (auto& p : pods) ASSERT_TRUE(fresh->UpsertPod(p).ok());  // pods before nodes: still counted
  ASSERT_TRUE(fresh->UpsertNode(MakeUniformNode("n0", 2)).ok());
  ASSERT_TRUE(fresh->UpsertNode(MakeUniformNode("n1", 2)).ok());
  auto after = fresh->Snapshot();
  ASSERT_EQ(before.nodes.size(), after.nodes.size());
  for (size_t n = 0; n < before.nodes.size(); ++n) {
    for (size_t d = 0; d < before.nodes[n].devices.size(); ++d) {
      const auto& a = before.nodes[n].devices[d];
      const auto& b = after.nodes[n].devices[d];
      EXPECT_EQ(a.used, b.used);
      EXPECT_EQ(a.used_mem_mib, b.used_mem_mib);
      EXPECT_EQ(a.used_cores, b.used_cores);
    }
  }
  EXPECT_EQ(after.pods.size(), 12u);
}

TEST_F(SchedulerTest, NamespaceQuota) {
  ResourceQuota q;
  q.namespace_name = "team";
  q.name = "gpu";
  q.hard.emplace("limits.nvidia.com/gpumem", api::Quantity::FromInteger(5000));
  s_->UpsertQuota(q);
  ASSERT_TRUE(Filter(MakePod("a", {Gpu{1, 3000, 0}}, {}, "team")).decision);
  auto r = Filter(MakePod("b", {Gpu{1, 3000, 0}}, {}, "team"));
  ASSERT_FALSE(r.decision);
  EXPECT_EQ(r.failed_nodes.at("n0"), "2/2 ResourceQuotaNotFit");
  EXPECT_FALSE(s_->CheckQuota(MakePod("c", {Gpu{1, 3000, 0}}, {}, "team")).ok());
  EXPECT_TRUE(s_->CheckQuota(MakePod("c", {Gpu{1, 2000, 0}}, {}, "team")).ok());
  EXPECT_TRUE(Filter(MakePod("d", {Gpu{1, 3000, 0}}, {}, "other")).decision);
  s_->RemoveQuota("team", "gpu");
  EXPECT_TRUE(Filter(MakePod("b", {Gpu{1, 3000, 0}}, {}, "team")).decision);
}

TEST_F(SchedulerTest, SimulationPersistsNothing) {
  std::vector<Node> nodes = {MakeUniformNode("s0", 1), MakeUniformNode("s1", 1)};
  auto r = s_->Simulate(MakePod("u1", {Gpu{1, 1000, 10}}), nodes);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->decision);
  EXPECT_FALSE(s_->PodNode("u1"));
  EXPECT_FALSE(s_->HasNode("s0"));
}

TEST_F(SchedulerTest, BadScoringWeightsMakePodUnschedulable) {
  Pod p = MakePod("u1", {Gpu{1, 1000, 10}});
  p.annotations[std::string(api::kDeviceScoringWeights)] = "slot=1";
  auto r = Filter(p);
  EXPECT_TRUE(r.interested);
  EXPECT_FALSE(r.decision);
  EXPECT_NE(r.failed_nodes.at("n0").find("device-scoring-weights"), std::string::npos);
}

TEST_F(SchedulerTest, EdgeCasesFromReference) {
  // Exclusive (cores 100) cannot share a used GPU; cores 0 cannot join a full-core GPU.
  ASSERT_TRUE(s_->UpsertNode(MakeUniformNode("one", 1)).ok());
  ASSERT_TRUE(Filter(MakePod("a", {Gpu{1, 1000, 100}}), {"one"}).decision);
  auto r = Filter(MakePod("b", {Gpu{1, 1000, 0}}), {"one"});
  EXPECT_EQ(r.failed_nodes.at("one"), "1/1 CardComputeUnitsExhausted");
  s_->Unreserve("a");
  ASSERT_TRUE(Filter(MakePod("c", {Gpu{1, 1000, 10}}), {"one"}).decision);
  r = Filter(MakePod("d", {Gpu{1, 1000, 100}}), {"one"});
  EXPECT_EQ(r.failed_nodes.at("one"), "1/1 CardInsufficientCore");
  // Slots: split count 2.
  testing::GpuSpec two;
  two.split = 2;
  ASSERT_TRUE(s_->UpsertNode(MakeUniformNode("slots", 1, two)).ok());
  ASSERT_TRUE(Filter(MakePod("e", {Gpu{1, 100, 0}}), {"slots"}).decision);
  ASSERT_TRUE(Filter(MakePod("f", {Gpu{1, 100, 0}}), {"slots"}).decision);
  EXPECT_EQ(Filter(MakePod("g", {Gpu{1, 100, 0}}), {"slots"}).failed_nodes.at("slots"),
            "1/1 CardTimeSlicingExhausted");
  // Unhealthy device.
  testing::GpuSpec sick;
  sick.healthy = false;
  ASSERT_TRUE(s_->UpsertNode(MakeUniformNode("sick", 1, sick)).ok());
  EXPECT_EQ(Filter(MakePod("h", {Gpu{1, 100, 0}}), {"sick"}).failed_nodes.at("sick"), "1/1 CardNotHealth");
}

TEST_F(SchedulerTest, CordonAnnotation) {
  Node n = MakeUniformNode("c", 2);
  n.annotations[std::string(api::kNodeDeviceCordon)] = "GPU-c-0, GPU-c-1";
  ASSERT_TRUE(s_->UpsertNode(n).ok());
  EXPECT_EQ(Filter(MakePod("a", {Gpu{1, 100, 0}}), {"c"}).failed_nodes.at("c"), "2/2 CardCordoned");
}

TEST_F(SchedulerTest, BadRegistrationIsAnError) {
  Node n;
  n.name = "bad";
  n.annotations[std::string(api::kNodeNvidiaRegister)] = "[{not json";
  EXPECT_FALSE(s_->UpsertNode(n).ok());
  EXPECT_FALSE(s_->HasNode("bad"));
  // A registered node whose annotation turns to garbage keeps its inventory.
  Node garbled = MakeUniformNode("n0", 2);
  garbled.annotations[std::string(api::kNodeNvidiaRegister)] = "\x01garbage";
  EXPECT_FALSE(s_->UpsertNode(garbled).ok());
  EXPECT_TRUE(Filter(MakePod("a", {Gpu{1, 100, 0}}), {"n0"}).decision.has_value());
  s_->RemoveNode("n0");
  EXPECT_EQ(Filter(MakePod("b", {Gpu{1, 100, 0}}), {"n0"}).failed_nodes.at("n0"), "node unregistered");
}

TEST(Handshake, Decisions) {
  using namespace std::chrono;
  auto now = system_clock::time_point(seconds(1700000000));
  auto d = DecideHandshake("", now, 0);
  EXPECT_TRUE(d.healthy);
  ASSERT_TRUE(d.patch_value);
  EXPECT_EQ(d.patch_value->rfind("Requesting_", 0), 0u);
  EXPECT_TRUE(DecideHandshake("Reported 2024", now, 0).patch_value);
  std::string fresh = api::EncodeHandshakeRequesting(now - seconds(30));
  EXPECT_TRUE(DecideHandshake(fresh, now, 0).healthy);
  EXPECT_FALSE(DecideHandshake(fresh, now, 0).patch_value);
  std::string old = api::EncodeHandshakeRequesting(now - seconds(120));
  EXPECT_FALSE(DecideHandshake(old, now, 0).healthy);
  EXPECT_TRUE(DecideHandshake(old, now, 40).healthy);
  EXPECT_TRUE(DecideHandshake("Requesting_garbage", now, 0).healthy);
}

}  // namespace
}  // namespace hami::scheduler
