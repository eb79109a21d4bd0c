// The core with several vendors on one node: usage rebuilt from every
// vendor's allocated annotation (a node shared by two vendors is accounted
// exactly), one filter answering several vendors, and quota with a vendor's
// memory factor.
#include <gtest/gtest.h>

#include "scheduler/scheduler.h"
#include "scheduler/testing/fixtures.h"

namespace hami::scheduler {
namespace {

api::Quantity Q(int64_t v) { return api::Quantity::FromInteger(v); }

Node MixedNode() {
  Node n = testing::MakeUniformNode("n0", 1);
  n.annotations["hami.io/node-dcu-register"] = "DCU-a,4,65536,100,DCU-Z100,0,true,0,hami-core:";
  n.capacity["cambricon.com/mlu.smlu.vcore"] = Q(100);
  n.capacity["cambricon.com/mlu.smlu.vmemory"] = Q(64);  // 16384 MiB per card
  return n;
}

class MixedVendorTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(s_.UpsertNode(MixedNode()).ok()); }
  const DeviceSnapshot& Dev(std::string_view id) {
    snap_ = s_.Snapshot();
    for (const auto& d : snap_.nodes.at(0).devices) {
      if (d.id == id) return d;
    }
    ADD_FAILURE() << "no device " << id;
    return snap_.nodes.at(0).devices.at(0);
  }
  Pod Allocated(const std::string& uid, AnnotationMap annotations) {
    Pod p;
    p.uid = uid;
    p.name = uid;
    p.namespace_name = "ns";
    p.phase = "Running";
    p.containers.push_back({});
    annotations["hami.io/vgpu-node"] = "n0";
    p.annotations = std::move(annotations);
    return p;
  }
  FakeClock clock_;
  Scheduler s_{vendors::MakeVendors({}), SchedulerOptions{}, clock_};
  ClusterSnapshot snap_;
};

TEST_F(MixedVendorTest, InventoryHoldsEveryVendor) {
  snap_ = s_.Snapshot();
  ASSERT_EQ(snap_.nodes.size(), 1u);
  ASSERT_EQ(snap_.nodes[0].devices.size(), 3u);
  EXPECT_EQ(Dev("DCU-a").vendor, "DCU");
  EXPECT_EQ(Dev("n0-cambricon-mlu-0").vendor, "MLU");
  EXPECT_EQ(Dev("n0-cambricon-mlu-0").total_mem_mib, 16384);
}

TEST_F(MixedVendorTest, UsageFromEveryVendorsAllocatedAnnotation) {
  const std::string gpu = testing::GpuUuid("n0", 0);
  ASSERT_TRUE(s_.UpsertPod(Allocated("p1", {{"hami.io/vgpu-devices-allocated", gpu + ",NVIDIA,3000,30:;"},
                                            {"hami.io/dcu-devices-allocated", "DCU-a,DCU,2000,60:;"}}))
                  .ok());
  ASSERT_TRUE(s_.UpsertPod(Allocated("p2", {{"hami.io/dcu-devices-allocated", "DCU-a,DCU,1000,10:;"},
                                            {"hami.io/cambricon-mlu-devices-allocated",
                                             "n0-cambricon-mlu-0,MLU,2560,50:;"}}))
                  .ok());
  EXPECT_EQ(Dev(gpu).used, 1);
  EXPECT_EQ(Dev(gpu).used_mem_mib, 3000);
  EXPECT_EQ(Dev(gpu).used_cores, 30);
  EXPECT_EQ(Dev("DCU-a").used, 2);
  EXPECT_EQ(Dev("DCU-a").used_mem_mib, 3000);
  EXPECT_EQ(Dev("DCU-a").used_cores, 70);
  EXPECT_EQ(Dev("n0-cambricon-mlu-0").used_mem_mib, 2560);
  s_.RemovePod("p1");
  EXPECT_EQ(Dev(gpu).used, 0);
  EXPECT_EQ(Dev("DCU-a").used_mem_mib, 1000);
  EXPECT_EQ(Dev("n0-cambricon-mlu-0").used_cores, 50);
}

TEST_F(MixedVendorTest, OneFilterPlacesTwoVendorsAndWritesBoth) {
  Pod p = testing::MakePod("u1", {testing::Gpu{1, 1000, 10}});
  p.containers[0].limits.emplace("hygon.com/dcunum", Q(1));
  p.containers[0].limits.emplace("hygon.com/dcumem", Q(500));
  auto r = s_.Filter(p, std::vector<std::string>{"n0"});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->decision) << (r->failed_nodes.empty() ? "" : r->failed_nodes.begin()->second);
  const auto& a = r->decision->annotations;
  EXPECT_EQ(a.at("hami.io/dcu-devices-allocated"), "DCU-a,DCU,500,100:;");
  EXPECT_EQ(a.at("hami.io/dcu-devices-to-allocate"), "DCU-a,DCU,500,100:;");
  EXPECT_EQ(a.at("hami.io/vgpu-devices-allocated"), testing::GpuUuid("n0", 0) + ",NVIDIA,1000,10:;");
  EXPECT_EQ(Dev("DCU-a").used_cores, 100);
  EXPECT_EQ(Dev(testing::GpuUuid("n0", 0)).used_mem_mib, 1000);
  // The DCU is now exclusively used: a second DCU pod is refused with HAMi's reason.
  Pod q = testing::MakePod("u2", {testing::Gpu{0}});
  q.containers[0].limits.emplace("hygon.com/dcunum", Q(1));
  q.containers[0].limits.emplace("hygon.com/dcumem", Q(100));
  r = s_.Filter(q, std::vector<std::string>{"n0"});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->decision);
  EXPECT_EQ(r->failed_nodes.at("n0"), "1/1 CardInsufficientCore");
}

TEST_F(MixedVendorTest, QuotaAppliesTheVendorsMemoryFactor) {
  ResourceQuota q;
  q.namespace_name = "default";
  q.name = "mlu";
  q.hard["limits.cambricon.com/mlu.smlu.vmemory"] = Q(10);  // 10 x 256 MiB
  s_.UpsertQuota(q);
  auto mlu_pod = [](const std::string& uid, int64_t units) {
    Pod p = testing::MakePod(uid, {testing::Gpu{0}});
    p.containers[0].limits.emplace("cambricon.com/vmlu", Q(1));
    p.containers[0].limits.emplace("cambricon.com/mlu.smlu.vmemory", Q(units));
    p.containers[0].limits.emplace("cambricon.com/mlu.smlu.vcore", Q(10));
    return p;
  };
  EXPECT_TRUE(s_.CheckQuota(mlu_pod("a", 10)).ok());
  EXPECT_EQ(s_.CheckQuota(mlu_pod("a", 11)).code(), StatusCode::kResourceExhausted);
  auto r = s_.Filter(mlu_pod("a", 8), std::vector<std::string>{"n0"});
  ASSERT_TRUE(r.ok() && r->decision);
  EXPECT_EQ(r->decision->annotations.at("CAMBRICON_DSMLU_PROFILE"), "0_10_8");
  r = s_.Filter(mlu_pod("b", 4), std::vector<std::string>{"n0"});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->decision);
  EXPECT_EQ(r->failed_nodes.at("n0"), "1/1 ResourceQuotaNotFit");
}

// A vendor's node score (MetaX topology tables) decides between otherwise
// equal nodes, under either node policy.
TEST(VendorNodeScore, MetaxTopologyTablesPickTheNode) {
  FakeClock clock;
  Scheduler s(vendors::MakeVendors({}), SchedulerOptions{}, clock);
  auto node = [&](const std::string& name, const char* losses, const char* scores) {
    Node n;
    n.name = name;
    n.capacity["metax-tech.com/gpu"] = Q(2);
    n.annotations["metax-tech.com/gpu.topology.losses"] = losses;
    n.annotations["metax-tech.com/gpu.topology.scores"] = scores;
    ASSERT_TRUE(s.UpsertNode(n).ok());
  };
  node("m1", R"({"1":500})", R"({"1":100})");
  node("m2", R"({"1":100})", R"({"1":900})");
  auto pod = [](const std::string& uid, const char* policy) {
    Pod p = testing::MakePod(uid, {testing::Gpu{0}});
    p.containers[0].limits.emplace("metax-tech.com/gpu", Q(1));
    p.annotations["hami.io/node-scheduler-policy"] = policy;
    return p;
  };
  const std::vector<std::string> names = {"m1", "m2"};
  auto r = s.Filter(pod("a", "binpack"), names);
  ASSERT_TRUE(r.ok() && r->decision);
  EXPECT_EQ(r->decision->node, "m2");  // 2000 - 100 beats 2000 - 500
  s.Unreserve("a");
  r = s.Filter(pod("b", "spread"), names);
  ASSERT_TRUE(r.ok() && r->decision);
  EXPECT_EQ(r->decision->node, "m2");  // spread takes the lower: 2000 - 900
}

// Two nodes for one pod, each with the same usage (so the same default
// score) rebuilt from placed pods: the vendor's node score decides, the
// higher under binpack, the lower under spread.
struct TwoNodes {
  FakeClock clock;
  Scheduler s{vendors::MakeVendors({}), SchedulerOptions{}, clock};
  void Placed(const std::string& node, const std::string& key, const std::string& devices) {
    Pod p;
    p.uid = p.name = "placed-" + node;
    p.namespace_name = "ns";
    p.phase = "Running";
    p.containers.push_back({});
    p.annotations = {{"hami.io/vgpu-node", node}, {key, devices}};
    ASSERT_TRUE(s.UpsertPod(p).ok());
  }
  std::string Chosen(const std::string& uid, const char* policy, const std::string& resource, int64_t n) {
    Pod p = testing::MakePod(uid, {testing::Gpu{0}});
    p.containers[0].limits.emplace(resource, Q(n));
    p.annotations["hami.io/node-scheduler-policy"] = policy;
    auto r = s.Filter(p, std::vector<std::string>{"a", "b"});
    EXPECT_TRUE(r.ok() && r->decision);
    if (!r.ok() || !r->decision) return "";
    s.Unreserve(uid);
    return r->decision->node;
  }
};

TEST(VendorNodeScore, KunlunWingBubblePicksTheNode) {
  TwoNodes t;
  for (const char* name : {"a", "b"}) {
    Node n;
    n.name = name;
    n.capacity["kunlunxin.com/xpu"] = Q(8);
    ASSERT_TRUE(t.s.UpsertNode(n).ok());
  }
  auto cards = [](const std::string& node, std::vector<int> busy) {
    std::string out;
    for (int i : busy) out += node + "-kunlun-" + std::to_string(i) + ",kunlun,98304,100:";
    return out + ";";
  };
  t.Placed("a", "hami.io/kunlun-allocated", cards("a", {0, 1, 2}));  // the pod closes the left wing: 1000
  t.Placed("b", "hami.io/kunlun-allocated", cards("b", {0, 4, 5}));  // the pod takes card 1: 2000
  EXPECT_EQ(t.Chosen("u1", "binpack", "kunlunxin.com/xpu", 1), "b");
  EXPECT_EQ(t.Chosen("u2", "spread", "kunlunxin.com/xpu", 1), "a");
}

TEST(VendorNodeScore, VastaiDieConcentrationPicksTheNode) {
  TwoNodes t;
  std::string dies = "[";
  for (int i = 0; i < 4; ++i) {
    dies += std::string(i ? "," : "") + R"({"id":"d)" + std::to_string(i) + R"(","index":)" + std::to_string(i) +
            R"(,"count":1,"devmem":8192,"type":"VA16","health":true,"custominfo":{"AIC":"A)" + (i < 2 ? "0" : "1") +
            R"(","DeviceStrategy":"die"}})";
  }
  dies += "]";
  for (const char* name : {"a", "b"}) {
    Node n;
    n.name = name;
    n.annotations["hami.io/node-va-register"] = dies;
    ASSERT_TRUE(t.s.UpsertNode(n).ok());
  }
  t.Placed("a", "hami.io/Vastai-devices-allocated", "d0,Vastai,0,0:d1,Vastai,0,0:;");  // d2, d3 share A1: 1
  t.Placed("b", "hami.io/Vastai-devices-allocated", "d0,Vastai,0,0:d2,Vastai,0,0:;");  // d1 on A0, d3 on A1: 0.5
  EXPECT_EQ(t.Chosen("u1", "binpack", "vastaitech.com/va", 2), "a");
  EXPECT_EQ(t.Chosen("u2", "spread", "vastaitech.com/va", 2), "b");
}

// AWS Neuron through the core: the instance-type label read from the node,
// the annotations written for the chosen devices, core indexes from the
// node's cores per device (also when simulating).
TEST(MixedVendor, AwsNeuronPlacementAndAnnotations) {
  FakeClock clock;
  Scheduler s{vendors::MakeVendors({}), SchedulerOptions{}, clock};
  Node n;
  n.name = "inf";
  n.capacity["aws.amazon.com/neuron"] = Q(3);
  n.capacity["aws.amazon.com/neuroncore"] = Q(6);
  n.labels["node.kubernetes.io/instance-type"] = "inf2.24xlarge";
  ASSERT_TRUE(s.UpsertNode(n).ok());
  auto pod = [](const std::string& uid, const std::string& resource, int64_t v) {
    Pod p = testing::MakePod(uid, {testing::Gpu{0}});
    p.containers[0].limits.emplace(resource, Q(v));
    return p;
  };
  auto r = s.Filter(pod("u1", "aws.amazon.com/neuroncore", 1), std::vector<std::string>{"inf"});
  ASSERT_TRUE(r.ok() && r->decision);
  const auto& a = r->decision->annotations;
  EXPECT_EQ(a.at("hami.io/aws-neuron-devices-allocated"), "inf-AWSNeuron-2,AWSNeuron,0,1:;");
  EXPECT_EQ(a.at("AWS_NEURON_IDS"), "4");
  EXPECT_EQ(a.at("aws.amazon.com/predicate-node"), "inf");
  EXPECT_EQ(a.at("NEURON_ALLOCATED"), "false");
  // Inferentia: two devices in a row from any start (Trainium would refuse 2).
  r = s.Filter(pod("u2", "aws.amazon.com/neuron", 2), std::vector<std::string>{"inf"});
  ASSERT_TRUE(r.ok() && r->decision) << (r.ok() && !r->failed_nodes.empty() ? r->failed_nodes.begin()->second : "");
  EXPECT_EQ(r->decision->annotations.at("AWS_NEURON_IDS"), "0,1");
  r = s.Filter(pod("u3", "aws.amazon.com/neuron", 2), std::vector<std::string>{"inf"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->failed_nodes.at("inf"), "1/3 NumaNotFit");
  auto sim = s.Simulate(pod("u4", "aws.amazon.com/neuroncore", 2), std::vector<Node>{n});
  ASSERT_TRUE(sim.ok() && sim->decision);
  EXPECT_EQ(sim->decision->annotations.at("AWS_NEURON_IDS"), "4,5");
}

// A vendor's usage marks (MetaX sGPU QoS and app class) follow the pods on
// the device: rebuilt from a placed pod's annotations and left by a reservation.
TEST(MixedVendor, MetaxSgpuDeviceTakesTheQosOfItsPods) {
  FakeClock clock;
  Scheduler s{vendors::MakeVendors({}), SchedulerOptions{}, clock};
  Node n;
  n.name = "n1";
  n.annotations["metax-tech.com/node-gpu-devices"] =
      R"([{"uuid":"GPU-a","totalDevCount":8,"totalCompute":100,"totalVRam":65536,"healthy":true,"qosPolicy":"fixed-share"}])";
  ASSERT_TRUE(s.UpsertNode(n).ok());
  auto pod = [](const std::string& uid, const std::string& qos) {
    Pod p = testing::MakePod(uid, {testing::Gpu{0}});
    p.containers[0].limits.emplace("metax-tech.com/sgpu", Q(1));
    p.containers[0].limits.emplace("metax-tech.com/vmemory", Q(1));
    p.containers[0].limits.emplace("metax-tech.com/vcore", Q(10));
    p.annotations["metax-tech.com/sgpu-qos-policy"] = qos;
    return p;
  };
  Pod placed = pod("p1", "burst-share");
  placed.phase = "Running";
  placed.annotations["hami.io/vgpu-node"] = "n1";
  placed.annotations["hami.io/metax-sgpu-devices-allocated"] = "GPU-a,Metax-SGPU,1024,10:;";
  ASSERT_TRUE(s.UpsertPod(placed).ok());
  auto r = s.Filter(pod("u1", "fixed-share"), std::vector<std::string>{"n1"});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->decision);
  EXPECT_EQ(r->failed_nodes.at("n1"), "1/1 CardQosPolicyMismatch");
  s.RemovePod("p1");  // idle again: any QoS
  r = s.Filter(pod("u2", "best-effort"), std::vector<std::string>{"n1"});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->decision) << (r->failed_nodes.empty() ? "" : r->failed_nodes.begin()->second);
  EXPECT_EQ(r->decision->annotations.at("metax-tech.com/gpu-devices-allocated"),
            R"([[{"uuid":"GPU-a","compute":10,"vRam":1024}]])");
  // The reservation left best-effort on the device.
  r = s.Filter(pod("u3", "fixed-share"), std::vector<std::string>{"n1"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->failed_nodes.at("n1"), "1/1 CardQosPolicyMismatch");
  r = s.Filter(pod("u4", "best-effort"), std::vector<std::string>{"n1"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->decision);
}

}  // namespace
}  // namespace hami::scheduler
