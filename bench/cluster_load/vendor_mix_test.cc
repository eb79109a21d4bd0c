#include "bench/cluster_load/vendor_mix.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "api/pod_devices.h"
#include "vendors/config.h"

namespace hami::bench::cluster_load {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

vendors::VendorList AllVendors() {
  vendors::DevicesConfig config;
  config.enable_iluvatar = true;
  config.enable_ascend = true;
  return vendors::MakeVendors(config);
}

const testing::SimVendorSpec* FindSpec(const std::vector<testing::SimVendorSpec>& specs, std::string_view node) {
  for (const auto& s : specs) {
    if (s.node == node) return &s;
  }
  return nullptr;
}

TEST(VendorMix, EveryVendorExampleHasASpecAndLimits) {
  auto templates = ParseVendorExpectations(ReadFile(std::string(HAMI_EXAMPLES_DIR) + "/expected.yaml"));
  ASSERT_TRUE(templates.ok()) << templates.status().ToString();
  auto specs = testing::ParseSimVendorSpecs(ReadFile(std::string(HAMI_EXAMPLES_DIR) + "/playground/vendor-nodes.yaml"));
  ASSERT_TRUE(specs.ok());
  EXPECT_GE(templates->size(), 15u);
  std::set<std::string> vendors;
  for (VendorPodTemplate& t : *templates) {
    SCOPED_TRACE(t.example);
    ASSERT_TRUE(ReadTemplateLimits(ReadFile(std::string(HAMI_EXAMPLES_DIR) + "/" + t.example), &t).ok());
    ASSERT_EQ(t.limits.size(), 1u);
    const testing::SimVendorSpec* spec = FindSpec(*specs, t.spec_node);
    ASSERT_NE(spec, nullptr);
    EXPECT_EQ(spec->vendor, t.vendor);
    vendors.insert(t.vendor);
  }
  EXPECT_EQ(vendors.size(), templates->size()) << "one example per vendor";
}

TEST(VendorMix, MalformedInputIsAnErrorNotACrash) {
  EXPECT_FALSE(ParseVendorExpectations("examples: [[[").ok());
  EXPECT_FALSE(ParseVendorExpectations("examples: {vendors/a.yaml: {p: {node: n}}}").ok());
  EXPECT_FALSE(ParseVendorExpectations("examples: {01-default.yaml: {p: {gpus: 1}}}").ok());
  VendorPodTemplate t;
  EXPECT_FALSE(ReadTemplateLimits("spec: {containers: []}", &t).ok());
  EXPECT_FALSE(ReadTemplateLimits("spec: {containers: [{resources: {limits: [1, 2]}}]}", &t).ok());
}

testing::SimVendorSpec DcuSpec() {
  return {.node = "sim-dcu",
          .vendor = "DCU",
          .env = "HIP_VISIBLE_DEVICES",
          .devices = {{"hygon.com/dcunum", 8}},
          .annotations = {{"hami.io/node-dcu-register",
                           "DCU-{node}-0,4,65520,100,DCU-Z100,0,true,0,hami-core:DCU-{node}-1,4,65520,100,DCU-Z100,0,true,1,hami-core:"},
                          {"hami.io/node-handshake-dcu", "Reported {now}"}}};
}

TEST(VendorMix, NodeObjectPublishesTheSpecAsKubeletAndPluginWould) {
  testing::SimVendorSpec spec = DcuSpec();
  EXPECT_EQ(VendorNodeName("vmix-", spec, 3), "vmix-sim-dcu-3");
  Json node = VendorNodeObject(spec, "vmix-sim-dcu-3", std::chrono::system_clock::time_point(std::chrono::seconds(0)));
  EXPECT_EQ(node["metadata"]["name"], "vmix-sim-dcu-3");
  EXPECT_EQ(node["metadata"]["labels"][std::string(kVendorNodeLabel)], "DCU");
  EXPECT_EQ(node["metadata"]["annotations"]["hami.io/node-handshake-dcu"], "Reported 1970-01-01T00:00:00Z");
  EXPECT_NE(node["metadata"]["annotations"]["hami.io/node-dcu-register"].get<std::string>().find("DCU-vmix-sim-dcu-3-1,"),
            std::string::npos);
  EXPECT_EQ(node["status"]["capacity"]["hygon.com/dcunum"], "8");
  EXPECT_EQ(node["status"]["allocatable"]["pods"], "110");
  EXPECT_EQ(node["status"]["conditions"][0]["type"], "Ready");
}

VendorPodTemplate DcuTemplate() {
  VendorPodTemplate t{.example = "vendors/hygon-dcu.yaml", .pod = "dcu-share", .spec_node = "sim-dcu",
                      .vendor = "DCU", .allocated = "hami.io/dcu-devices-allocated", .devices = 1};
  t.limits = {Json{{"hygon.com/dcunum", "1"}, {"hygon.com/dcumem", "2000"}}};
  return t;
}

TEST(VendorMix, PodObjectPinsNoNode) {
  PodSpec spec;
  spec.prefix = "vmix-";
  Json pod = VendorPodObject(DcuTemplate(), spec, 7);
  EXPECT_EQ(pod["metadata"]["name"], "vmix-000007");
  EXPECT_EQ(pod["spec"]["schedulerName"], "hami-scheduler");
  EXPECT_FALSE(pod["spec"].contains("nodeName"));
  EXPECT_FALSE(pod["spec"].contains("nodeSelector"));
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["limits"]["hygon.com/dcumem"], "2000");
  EXPECT_EQ(VendorTemplateOf(7, 3), 1u);
}

Json BoundPod(const PodSpec& spec, int index, const std::string& node, const std::string& allocated) {
  Json pod = VendorPodObject(DcuTemplate(), spec, index);
  pod["spec"]["nodeName"] = node;
  if (!allocated.empty()) pod["metadata"]["annotations"] = {{"hami.io/dcu-devices-allocated", allocated}};
  return pod;
}

std::string Alloc(const std::string& uuid, int mem) {
  return api::EncodePodDevices({{api::ContainerDevice{uuid, "DCU", mem, 30}}});
}

TEST(VendorMix, CheckPassesAndCatchesEachProblem) {
  auto vendors = AllVendors();
  PodSpec spec;
  spec.prefix = "vmix-";
  std::vector<VendorPodTemplate> templates = {DcuTemplate()};
  auto now = std::chrono::system_clock::now();
  std::vector<Json> nodes = {VendorNodeObject(DcuSpec(), "n0", now), VendorNodeObject(DcuSpec(), "n1", now)};
  Json other = VendorNodeObject(DcuSpec(), "mlu0", now);
  other["metadata"]["labels"][std::string(kVendorNodeLabel)] = "MLU";
  nodes.push_back(other);

  std::vector<Json> good = {BoundPod(spec, 0, "n0", Alloc("DCU-n0-0", 30000)),
                            BoundPod(spec, 1, "n0", Alloc("DCU-n0-0", 30000)),
                            BoundPod(spec, 2, "n1", Alloc("DCU-n1-1", 2000)),
                            VendorPodObject(DcuTemplate(), spec, 3)};  // not bound: skipped
  VendorMixReport r = CheckVendorMix(good, nodes, templates, spec, vendors);
  EXPECT_TRUE(r.ok()) << (r.problems.empty() ? "" : r.problems[0]);
  EXPECT_EQ(r.pods_checked, 3);
  EXPECT_EQ(r.vendors["DCU"].pods_ok, 3);
  EXPECT_EQ(r.vendors["DCU"].devices_used, 2);
  EXPECT_EQ(r.vendors["DCU"].max_slots, 2);
  EXPECT_NEAR(r.vendors["DCU"].max_mem_fill, 60000.0 / 65520, 1e-9);

  auto problems = [&](std::vector<Json> pods) { return CheckVendorMix(pods, nodes, templates, spec, vendors).problem_count; };
  EXPECT_EQ(problems({BoundPod(spec, 0, "n0", Alloc("DCU-n0-0", 40000)),
                      BoundPod(spec, 1, "n0", Alloc("DCU-n0-0", 40000))}), 1);  // memory over-commit
  EXPECT_EQ(problems({BoundPod(spec, 0, "n0", "")}), 1);                         // no annotation
  EXPECT_EQ(problems({BoundPod(spec, 0, "n0", "garbage")}), 1);                  // undecodable
  EXPECT_EQ(problems({BoundPod(spec, 0, "n0", Alloc("DCU-n1-0", 10))}), 1);      // another node's device
  EXPECT_EQ(problems({BoundPod(spec, 0, "mlu0", Alloc("DCU-mlu0-0", 10))}), 1);  // wrong vendor's node
  EXPECT_EQ(problems({BoundPod(spec, 0, "n0", api::EncodePodDevices({{api::ContainerDevice{"DCU-n0-0", "DCU", 1, 1},
                                                                       api::ContainerDevice{"DCU-n0-1", "DCU", 1, 1}}}))}),
            1);  // two devices, expected one
  std::vector<Json> five;
  for (int i = 0; i < 5; ++i) five.push_back(BoundPod(spec, i, "n0", Alloc("DCU-n0-0", 10)));
  EXPECT_EQ(problems(five), 1);  // 5 slots > count 4
}

}  // namespace
}  // namespace hami::bench::cluster_load
