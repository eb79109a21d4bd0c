// Golden tests for MetaX sGPU: the JSON inventory, request units, HAMi's fit
// rules (QoS, app class, exclusive MetaLink preference), the annotations
// byte for byte, the webhook defaults, usage marks and the node score.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

using testing::Container;
using testing::FakeNode;
using testing::Harness;

constexpr const char* kKeyword = "Metax-SGPU";

FakeNode Node() {
  FakeNode node;
  node.annotations["metax-tech.com/node-gpu-devices"] =
      R"([{"uuid":"GPU-a","model":"C500","totalDevCount":16,"totalCompute":100,"totalVRam":65536,)"
      R"("numa":0,"healthy":true,"qosPolicy":"fixed-share","linkZone":1},)"
      R"({"uuid":"GPU-b","totalDevCount":16,"totalCompute":100,"totalVRam":65536,"numa":1,"healthy":true,"linkZone":1},)"
      R"({"uuid":"GPU-c","totalDevCount":16,"totalCompute":100,"totalVRam":65536,"numa":1,"healthy":true},)"
      R"({"uuid":"GPU-d","totalDevCount":16,"totalCompute":100,"totalVRam":32768,"healthy":false}])";
  return node;
}

TEST(MetaxSgpu, InventoryFromJson) {
  Harness h;
  const Vendor& v = h.Get(kKeyword);
  EXPECT_EQ(v.names().node_lock, NodeLockKind::kHami);
  EXPECT_EQ(v.names().memory_factor, 1024);
  EXPECT_EQ(v.names().managed_resources,
            (std::vector<std::string>{"metax-tech.com/sgpu", "metax-tech.com/vmemory", "metax-tech.com/vcore"}));
  h.Load(kKeyword, Node());
  EXPECT_EQ(h.Described(), (std::vector<std::string>{
                               "GPU-a #0 Metax-SGPU Metax-SGPU numa=0 slots=16 mem=65536 cores=100 healthy",
                               "GPU-b #1 Metax-SGPU Metax-SGPU numa=1 slots=16 mem=65536 cores=100 healthy",
                               "GPU-c #2 Metax-SGPU Metax-SGPU numa=1 slots=16 mem=65536 cores=100 healthy",
                               "GPU-d #3 Metax-SGPU Metax-SGPU numa=0 slots=16 mem=32768 cores=100 unhealthy",
                           }));
  EXPECT_EQ(h.devices()[0].group, 1);
  EXPECT_EQ(h.devices()[0].policy, 2);  // fixed-share
  EXPECT_EQ(h.devices()[1].policy, 0);
  FakeNode none;
  EXPECT_TRUE(v.inventory().Decode(none.View())->devices.empty());
  none.annotations["metax-tech.com/node-gpu-devices"] = "[]";
  EXPECT_TRUE(v.inventory().Decode(none.View())->devices.empty());
  none.annotations["metax-tech.com/node-gpu-devices"] = "{";
  EXPECT_FALSE(v.inventory().Decode(none.View()).ok());
}

TEST(MetaxSgpu, RequestUnits) {
  Harness h;
  const RequestParser& p = h.Get(kKeyword).parser();
  auto r = p.Parse(Container({{"metax-tech.com/sgpu", "1"}, {"metax-tech.com/vmemory", "4"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (DeviceRequest{"Metax-SGPU", 1, 4096, kMemPercentUnset, 100}));
  r = p.Parse(Container({{"metax-tech.com/sgpu", "2"}, {"metax-tech.com/vmemory", "4Gi"}, {"metax-tech.com/vcore", "30"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (DeviceRequest{"Metax-SGPU", 2, 4096, kMemPercentUnset, 30}));
  r = p.Parse(Container({{"metax-tech.com/sgpu", "1"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (DeviceRequest{"Metax-SGPU", 1, 0, 100, 100}));
  EXPECT_FALSE(p.Parse(Container({{"metax-tech.com/sgpu", "0"}})));
  EXPECT_FALSE(p.Parse(Container({{"metax-tech.com/sgpu", "1"}, {"metax-tech.com/vmemory", "2097152"}})));
  // HAMi looks for a unit in the canonical form: 4000 prints as "4k", so it
  // counts as bytes (0 MiB = the whole device).
  r = p.Parse(Container({{"metax-tech.com/sgpu", "1"}, {"metax-tech.com/vmemory", "4000"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->mem_percent, 100);
  EXPECT_FALSE(p.Parse(Container({{"metax-tech.com/sgpu", "1"}, {"metax-tech.com/vcore", "-1"}})));
  EXPECT_FALSE(p.Parse(Container({{"metax-tech.com/vmemory", "4"}})));
}

TEST(MetaxSgpu, FitWritesBothViews) {
  Harness h;
  h.Load(kKeyword, Node());
  auto r = h.Fit(kKeyword, Container({{"metax-tech.com/sgpu", "1"}, {"metax-tech.com/vmemory", "4"}, {"metax-tech.com/vcore", "30"}}),
                 {{"metax-tech.com/sgpu-qos-policy", "best-effort"}});
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.annotations,
            (AnnotationMap{{"hami.io/metax-sgpu-devices-allocated", "GPU-c,Metax-SGPU,4096,30:;"},
                           {"hami.io/metax-sgpu-devices-to-allocate", "GPU-c,Metax-SGPU,4096,30:;"},
                           {"metax-tech.com/gpu-devices-allocated", R"([[{"uuid":"GPU-c","compute":30,"vRam":4096}]])"},
                           {"metax-tech.com/predicate-time", "1700000000123456789"}}));
  // A whole device: all of its memory, 100 cores.
  r = h.Fit(kKeyword, Container({{"metax-tech.com/sgpu", "1"}}), {{"metax-tech.com/use-gpuuuid", "GPU-b"}});
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.annotations.at("metax-tech.com/gpu-devices-allocated"),
            R"([[{"uuid":"GPU-b","compute":100,"vRam":65536}]])");
  r = h.Fit(kKeyword, Container({{"metax-tech.com/sgpu", "1"}}), {{"metax-tech.com/use-gpuuuid", "GPU-b"}});
  EXPECT_EQ(r.reason, "1/4 CardInsufficientMemory, 1/4 CardUnhealthy, 2/4 CardUuidMismatch");
}

TEST(MetaxSgpu, QosMustMatchASharedDevice) {
  Harness h;
  h.Load(kKeyword, Node());
  for (auto& d : h.devices()) d.used = 1, d.used_cores = 10, d.policy = 2;  // fixed-share everywhere
  h.devices()[2].policy = 0;  // GPU-c: none yet
  const auto c = Container({{"metax-tech.com/sgpu", "1"}, {"metax-tech.com/vmemory", "1"}, {"metax-tech.com/vcore", "10"}});
  auto r = h.Fit(kKeyword, c, {{"metax-tech.com/sgpu-qos-policy", "burst-share"}});
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.devices[0][0].uuid, "GPU-c");
  h.devices()[2].policy = 3;
  r = h.Fit(kKeyword, c, {{"metax-tech.com/sgpu-qos-policy", "best-effort"}}, {});
  EXPECT_EQ(r.reason, "1/4 CardUnhealthy, 3/4 CardQosPolicyMismatch");
  // A device the pod already holds takes the pod's QoS.
  r = h.Fit(kKeyword, c, {{"metax-tech.com/sgpu-qos-policy", "best-effort"}}, {{"GPU-a", 10}});
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.devices[0][0].uuid, "GPU-a");
  r = h.Fit(kKeyword, c, {{"metax-tech.com/sgpu-qos-policy", "fixed-share"}});
  ASSERT_TRUE(r.outcome.ok) << r.reason;
}

TEST(MetaxSgpu, AppClasses) {
  Harness h;
  h.Load(kKeyword, Node());
  auto& a = h.devices()[0];
  auto& b = h.devices()[1];
  auto& c = h.devices()[2];
  a.used = 2, a.class_pods = {1, 1};  // online and offline
  b.used = 1, b.class_pods = {0, 1};  // offline only
  c.used = 1;                          // a pod without class
  const auto ctr = Container({{"metax-tech.com/sgpu", "1"}, {"metax-tech.com/vmemory", "1"}, {"metax-tech.com/vcore", "10"}});
  auto r = h.Fit(kKeyword, ctr, {{"metax-tech.com/sgpu-app-class", "offline"}});
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.devices[0][0].uuid, "GPU-b");
  // Online: prefers the device with online pods over one with offline pods only; records no cores.
  b.used = 1, b.class_pods = {0, 1};
  r = h.Fit(kKeyword, ctr, {{"metax-tech.com/sgpu-app-class", "online"}});
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.devices[0][0].uuid, "GPU-a");
  EXPECT_EQ(r.annotations.at("metax-tech.com/gpu-devices-allocated"), R"([[{"uuid":"GPU-a","vRam":1024}]])");
  // Pods without a class keep to devices without classed pods.
  r = h.Fit(kKeyword, ctr, {{"metax-tech.com/sgpu-qos-policy", "best-effort"}, {"metax-tech.com/nouse-gpuuuid", "GPU-c"}});
  EXPECT_EQ(r.reason, "1/4 CardUnhealthy, 1/4 CardUuidMismatch, 2/4 CardAppClassMismatch");
  r = h.Fit(kKeyword, ctr, {{"metax-tech.com/sgpu-qos-policy", "best-effort"}});
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.devices[0][0].uuid, "GPU-c");
}

TEST(MetaxSgpu, ExclusivePodsPreferOneMetaLinkZone) {
  Harness h;
  FakeNode node;
  node.annotations["metax-tech.com/node-gpu-devices"] =
      R"([{"uuid":"z1-a","totalDevCount":4,"totalCompute":100,"totalVRam":100,"healthy":true,"linkZone":1},)"
      R"({"uuid":"z2-a","totalDevCount":4,"totalCompute":100,"totalVRam":100,"healthy":true,"linkZone":2},)"
      R"({"uuid":"z1-b","totalDevCount":4,"totalCompute":100,"totalVRam":100,"healthy":true,"linkZone":1},)"
      R"({"uuid":"none","totalDevCount":4,"totalCompute":100,"totalVRam":100,"healthy":true}])";
  h.Load(kKeyword, node);
  auto r = h.Fit(kKeyword, Container({{"metax-tech.com/sgpu", "2"}}));
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  ASSERT_EQ(r.devices[0].size(), 2u);
  EXPECT_EQ(r.devices[0][0].uuid.substr(0, 2), "z1");
  EXPECT_EQ(r.devices[0][1].uuid.substr(0, 2), "z1");
}

TEST(MetaxSgpu, WebhookDefaults) {
  Harness h;
  const AdmissionMutator& m = h.Get(kKeyword).mutator();
  auto c = Container({{"metax-tech.com/sgpu", "1"}});
  AnnotationMap pod;
  c.pod_annotations = &pod;
  auto e = m.Mutate(c);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->has_resource);
  EXPECT_EQ(e->pod_annotations,
            (std::vector<std::pair<std::string, std::string>>{{"metax-tech.com/sgpu-qos-policy", "best-effort"}}));
  pod["metax-tech.com/sgpu-qos-policy"] = "fixed-share";
  EXPECT_TRUE(m.Mutate(c)->pod_annotations.empty());
  pod["metax-tech.com/sgpu-qos-policy"] = "gold";
  EXPECT_EQ(m.Mutate(c).status().message(),
            "metax-tech.com/sgpu-qos-policy must be set one of [best-effort, fixed-share, burst-share]");
  pod["metax-tech.com/sgpu-app-class"] = "online";  // online pods have no QoS
  EXPECT_TRUE(m.Mutate(c).ok());
  pod["metax-tech.com/sgpu-app-class"] = "batch";
  EXPECT_EQ(m.Mutate(c).status().message(), "metax-tech.com/sgpu-app-class must be set one of [online, offline]");
  pod["metax-tech.com/sgpu-app-class"] = "offline";
  auto two = Container({{"metax-tech.com/sgpu", "2"}});
  two.pod_annotations = &pod;
  EXPECT_EQ(m.Mutate(two).status().message(), "app-class pod must request single device");
  auto other = Container({{"nvidia.com/gpu", "1"}});
  EXPECT_FALSE(m.Mutate(other)->has_resource);
}

TEST(MetaxSgpu, UsageMarks) {
  Harness h;
  const PodAnnotator& a = h.Get(kKeyword).annotator();
  api::ContainerDevice shared{"GPU-a", "Metax-SGPU", 1024, 30};
  api::ContainerDevice whole{"GPU-a", "Metax-SGPU", 1024, 100};
  auto m = a.Mark({{"metax-tech.com/sgpu-qos-policy", "burst-share"}}, shared);
  EXPECT_EQ(m.policy, 3);
  EXPECT_EQ(m.pod_class, -1);
  EXPECT_EQ(a.Mark({{"metax-tech.com/sgpu-qos-policy", "burst-share"}}, whole).policy, 0);
  m = a.Mark({{"metax-tech.com/sgpu-app-class", "online"}}, shared);
  EXPECT_EQ(m.policy, -1);
  EXPECT_EQ(m.pod_class, 0);
  m = a.Mark({{"metax-tech.com/sgpu-app-class", "offline"}, {"metax-tech.com/sgpu-qos-policy", "fixed-share"}}, shared);
  EXPECT_EQ(m.policy, 2);
  EXPECT_EQ(m.pod_class, 1);
}

TEST(MetaxSgpu, NodeScore) {
  Harness h;
  auto inv = h.Get(kKeyword).inventory().Decode(Node().View());
  ASSERT_TRUE(inv.ok() && inv->score);
  auto& devs = inv->devices;
  devs[0].used = 2, devs[0].class_pods = {1, 1};
  devs[1].used = 1, devs[1].class_pods = {0, 1};
  FitConstraints online;
  online.pod_values["metax-tech.com/sgpu-app-class"] = "online";
  std::vector<HeldDevice> taken{{"GPU-a", 0}, {"GPU-b", 0}};
  // GPU-a: -20 - 2; GPU-b: offline only, -100.
  EXPECT_EQ(inv->score({devs, taken, &online, true}), -122 * 10000.0);
  EXPECT_EQ(inv->score({devs, taken, &online, false}), 122 * 10000.0);
  // Exclusive with topology awareness: idle GPU-b and GPU-c taken; GPU-a busy.
  devs[0].class_pods = {0, 0}, devs[1].used = 0, devs[1].class_pods = {0, 0};
  FitConstraints topo;
  topo.pod_values["metax-tech.com/sgpu-topology-aware"] = "true";
  taken = {{"GPU-b", 100}, {"GPU-c", 100}};
  // available b(1), c(0), d(0): 0; allocated: 0; rest d: 0 -> 0.
  EXPECT_EQ(inv->score({devs, taken, &topo, true}), 0);
  devs[0].used = 0;  // a and b share zone 1: available 10, allocated b,c 0, rest a,d 0 -> loss 10
  EXPECT_EQ(inv->score({devs, taken, &topo, true}), -10 * 10000.0);
  taken = {{"GPU-a", 100}, {"GPU-b", 100}};  // allocated 10, loss 0 -> 100
  EXPECT_EQ(inv->score({devs, taken, &topo, true}), 100 * 10000.0);
  EXPECT_EQ(inv->score({devs, taken, nullptr, true}), 0);  // config default: off
  taken = {{"GPU-a", 30}};
  EXPECT_EQ(inv->score({devs, taken, &topo, true}), 0);  // not exclusive
}

}  // namespace
}  // namespace hami::vendors
