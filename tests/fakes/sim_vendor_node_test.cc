// The simulated vendor plugin (a test double) and the playground's vendor
// nodes: every node of examples/playground/vendor-nodes.yaml decodes, through
// its vendor's own inventory decoder, to devices; Allocate hands each container
// its devices and finishes the pod as the vendors' plugins do.
#include "sim_vendor_node.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api/quantity.h"
#include "deviceplugin/testing/fakes.h"
#include "vendors/registry.h"

namespace hami::testing {
namespace {

using deviceplugin::PodInfo;
using deviceplugin::testing::FakeCluster;

vendors::VendorList AllVendors() {
  vendors::DevicesConfig config;
  config.enable_iluvatar = true;
  config.enable_ascend = true;
  return vendors::MakeVendors(config);
}

const vendors::Vendor* Find(const vendors::VendorList& all, std::string_view keyword) {
  for (const auto& v : all) {
    if (v->names().keyword == keyword) return v.get();
  }
  return nullptr;
}

TEST(SimVendorSpecs, EveryPlaygroundVendorNodeDecodesThroughItsVendor) {
  std::ifstream in(HAMI_VENDOR_NODES_YAML);
  std::stringstream text;
  text << in.rdbuf();
  auto specs = ParseSimVendorSpecs(text.str());
  ASSERT_TRUE(specs.ok()) << specs.status().ToString();
  ASSERT_GE(specs->size(), 12u);
  auto all = AllVendors();
  for (const SimVendorSpec& spec : *specs) {
    SCOPED_TRACE(spec.node);
    const vendors::Vendor* v = Find(all, spec.vendor);
    ASSERT_NE(v, nullptr) << spec.vendor;
    EXPECT_TRUE(spec.devices.contains(v->names().count_resource)) << "kubelet must see the count resource";
    vendors::AnnotationMap annotations;
    for (auto& [k, val] : RenderNodeAnnotations(spec, std::chrono::system_clock::now())) annotations[k] = val;
    vendors::ResourceList capacity;
    for (auto& [r, n] : spec.devices) capacity[r] = api::Quantity::FromInteger(n);
    vendors::NodeView view{spec.node, &annotations, &capacity, &capacity};
    auto inv = v->inventory().Decode(view);
    ASSERT_TRUE(inv.ok()) << inv.status().ToString();
    EXPECT_FALSE(inv->devices.empty());
  }
}

TEST(SimVendorSpecs, MalformedSpecIsAnErrorNotACrash) {
  EXPECT_FALSE(ParseSimVendorSpecs("nodes: [{name: a}]").ok());
  EXPECT_FALSE(ParseSimVendorSpecs("nodes: [[[").ok());
  EXPECT_FALSE(ParseSimVendorSpecs("nodes: [{name: a, vendor: DCU, env: E, devices: {x: y}}]").ok());
}

TEST(SimVendorSpecs, RendersNodeAndHandshakeTime) {
  SimVendorSpec s{.node = "n1", .vendor = "DCU", .env = "E", .annotations = {{"k", "id-{node}-0 Reported {now}"}}};
  auto out = RenderNodeAnnotations(s, std::chrono::system_clock::time_point(std::chrono::seconds(0)));
  EXPECT_EQ(out.at("k"), "id-n1-0 Reported 1970-01-01T00:00:00Z");
}

PodInfo PendingPod(std::string name, std::string bind_time, std::string allocated) {
  PodInfo p;
  p.ns = "ns";
  p.name = std::move(name);
  p.uid = "uid-" + p.name;
  p.phase = "Pending";
  p.node_name = "sim-dcu";
  p.annotations = {{"hami.io/bind-time", std::move(bind_time)},
                   {"hami.io/bind-phase", "allocating"},
                   {"hami.io/dcu-devices-allocated", std::move(allocated)}};
  return p;
}

class SimVendorNodeTest : public ::testing::Test {
 protected:
  SimVendorNodeTest() : all_(AllVendors()) {}
  SimVendorNode Node() {
    return SimVendorNode(&cluster_, Find(all_, "DCU"),
                         {.node = "sim-dcu", .vendor = "DCU", .env = "HIP_VISIBLE_DEVICES",
                          .devices = {{"hygon.com/dcunum", 8}}});
  }
  static ::v1beta1::AllocateRequest OneContainer() {
    ::v1beta1::AllocateRequest r;
    r.add_container_requests()->add_devices_ids("kubelet-0");
    return r;
  }
  vendors::VendorList all_;
  FakeCluster cluster_;
};

TEST_F(SimVendorNodeTest, EarliestBoundPodGetsItsContainersInOrderThenIsFinished) {
  cluster_.nodes["sim-dcu"]["hami.io/mutex.lock"] = "2026-12-07T08:00:00Z,ns,first";
  cluster_.AddPod(PendingPod("second", "200", "DCU-b,DCU,1000,10:;"));
  cluster_.AddPod(PendingPod("first", "100", "DCU-a,DCU,2000,60:DCU-c,DCU,2000,60:;;DCU-a,DCU,10,5:;"));
  SimVendorNode node = Node();

  auto r1 = node.Allocate("hygon.com/dcunum", OneContainer());
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->container_responses(0).envs().at("HIP_VISIBLE_DEVICES"), "DCU-a,DCU-c");
  EXPECT_EQ(r1->container_responses(0).envs().at("HAMI_SIMULATED_DEVICE_PLUGIN"), "DCU");
  EXPECT_EQ(cluster_.Pod("ns/first").annotations.at("hami.io/bind-phase"), "allocating");

  // A units resource of the same container answers nothing and moves nothing.
  auto mem = node.Allocate("hygon.com/dcumem", OneContainer());
  ASSERT_TRUE(mem.ok());
  EXPECT_TRUE(mem->container_responses(0).envs().empty());

  auto r2 = node.Allocate("hygon.com/dcunum", OneContainer());  // the empty container is skipped
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->container_responses(0).envs().at("HIP_VISIBLE_DEVICES"), "DCU-a");
  EXPECT_EQ(cluster_.Pod("ns/first").annotations.at("hami.io/bind-phase"), "success");
  EXPECT_EQ(cluster_.Pod("ns/first").annotations.at(std::string(kSimAllocatedAnnotation)), "true");
  EXPECT_FALSE(cluster_.nodes["sim-dcu"].contains("hami.io/mutex.lock"));

  auto r3 = node.Allocate("hygon.com/dcunum", OneContainer());
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->container_responses(0).envs().at("HIP_VISIBLE_DEVICES"), "DCU-b");
  EXPECT_FALSE(node.Allocate("hygon.com/dcunum", OneContainer()).ok()) << "no pod left";
}

TEST_F(SimVendorNodeTest, ReleasesTheVendorsOwnTimeOnlyLock) {
  cluster_.nodes["sim-mlu"]["cambricon.com/dsmlu.lock"] = "2026-12-07T08:00:00Z";
  PodInfo pod = PendingPod("mlu", "100", "");
  pod.node_name = "sim-mlu";
  pod.annotations = {{"hami.io/cambricon-mlu-devices-allocated", "m-0,MLU,2560,50:;"}};
  cluster_.AddPod(pod);
  SimVendorNode node(&cluster_, Find(all_, "MLU"),
                     {.node = "sim-mlu", .vendor = "MLU", .env = "CAMBRICON_VISIBLE_DEVICES"});
  auto r = node.Allocate("cambricon.com/vmlu", OneContainer());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->container_responses(0).envs().at("CAMBRICON_VISIBLE_DEVICES"), "m-0");
  EXPECT_FALSE(cluster_.nodes["sim-mlu"].contains("cambricon.com/dsmlu.lock"));
}

TEST_F(SimVendorNodeTest, UndecodableAllocationIsAnAllocateError) {
  cluster_.AddPod(PendingPod("bad", "100", "garbage"));
  SimVendorNode node = Node();
  auto r = node.Allocate("hygon.com/dcunum", OneContainer());
  EXPECT_FALSE(r.ok());
}

TEST_F(SimVendorNodeTest, PublishesRenderedInventory) {
  SimVendorNode node(&cluster_, Find(all_, "DCU"),
                     {.node = "sim-dcu", .vendor = "DCU", .env = "E",
                      .annotations = {{"hami.io/node-handshake-dcu", "Reported {now}"}}});
  ASSERT_TRUE(node.PublishInventory(std::chrono::system_clock::time_point(std::chrono::seconds(60))).ok());
  EXPECT_EQ(cluster_.nodes["sim-dcu"].at("hami.io/node-handshake-dcu"), "Reported 1970-01-01T00:01:00Z");
}

}  // namespace
}  // namespace hami::testing
