// Golden tests for Vastai: JSON registration, card mode (from the end of the
// policy order, nothing recorded but the slot), die mode (dies collected,
// the best card combination, mutex per card, refusals) and the node score,
// the device list byte for byte.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

constexpr char kVa[] = "vastaitech.com/va";

TEST(Vastai, CardMode) {
  testing::Harness h;
  EXPECT_EQ(h.Get("Vastai").names().handshake_annotation, "hami.io/node-handshake-va");
  EXPECT_EQ(h.Get("Vastai").names().register_annotation, "hami.io/node-va-register");
  testing::FakeNode node;
  node.annotations["hami.io/node-va-register"] =
      R"([{"id":"VA-0","count":1,"devmem":16384,"devcore":8,"type":"VA1","health":true},)"
      R"({"id":"VA-1","index":1,"count":1,"devmem":16384,"type":"VA1","health":false}])";
  h.Load("Vastai", node);
  EXPECT_EQ(h.Described(), (std::vector<std::string>{"VA-0 #0 VA1 Vastai numa=0 slots=1 mem=16384 cores=100 healthy",
                                                     "VA-1 #1 VA1 Vastai numa=0 slots=1 mem=16384 cores=100 unhealthy"}));
  auto r = h.Fit("Vastai", testing::Container({{kVa, "1"}}));
  EXPECT_EQ(r.annotations, (AnnotationMap{{"hami.io/Vastai-devices-allocated", "VA-0,Vastai,0,0:;"},
                                          {"hami.io/Vastai-devices-to-allocate", "VA-0,Vastai,0,0:;"}}));
  r = h.Fit("Vastai", testing::Container({{kVa, "1"}}));
  EXPECT_EQ(r.reason, "1/2 CardNotHealth, 1/2 CardTimeSlicingExhausted");
}

TEST(Vastai, CardModeTakesFromTheEnd) {
  testing::Harness h;
  testing::FakeNode node;
  node.annotations["hami.io/node-va-register"] =
      R"([{"id":"VA-0","count":2,"devmem":16384,"type":"VA1","health":true},)"
      R"({"id":"VA-1","index":1,"count":2,"devmem":16384,"type":"VA1","health":true}])";
  h.Load("Vastai", node);
  EXPECT_EQ(h.Fit("Vastai", testing::Container({{kVa, "1"}})).indexes, (std::vector<int32_t>{1}));
  EXPECT_EQ(h.Fit("Vastai", testing::Container({{kVa, "2"}})).indexes, (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(h.devices()[1].used, 2);  // shared by slots, no memory charged
  EXPECT_EQ(h.devices()[1].used_mem_mib, 0);
}

// Dies d0-d2 on card A0, d3 on card A1.
std::string DieRegistration(std::string strategy = "die") {
  std::string out = "[";
  for (int i = 0; i < 4; ++i) {
    out += std::string(i ? "," : "") + R"({"id":"d)" + std::to_string(i) + R"(","index":)" + std::to_string(i) +
           R"(,"count":1,"devmem":8192,"type":"VA16","health":true,"custominfo":{"AIC":"A)" +
           (i < 3 ? "0" : "1") + R"(","DeviceStrategy":")" + strategy + R"("}})";
  }
  return out + "]";
}

testing::FakeNode DieNode(std::string strategy = "die") {
  testing::FakeNode node;
  node.annotations["hami.io/node-va-register"] = DieRegistration(strategy);
  return node;
}

TEST(Vastai, DieModeInventory) {
  testing::Harness h;
  h.Load("Vastai", DieNode());
  std::vector<std::pair<int32_t, int32_t>> marks;
  for (const auto& d : h.devices()) marks.emplace_back(d.policy, d.group);
  EXPECT_EQ(marks, (std::vector<std::pair<int32_t, int32_t>>{{1, 1}, {1, 1}, {1, 1}, {1, 2}}));
  EXPECT_TRUE(h.inventory().score);
  h.Load("Vastai", DieNode("card"));
  EXPECT_EQ(h.devices()[3].policy, 2);
}

TEST(Vastai, DieModeTakesTheFullestCard) {
  testing::Harness h;
  h.Load("Vastai", DieNode());
  // All four dies collected (d3, d2, d1, d0); A0 holds three of them.
  auto r = h.Fit("Vastai", testing::Container({{kVa, "2"}}));
  EXPECT_EQ(r.annotations, (AnnotationMap{{"hami.io/Vastai-devices-allocated", "d2,Vastai,0,0:d1,Vastai,0,0:;"},
                                          {"hami.io/Vastai-devices-to-allocate", "d2,Vastai,0,0:d1,Vastai,0,0:;"}}));
  // One die: the first collected from the end of the policy order.
  EXPECT_EQ(h.Fit("Vastai", testing::Container({{kVa, "1"}})).indexes, (std::vector<int32_t>{3}));
  r = h.Fit("Vastai", testing::Container({{kVa, "2"}}));
  EXPECT_FALSE(r.outcome.ok);
  EXPECT_EQ(r.reason, "1/4 AllocatedCardsInsufficientRequest, 3/4 CardTimeSlicingExhausted");
  EXPECT_EQ(h.Fit("Vastai", testing::Container({{kVa, "1"}})).indexes, (std::vector<int32_t>{0}));
}

TEST(Vastai, DieModeMutexHoldsTheWholeCard) {
  testing::Harness h;
  h.Load("Vastai", DieNode());
  h.devices()[0].used = 1;  // a die of A0 in use
  const AnnotationMap mutex = {{"hami.io/gpu-scheduler-policy", "mutex"}};
  auto r = h.Fit("Vastai", testing::Container({{kVa, "2"}}), mutex);
  EXPECT_EQ(r.reason,
            "1/4 AllocatedCardsInsufficientRequest, 1/4 CardTimeSlicingExhausted, 2/4 ExclusiveDeviceAllocateConflict");
  EXPECT_EQ(h.Fit("Vastai", testing::Container({{kVa, "1"}}), mutex).indexes, (std::vector<int32_t>{3}));
  // Without mutex the idle dies of A0 are free.
  EXPECT_EQ(h.Fit("Vastai", testing::Container({{kVa, "2"}})).indexes, (std::vector<int32_t>{2, 1}));
}

TEST(Vastai, DieModeUuidSelection) {
  testing::Harness h;
  h.Load("Vastai", DieNode());
  auto r = h.Fit("Vastai", testing::Container({{kVa, "2"}}), {{"vastaitech.com/use-gpuuuid", "d3"}});
  EXPECT_EQ(r.reason, "1/4 AllocatedCardsInsufficientRequest, 3/4 CardUuidMismatch");
  r = h.Fit("Vastai", testing::Container({{kVa, "2"}}), {{"vastaitech.com/use-gpuuuid", "d3,d0"}});
  EXPECT_EQ(r.indexes, (std::vector<int32_t>{3, 0}));  // exactly two collected: taken as they come
}

// The node score of dies `taken` (device indexes per container).
double DieScore(const testing::FakeNode& node, std::vector<std::vector<int>> taken) {
  testing::Harness h;
  h.Load("Vastai", node);
  std::vector<HeldDevice> held;
  for (size_t c = 0; c < taken.size(); ++c) {
    for (int i : taken[c]) held.push_back({h.devices()[i].id, 0, static_cast<int32_t>(c)});
  }
  return h.inventory().score({h.devices(), held, nullptr, true});
}

TEST(Vastai, NodeScoreIsCardConcentration) {
  EXPECT_EQ(DieScore(DieNode(), {{1, 2}}), 1.0);
  EXPECT_EQ(DieScore(DieNode(), {{3, 2}}), 0.5);
  EXPECT_EQ(DieScore(DieNode(), {{0, 1, 2, 3}}), 0.75);
  EXPECT_EQ(DieScore(DieNode(), {{1, 2}, {3, 0}}), 1.5);  // per container
  EXPECT_EQ(DieScore(DieNode("card"), {{1, 2}}), 0);     // another strategy
  testing::FakeNode plain;                                 // no custominfo
  plain.annotations["hami.io/node-va-register"] =
      R"([{"id":"VA-0","count":1,"devmem":16384,"type":"VA1","health":true}])";
  EXPECT_EQ(DieScore(plain, {{0}}), 0);
  testing::FakeNode odd;  // an AIC that is not a string is not counted; no strategy still scores
  odd.annotations["hami.io/node-va-register"] =
      R"([{"id":"a","count":1,"devmem":1,"type":"VA16","health":true,"custominfo":{"AIC":7}},)"
      R"({"id":"b","index":1,"count":1,"devmem":1,"type":"VA16","health":true,"custominfo":{"AIC":"A0"}}])";
  EXPECT_EQ(DieScore(odd, {{0, 1}}), 1.0);
}

// Two die-mode nodes for a two-die pod: the node whose two idle dies share a
// card scores 1, the one with its idle dies on two cards 0.5.
TEST(Vastai, NodeScoresCompared) {
  auto fit_and_score = [](std::vector<int> busy) {
    testing::Harness h;
    h.Load("Vastai", DieNode());
    for (int i : busy) h.devices()[i].used = 1;
    const std::vector<DeviceUsage> before = h.devices();
    auto r = h.Fit("Vastai", testing::Container({{kVa, "2"}}));
    EXPECT_TRUE(r.outcome.ok);
    std::vector<HeldDevice> held;
    for (int32_t i : r.indexes) held.push_back({before[i].id, 0, 0});
    return h.inventory().score({before, held, nullptr, true});
  };
  EXPECT_EQ(fit_and_score({0}), 1.0);     // d1, d2 on A0
  EXPECT_EQ(fit_and_score({0, 1}), 0.5);  // d2 on A0, d3 on A1
}

}  // namespace
}  // namespace hami::vendors
