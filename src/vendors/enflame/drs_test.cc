// Golden tests for Enflame DRS slices: the capacity inventory (and what a
// malformed one returns), request reading and admission, HAMi's profile
// choice (direct slices, memory in GB or MiB, core %), the refusals, the
// annotations byte for byte and the slices a rebuilt pod takes.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

constexpr char kKeyword[] = "Enflame";
constexpr char kProfiles[] = R"("profiles":{"1g.6gb":"0","3g.20gb":"1","6g.40gb":"2"})";

testing::FakeNode Node(const std::string& devices = R"([{"index":"0","minor":"0","capacity":6},{"index":"1","minor":"3","capacity":"6"}])") {
  testing::FakeNode node;
  node.annotations["enflame.com/gcu-drs-capacity"] = R"({"devices":)" + devices + "," + kProfiles + "}";
  return node;
}

ContainerResources Slices(const std::string& n) { return testing::Container({{"enflame.com/drs-gcu", n}}); }

TEST(EnflameDrs, Inventory) {
  testing::Harness h;
  h.Load(kKeyword, Node());
  EXPECT_EQ(h.Described(),
            (std::vector<std::string>{"node-a-enflame-drs-0 #0 Enflame Enflame numa=0 slots=6 mem=40960 cores=100 healthy",
                                      "node-a-enflame-drs-1 #1 Enflame Enflame numa=0 slots=6 mem=40960 cores=100 healthy"}));
  // An unreadable index takes the card's position; "4g" is no profile, "2g.big" has slices but no
  // memory: memory = the largest slice count x 1024.
  testing::FakeNode odd;
  odd.annotations["enflame.com/gcu-drs-capacity"] =
      R"({"Devices":[{"index":"x","capacity":4.0}],"profiles":{"4g":"7","2g.big":"8"}})";
  h.Load(kKeyword, odd);
  EXPECT_EQ(h.Described(), (std::vector<std::string>{"node-a-enflame-drs-0 #0 Enflame Enflame numa=0 slots=4 mem=2048 cores=100 healthy"}));
  const Vendor& v = h.Get(kKeyword);
  EXPECT_EQ(v.names().node_lock, NodeLockKind::kNone);
  EXPECT_EQ(v.names().managed_resources,
            (std::vector<std::string>{"enflame.com/drs-gcu", "enflame.com/gcu-memory", "enflame.com/gcu-core"}));
  testing::FakeNode none;
  EXPECT_TRUE(v.inventory().Decode(none.View())->devices.empty());
}

TEST(EnflameDrs, MalformedInventoryIsAnError) {
  testing::Harness h;
  const Vendor& v = h.Get(kKeyword);
  for (const std::string& value : {
           std::string("{"), std::string("[]"), std::string(""),
           std::string(R"({"devices":[{"index":"0","capacity":6}],"profiles":{}})"),          // no profile
           std::string(R"({"devices":[],)") + kProfiles + "}",                                // no card
           std::string(R"({"devices":[{"index":"0","capacity":0}],)") + kProfiles + "}",      // capacity 0
           std::string(R"({"devices":[{"index":"0"}],)") + kProfiles + "}",                   // no capacity
           std::string(R"({"devices":[{"index":"0","capacity":"six"}],)") + kProfiles + "}",  // not a number
           std::string(R"({"devices":[{"index":"0","capacity":6.5}],)") + kProfiles + "}",    // not whole
           std::string(R"({"devices":[{"index":0,"capacity":6}],)") + kProfiles + "}",        // index not a string
           std::string(R"({"devices":[{"index":"0","capacity":6}],"profiles":{"1g.6gb":1}})"),  // id not a string
       }) {
    testing::FakeNode node;
    node.annotations["enflame.com/gcu-drs-capacity"] = value;
    EXPECT_FALSE(v.inventory().Decode(node.View()).ok()) << value;
  }
}

TEST(EnflameDrs, RequestsAndAdmission) {
  testing::Harness h;
  const Vendor& v = h.Get(kKeyword);
  EXPECT_EQ(v.parser().Parse(Slices("3")), (DeviceRequest{kKeyword, 1, 3, 0, 0}));
  EXPECT_EQ(v.parser().Parse(testing::Container({{"enflame.com/gcu-memory", "16"}, {"enflame.com/gcu-core", "50"}})),
            (DeviceRequest{kKeyword, 1, 16, -1, 50}));
  // A slice count that is not a positive integer falls back to the spec.
  EXPECT_EQ(v.parser().Parse(testing::Container({{"enflame.com/drs-gcu", "0"}, {"enflame.com/gcu-core", "10"}})),
            (DeviceRequest{kKeyword, 1, 0, -1, 10}));
  EXPECT_FALSE(v.parser().Parse(Slices("3000000000")));
  EXPECT_FALSE(v.parser().Parse(testing::Container({{"enflame.com/gcu-memory", "16Gi"}})));  // bytes: too large
  EXPECT_FALSE(v.parser().Parse(testing::Container({{"enflame.com/gcu", "1"}})));

  ContainerResources c = Slices("0");
  EXPECT_EQ(v.mutator().Mutate(c).status().message(), "enflame.com/drs-gcu must be greater than 0");
  c = testing::Container({{"enflame.com/gcu-core", "101"}});
  EXPECT_EQ(v.mutator().Mutate(c).status().message(), "enflame.com/gcu-core must be in range (0,100]");
  c = testing::Container({{"enflame.com/gcu-memory", "-1"}});
  EXPECT_EQ(v.mutator().Mutate(c).status().message(), "enflame.com/gcu-memory must be greater than 0");
  c = testing::Container({});
  c.requests.insert_or_assign("enflame.com/gcu-memory", api::Quantity::FromInteger(20));
  ASSERT_TRUE(v.mutator().Mutate(c)->has_resource);
  EXPECT_EQ(c.limits.at("enflame.com/gcu-memory").Value(), 20);
  c = Slices("3");
  ASSERT_TRUE(v.mutator().Mutate(c)->has_resource);
  EXPECT_EQ(c.requests.at("enflame.com/drs-gcu").Value(), 3);
  c = testing::Container({{"enflame.com/gcu", "1"}});
  EXPECT_FALSE(v.mutator().Mutate(c)->has_resource);
}

TEST(EnflameDrs, ProfileChoice) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> limits;
    int64_t mem_mib;
    int32_t cores, slots;  // slots 0 = ModeNotFit
  };
  const Case cases[] = {
      {{{"enflame.com/drs-gcu", "1"}}, 6144, 17, 1},          // ceil(1 x 100 / 6)
      {{{"enflame.com/drs-gcu", "6"}}, 40960, 100, 6},
      {{{"enflame.com/drs-gcu", "2"}}, 0, 0, 0},              // no 2-slice profile
      {{{"enflame.com/gcu-memory", "16"}}, 20480, 50, 3},     // GB
      {{{"enflame.com/gcu-memory", "80"}}, 0, 0, 0},          // 80 GB: 2 x 40, still GB
      {{{"enflame.com/gcu-memory", "81"}}, 6144, 17, 1},      // above 2 x 40: MiB, 1 GB
      {{{"enflame.com/gcu-memory", "20480"}}, 20480, 50, 3},  // MiB, 20 GB
      {{{"enflame.com/gcu-memory", "20481"}}, 40960, 100, 6}, // MiB, 21 GB
      {{{"enflame.com/gcu-core", "50"}}, 20480, 50, 3},
      {{{"enflame.com/gcu-core", "51"}}, 40960, 100, 6},
      {{{"enflame.com/gcu-memory", "6"}, {"enflame.com/gcu-core", "20"}}, 20480, 50, 3},
  };
  for (const auto& c : cases) {
    testing::Harness h;
    h.Load(kKeyword, Node());
    ContainerResources res = testing::Container({});
    for (const auto& [k, v] : c.limits) res.limits.insert_or_assign(k, api::Quantity::Parse(v).value());
    auto r = h.Fit(kKeyword, res);
    const std::string what = c.limits.front().first + "=" + c.limits.front().second;
    if (c.slots == 0) {
      EXPECT_EQ(r.reason, "1/2 ModeNotFit") << what;
      continue;
    }
    ASSERT_TRUE(r.outcome.ok) << what << ": " << r.reason;
    EXPECT_EQ(r.outcome.chosen[0].mem_mib, c.mem_mib) << what;
    EXPECT_EQ(r.outcome.chosen[0].cores, c.cores) << what;
    EXPECT_EQ(r.outcome.chosen[0].slots, c.slots) << what;
  }
}

TEST(EnflameDrs, AnnotationsByteForByte) {
  testing::Harness h;
  h.Load(kKeyword, Node());
  auto r = h.Fit(kKeyword, Slices("3"));
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.annotations,
            (AnnotationMap{{"assigned-containers", R"({"c":{"allocated":false,"request":3,"profileID":"1","profileName":"3g.20gb"}})"},
                           {"enflame.com/gcu-assigned", "false"},
                           {"enflame.com/gcu-assigned-id", "1"},
                           {"enflame.com/gcu-assigned-index", "1"},
                           {"enflame.com/gcu-assigned-minor", "3"},
                           {"enflame.com/gcu-assigned-time", "1700000000123456789"},
                           {"enflame.com/gcu-request-size", "3"},
                           {"hami.io/enflame-vgpu-devices-allocated", "node-a-enflame-drs-1,Enflame,20480,50:;"}}));
  EXPECT_EQ(h.devices()[1].used, 3);

  // Two containers (an init container first): one entry each, the first one's card.
  api::PodDevices two = {{{"node-a-enflame-drs-0", "Enflame", 6144, 17}}, {{"node-a-enflame-drs-1", "Enflame", 40960, 100}}};
  const ContainerResources containers[] = {{.name = "init"}, {.name = "main"}};
  AnnotationMap out;
  h.Get(kKeyword).annotator().Annotate(two, FilterContext{"node-a", 5, nullptr, h.devices(), containers}, out);
  EXPECT_EQ(out.at("assigned-containers"),
            R"({"init":{"allocated":false,"request":1,"profileID":"0","profileName":"1g.6gb"},)"
            R"("main":{"allocated":false,"request":6,"profileID":"2","profileName":"6g.40gb"}})");
  EXPECT_EQ(out.at("enflame.com/gcu-assigned-index"), "0");
  EXPECT_EQ(out.at("enflame.com/gcu-assigned-minor"), "0");
  EXPECT_EQ(out.at("enflame.com/gcu-request-size"), "1");
  EXPECT_EQ(out.at("hami.io/enflame-vgpu-devices-allocated"),
            "node-a-enflame-drs-0,Enflame,6144,17:;node-a-enflame-drs-1,Enflame,40960,100:;");
  EXPECT_FALSE(out.contains("hami.io/enflame-vgpu-devices-to-allocate"));
}

TEST(EnflameDrs, RebuiltPodsTakeTheirSlices) {
  testing::Harness h;
  h.Load(kKeyword, Node());
  auto r = h.Fit(kKeyword, Slices("3"));
  const PodAnnotator& a = h.Get(kKeyword).annotator();
  EXPECT_EQ(a.Mark(r.annotations, r.devices[0][0]).slots, 3);
  EXPECT_EQ(a.Mark({{"enflame.com/gcu-request-size", "6"}}, r.devices[0][0]).slots, 6);
  EXPECT_EQ(a.Mark({}, r.devices[0][0]).slots, 0);  // one
  EXPECT_EQ(a.Mark({{"assigned-containers", "{"}}, r.devices[0][0]).slots, 0);
}

TEST(EnflameDrs, Refusals) {
  testing::Harness h;
  h.Load(kKeyword, Node());
  ASSERT_TRUE(h.Fit(kKeyword, Slices("3")).outcome.ok);
  ASSERT_TRUE(h.Fit(kKeyword, Slices("3")).outcome.ok);
  EXPECT_EQ(h.Fit(kKeyword, Slices("6")).reason, "2/2 CardInsufficientMemory");
  EXPECT_EQ(h.Fit(kKeyword, Slices("3"), {{"hami.io/gpu-scheduler-policy", "mutex"}}).reason,
            "2/2 ExclusiveDeviceAllocateConflict");
  EXPECT_EQ(h.Fit(kKeyword, Slices("1"), {{"enflame.com/nouse-gpuuuid", "node-a-enflame-drs-0,node-a-enflame-drs-1"}}).reason,
            "2/2 CardUuidMismatch");
  ASSERT_TRUE(h.Fit(kKeyword, Slices("3")).outcome.ok);
  ASSERT_TRUE(h.Fit(kKeyword, Slices("3")).outcome.ok);
  EXPECT_EQ(h.Fit(kKeyword, Slices("1")).reason, "2/2 CardTimeSlicingExhausted");
  EXPECT_EQ(h.Fit(kKeyword, Slices("4")).reason, "1/2 ModeNotFit");

  // Five 1-slice instances leave 10 GB but 15 % of the cores.
  testing::Harness one;
  one.Load(kKeyword, Node(R"([{"index":"0","minor":"0","capacity":6}])"));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(one.Fit(kKeyword, Slices("1")).outcome.ok);
  EXPECT_EQ(one.Fit(kKeyword, Slices("1")).reason, "1/1 CardInsufficientCore");
  auto r = one.Fit(kKeyword, Slices("1"), {{"enflame.com/use-gpuuuid", "node-a-enflame-drs-9"}});
  EXPECT_EQ(r.reason, "1/1 CardUuidMismatch");
}

}  // namespace
}  // namespace hami::vendors
