// Golden tests for Ascend: the enable switch, the chart's seven chips and the
// `vnpus` config layouts, admission (template rounding, 910C pairs, refusals),
// hard and soft split fits for 910B3 and 310P3 with the annotations byte for
// byte, ModeNotFit, NetworkID topology and the 910C module pairing.
#include <gtest/gtest.h>

#include "api/device_config.h"
#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

using testing::Container;
using testing::FakeNode;
using testing::Harness;

DevicesConfig Enabled(std::string_view yaml = {}) {
  DevicesConfig c;
  if (!yaml.empty()) c = DevicesConfigFrom(api::ParseDeviceConfigYaml(yaml).value());
  c.enable_ascend = true;
  return c;
}

// `n` healthy devices NPU-<i> of `cw` (memory, aiCore), NetworkIDs when given.
std::string Register(std::string_view cw, int n, int64_t mem, int cores, std::vector<int> networks = {}) {
  std::string out = "[";
  for (int i = 0; i < n; ++i) {
    out += (i ? "," : "") + std::string(R"({"id":"NPU-)") + std::to_string(i) + R"(","index":)" + std::to_string(i) +
           R"(,"count":4,"devmem":)" + std::to_string(mem) + R"(,"devcore":)" + std::to_string(cores) +
           R"(,"type":")" + std::string(cw) + R"(","health":true)";
    if (!networks.empty()) out += R"(,"custominfo":{"NetworkID":)" + std::to_string(networks[i]) + "}";
    out += "}";
  }
  return out + "]";
}

const AnnotationMap kSoft = {{"huawei.com/vnpu-mode", "hami-core"}};

TEST(Ascend, OnlyBehindTheSwitchWithTheChartsSevenChips) {
  Harness off;
  for (const auto& v : off.vendors()) EXPECT_NE(v->names().keyword, "Ascend910B3");
  Harness on(Enabled());
  std::vector<std::string> chips;
  for (const auto& v : on.vendors()) {
    if (v->names().count_resource.starts_with("huawei.com/")) chips.push_back(v->names().keyword);
  }
  EXPECT_EQ(chips, (std::vector<std::string>{"Ascend910A", "Ascend910B2", "Ascend910B3", "Ascend910B4-1",
                                             "Ascend910B4", "Ascend310P", "Ascend910C"}));
  const VendorNames& n = on.Get("Ascend910B3").names();
  EXPECT_EQ(n.register_annotation, "hami.io/node-register-Ascend910B3");
  EXPECT_EQ(n.handshake_annotation, "hami.io/node-handshake-Ascend910B3");
  EXPECT_EQ(n.to_allocate_annotation, "hami.io/Ascend910B3-devices-to-allocate");
  EXPECT_EQ(n.allocated_annotation, "hami.io/Ascend910B3-devices-allocated");
  EXPECT_EQ(n.managed_resources, (std::vector<std::string>{"huawei.com/Ascend910B3", "huawei.com/Ascend910B3-memory",
                                                           "huawei.com/Ascend910B3-core"}));
  EXPECT_EQ(n.node_lock, NodeLockKind::kHami);
  EXPECT_EQ(n.memory_factor, 1);
}

TEST(Ascend, ConfigSectionBothLayouts) {
  Harness current(Enabled(R"(
vnpus:
  hamiVnpuCore: true
  configs:
  - chipName: X
    commonWord: AscendX
    resourceName: huawei.com/AscendX
    resourceMemoryName: huawei.com/AscendX-memory
    memoryAllocatable: 1000
    memoryCapacity: 1200
    memoryFactor: 2
    runtimeClassName: ascend
    templates:
    - {name: big, memory: 800}
    - {name: small, memory: 400}
)"));
  int ascend = 0;
  for (const auto& v : current.vendors()) ascend += v->names().count_resource.starts_with("huawei.com/");
  EXPECT_EQ(ascend, 1);
  const Vendor& x = current.Get("AscendX");
  EXPECT_EQ(x.names().memory_factor, 2);
  EXPECT_TRUE(x.names().core_resource.empty());
  // Templates sorted by memory: 300 x 2 = 600 MiB rounds to `big`.
  auto req = x.parser().Parse(Container({{"huawei.com/AscendX", "1"}, {"huawei.com/AscendX-memory", "300"}}));
  ASSERT_TRUE(req);
  EXPECT_EQ(req->mem_mib, 800);
  ContainerResources c = Container({{"huawei.com/AscendX", "1"}});
  EXPECT_EQ(x.mutator().Mutate(c)->runtime_class, "ascend");
  // hamiVnpuCore: nodes without the annotation run the soft split.
  FakeNode node;
  node.annotations["hami.io/node-register-AscendX"] = Register("AscendX", 1, 1000, 10);
  current.Load("AscendX", node);
  EXPECT_EQ(current.devices()[0].mode, "hami-core");

  Harness legacy(Enabled(R"(
vnpus:
- chipName: 310P3
  commonWord: Ascend310P
  resourceName: huawei.com/Ascend310P
  resourceMemoryName: huawei.com/Ascend310P-memory
  memoryAllocatable: 21527
  memoryCapacity: 24576
  templates:
  - {name: vir01, memory: 3072}
)"));
  EXPECT_EQ(legacy.Get("Ascend310P").names().count_resource, "huawei.com/Ascend310P");
}

TEST(Ascend, AdmissionRoundsToATemplateAndRefuses) {
  Harness h(Enabled());
  const Vendor& b3 = h.Get("Ascend910B3");
  ContainerResources c = Container({{"huawei.com/Ascend910B3", "1"}, {"huawei.com/Ascend910B3-memory", "10000"}});
  auto e = b3.mutator().Mutate(c);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->has_resource);
  EXPECT_FALSE(e->runtime_class);
  EXPECT_EQ(c.limits.at("huawei.com/Ascend910B3-memory").Value(), 16384);
  EXPECT_EQ(c.requests.at("huawei.com/Ascend910B3-memory").Value(), 16384);
  // No memory: the whole card; past the last template: the whole card too.
  c = Container({{"huawei.com/Ascend910B3", "2"}});
  ASSERT_TRUE(b3.mutator().Mutate(c).ok());
  EXPECT_EQ(c.limits.at("huawei.com/Ascend910B3-memory").Value(), 65536);
  c = Container({{"huawei.com/Ascend910B3", "1"}, {"huawei.com/Ascend910B3-memory", "40000"}});
  ASSERT_TRUE(b3.mutator().Mutate(c).ok());
  EXPECT_EQ(c.limits.at("huawei.com/Ascend910B3-memory").Value(), 65536);
  // Refusals.
  c = Container({{"huawei.com/Ascend910B3", "1"}, {"huawei.com/Ascend910B3-memory", "70000"}});
  EXPECT_EQ(b3.mutator().Mutate(c).status().message(), "huawei.com/Ascend910B3-memory 70000 is invalid");
  c = Container({{"huawei.com/Ascend910B3", "2"}, {"huawei.com/Ascend910B3-memory", "16384"}});
  EXPECT_EQ(b3.mutator().Mutate(c).status().message(), "vNPU not supported for multiple devices");
  c = Container({{"huawei.com/Ascend910B3", "1"}, {"huawei.com/Ascend910B3-core", "30"}});
  EXPECT_EQ(b3.mutator().Mutate(c).status().message(),
            "huawei.com/Ascend910B3-core is only supported in hami-core (soft split) mode");
  // Soft split keeps the exact memory.
  c = Container({{"huawei.com/Ascend910B3", "1"}, {"huawei.com/Ascend910B3-memory", "10000"},
                 {"huawei.com/Ascend910B3-core", "30"}});
  c.pod_annotations = &kSoft;
  ASSERT_TRUE(b3.mutator().Mutate(c).ok());
  EXPECT_EQ(c.limits.at("huawei.com/Ascend910B3-memory").Value(), 10000);
  // 910C: one NPU becomes a module of two; odd counts are refused.
  const Vendor& c910 = h.Get("Ascend910C");
  c = Container({{"huawei.com/Ascend910C", "1"}});
  c.requests.insert_or_assign("huawei.com/Ascend910C", api::Quantity::FromInteger(1));
  ASSERT_TRUE(c910.mutator().Mutate(c).ok());
  EXPECT_EQ(c.limits.at("huawei.com/Ascend910C").Value(), 2);
  EXPECT_EQ(c.requests.at("huawei.com/Ascend910C").Value(), 2);
  c = Container({{"huawei.com/Ascend910C", "3"}});
  EXPECT_EQ(c910.mutator().Mutate(c).status().message(), "Ascend910C device request must be 1 or 2*n, got 3");
  // Containers of other resources are left alone.
  c = Container({{"nvidia.com/gpu", "1"}});
  EXPECT_FALSE(b3.mutator().Mutate(c)->has_resource);
  EXPECT_TRUE(b3.mutator().Mutate(c)->env.empty());
}

TEST(Ascend, OverwriteEnvAndRuntimeClass) {
  Harness h(Enabled(R"(
vnpus:
  configs:
  - {chipName: 310P3, commonWord: Ascend310P, resourceName: huawei.com/Ascend310P, resourceMemoryName: huawei.com/Ascend310P-memory, memoryAllocatable: 21527, memoryCapacity: 24576, runtimeClassName: ascend, overwriteEnv: true}
)"));
  ContainerResources other = Container({{"nvidia.com/gpu", "1"}});
  auto e = h.Get("Ascend310P").mutator().Mutate(other);
  ASSERT_EQ(e->env.size(), 1u);
  EXPECT_EQ(e->env[0], (std::pair<std::string, std::string>{"ASCEND_VISIBLE_DEVICES", ""}));
  ContainerResources ours = Container({{"huawei.com/Ascend310P", "1"}});
  EXPECT_EQ(h.Get("Ascend310P").mutator().Mutate(ours)->runtime_class, "ascend");
}

TEST(Ascend, Hard910B3TemplateByteForByte) {
  Harness h(Enabled());
  FakeNode node;
  node.annotations["hami.io/node-register-Ascend910B3"] = Register("Ascend910B3", 2, 65536, 20);
  h.Load("Ascend910B3", node);
  ASSERT_EQ(h.Described(), (std::vector<std::string>{
                                "NPU-0 #0 Ascend910B3 Ascend910B3 numa=0 slots=4 mem=65536 cores=20 healthy",
                                "NPU-1 #1 Ascend910B3 Ascend910B3 numa=0 slots=4 mem=65536 cores=20 healthy"}));
  auto r = h.Fit("Ascend910B3", Container({{"huawei.com/Ascend910B3", "1"}, {"huawei.com/Ascend910B3-memory", "20000"}}),
                 {{"hami.io/use-Ascend910B3-uuid", "NPU-1"}});
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.annotations,
            (AnnotationMap{{"hami.io/Ascend910B3-devices-allocated", "NPU-1,Ascend910B3,32768,0:;"},
                           {"hami.io/Ascend910B3-devices-to-allocate", "NPU-1,Ascend910B3,32768,0:;"},
                           {"huawei.com/Ascend910B3", R"([{"UUID":"NPU-1","temp":"vir10_3c_32g","memory":32768}])"},
                           {"predicate-time", "1700000000"}}));
  // The whole card names no template.
  r = h.Fit("Ascend910B3", Container({{"huawei.com/Ascend910B3", "1"}}), {{"hami.io/use-Ascend910B3-uuid", "NPU-0"}});
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.annotations.at("huawei.com/Ascend910B3"), R"([{"UUID":"NPU-0","memory":65536}])");
  // Refusals: NPU-0 is full, NPU-1 has 32768 left.
  EXPECT_EQ(h.Fit("Ascend910B3", Container({{"huawei.com/Ascend910B3", "1"}, {"huawei.com/Ascend910B3-memory", "40000"}}))
                .reason,
            "2/2 CardInsufficientMemory");
  EXPECT_EQ(h.Fit("Ascend910B3", Container({{"huawei.com/Ascend910B3", "1"}}),
                  {{"hami.io/no-use-Ascend910B3-uuid", "NPU-0,NPU-1"}})
                .reason,
            "2/2 CardUuidMismatch");
}

TEST(Ascend, Hard310P3Templates) {
  Harness h(Enabled());
  FakeNode node;
  node.annotations["hami.io/node-register-Ascend310P"] = Register("Ascend310P", 1, 21527, 8);
  h.Load("Ascend310P", node);
  auto r = h.Fit("Ascend310P", Container({{"huawei.com/Ascend310P", "1"}, {"huawei.com/Ascend310P-memory", "3000"}}));
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.annotations,
            (AnnotationMap{{"hami.io/Ascend310P-devices-allocated", "NPU-0,Ascend310P,3072,0:;"},
                           {"hami.io/Ascend310P-devices-to-allocate", "NPU-0,Ascend310P,3072,0:;"},
                           {"huawei.com/Ascend310P", R"([{"UUID":"NPU-0","temp":"vir01","memory":3072}])"},
                           {"predicate-time", "1700000000"}}));
  r = h.Fit("Ascend310P", Container({{"huawei.com/Ascend310P", "1"}, {"huawei.com/Ascend310P-memory", "12000"}}));
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.annotations.at("huawei.com/Ascend310P"), R"([{"UUID":"NPU-0","temp":"vir04","memory":12288}])");
  // 21527 - 3072 - 12288 = 6167 left: vir02 (6144) fits, the whole card does not.
  EXPECT_EQ(h.Fit("Ascend310P", Container({{"huawei.com/Ascend310P", "1"}, {"huawei.com/Ascend310P-memory", "6000"}}))
                .outcome.ok,
            true);
  EXPECT_EQ(h.Fit("Ascend310P", Container({{"huawei.com/Ascend310P", "1"}})).reason, "1/1 CardInsufficientMemory");
  EXPECT_EQ(h.Fit("Ascend310P", Container({{"huawei.com/Ascend310P", "2"}})).reason, "1/1 CardInsufficientMemory");
}

TEST(Ascend, SoftSplitExactMemoryAndCorePercent) {
  Harness h(Enabled());
  for (const char* cw : {"Ascend910B3", "Ascend310P"}) {
    FakeNode node;
    node.annotations[std::string("hami.io/node-register-") + cw] = Register(cw, 1, 21527, 8);
    node.annotations["hami-vnpu-core"] = "true";
    h.Load(cw, node);
    const std::string res = std::string("huawei.com/") + cw;
    // 60 % of a card registered with 8 AI cores: soft split counts 100.
    auto r = h.Fit(cw, Container({{res, "1"}, {res + "-memory", "10000"}, {res + "-core", "60"}}), kSoft);
    ASSERT_TRUE(r.outcome.ok) << cw << " " << r.reason;
    EXPECT_EQ(r.annotations.at("hami.io/" + std::string(cw) + "-devices-allocated"), "NPU-0," + std::string(cw) + ",10000,60:;");
    EXPECT_EQ(r.annotations.at(res), R"([{"UUID":"NPU-0","memory":10000,"core":60}])");
    EXPECT_EQ(h.Fit(cw, Container({{res, "1"}, {res + "-memory", "1000"}, {res + "-core", "50"}}), kSoft).reason,
              "1/1 CardInsufficientCore");
  }
}

TEST(Ascend, SoftSplitNeedsANodeThatRunsIt) {
  for (bool annotate : {false, true}) {
    Harness h(Enabled());
    FakeNode node;
    node.annotations["hami.io/node-register-Ascend910B3"] = Register("Ascend910B3", 2, 65536, 20);
    if (annotate) node.annotations["hami-vnpu-core"] = "false";
    h.Load("Ascend910B3", node);
    auto soft = Container({{"huawei.com/Ascend910B3", "1"}, {"huawei.com/Ascend910B3-memory", "1000"},
                           {"huawei.com/Ascend910B3-core", "10"}});
    EXPECT_EQ(h.Fit("Ascend910B3", soft, kSoft).reason, "1/2 ModeNotFit");
    // A hard-split pod is welcome on either kind of node.
    EXPECT_TRUE(h.Fit("Ascend910B3", Container({{"huawei.com/Ascend910B3", "1"}})).outcome.ok);
  }
  // The global switch serves nodes without the annotation; the annotation wins.
  Harness h(Enabled("vnpus:\n  hamiVnpuCore: true\n  configs:\n  - {commonWord: Ascend910B3, resourceName: "
                    "huawei.com/Ascend910B3, resourceMemoryName: huawei.com/Ascend910B3-memory, resourceCoreName: "
                    "huawei.com/Ascend910B3-core, memoryAllocatable: 65536, memoryCapacity: 65536}\n"));
  FakeNode node;
  node.annotations["hami.io/node-register-Ascend910B3"] = Register("Ascend910B3", 1, 65536, 20);
  h.Load("Ascend910B3", node);
  auto soft = Container({{"huawei.com/Ascend910B3", "1"}, {"huawei.com/Ascend910B3-core", "10"}});
  EXPECT_TRUE(h.Fit("Ascend910B3", soft, kSoft).outcome.ok);
  node.annotations["hami-vnpu-core"] = "false";
  h.Load("Ascend910B3", node);
  EXPECT_EQ(h.Fit("Ascend910B3", soft, kSoft).reason, "1/1 ModeNotFit");
}

TEST(Ascend, NetworkTopologyAndScore) {
  Harness h(Enabled());
  FakeNode node;
  node.annotations["hami.io/node-register-Ascend910B3"] = Register("Ascend910B3", 4, 65536, 20, {0, 1, 0, 1});
  h.Load("Ascend910B3", node);
  EXPECT_EQ(h.devices()[1].group, 2);
  // Spread walks NPU-3, 2, 1, 0: two of network 1 come first.
  auto r = h.Fit("Ascend910B3", Container({{"huawei.com/Ascend910B3", "2"}}));
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.indexes, (std::vector<int32_t>{3, 1}));
  // Node score: network concentration x 10.
  auto inv = h.Get("Ascend910B3").inventory().Decode(node.View());
  ASSERT_TRUE(inv.ok());
  ASSERT_TRUE(inv->score);
  std::vector<HeldDevice> same = {{"NPU-1"}, {"NPU-3"}}, mixed = {{"NPU-0"}, {"NPU-1"}};
  EXPECT_DOUBLE_EQ(inv->score(ScoreInput{inv->devices, same}), 10);
  EXPECT_DOUBLE_EQ(inv->score(ScoreInput{inv->devices, mixed}), 5);
  // 310P does not score.
  node.annotations["hami.io/node-register-Ascend310P"] = Register("Ascend310P", 1, 21527, 8, {0});
  EXPECT_FALSE(h.Get("Ascend310P").inventory().Decode(node.View())->score);
}

TEST(Ascend, Ascend910CTakesWholeModules) {
  Harness h(Enabled());
  FakeNode node;
  node.annotations["hami.io/node-register-Ascend910C"] = Register("Ascend910C", 6, 65536, 20, {0, 0, 0, 0, 0, 0});
  h.Load("Ascend910C", node);
  // NPU-5 is in use: the module (4, 5) is not whole, modules (0, 1) and (2, 3) are.
  h.devices()[5].used = 4;
  auto r = h.Fit("Ascend910C", Container({{"huawei.com/Ascend910C", "4"}}));
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.indexes, (std::vector<int32_t>{3, 2, 1, 0}));
  // Five free NPUs, only one whole module among them: refused (with exactly
  // as many free NPUs as asked, HAMi takes them as they are).
  node.annotations["hami.io/node-register-Ascend910C"] = Register("Ascend910C", 8, 65536, 20, {0, 0, 0, 0, 0, 0, 0, 0});
  h.Load("Ascend910C", node);
  h.devices()[1].used = h.devices()[3].used = h.devices()[5].used = 4;
  EXPECT_EQ(h.Fit("Ascend910C", Container({{"huawei.com/Ascend910C", "4"}})).reason,
            "2/8 AllocatedCardsInsufficientRequest, 3/8 CardTimeSlicingExhausted");
}

TEST(Ascend, MalformedRegistrationIsAnError) {
  Harness h(Enabled());
  FakeNode node;
  node.annotations["hami.io/node-register-Ascend910B3"] = R"([{"id":"x","count":"four"}])";
  EXPECT_FALSE(h.Get("Ascend910B3").inventory().Decode(node.View()).ok());
  node.annotations["hami.io/node-register-Ascend910B3"] = R"([{"id":"x","count":1,"custominfo":{"NetworkID":"a"}}])";
  auto inv = h.Get("Ascend910B3").inventory().Decode(node.View());
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->devices[0].group, 0);
}

}  // namespace
}  // namespace hami::vendors
