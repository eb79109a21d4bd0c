// Golden tests for Kunlun whole XPUs: capacity inventory with two NUMA
// halves, HAMi's wing selection, the refusal reason and the annotations.
#include <gtest/gtest.h>

#include "vendors/kunlun/wings.h"
#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

std::vector<std::pair<int, bool>> Cards(std::vector<int> busy) {
  std::vector<std::pair<int, bool>> out;
  for (int i = 0; i < 8; ++i) out.emplace_back(i, std::find(busy.begin(), busy.end(), i) == busy.end());
  return out;
}

TEST(KunlunWings, TablesOfHami) {
  using kunlun::SelectOnWings;
  EXPECT_EQ(SelectOnWings(Cards({}), 8), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_TRUE(SelectOnWings(Cards({7}), 8).empty());
  EXPECT_EQ(SelectOnWings(Cards({0, 1, 2}), 1), (std::vector<int>{3}));  // the wing with one idle card
  EXPECT_EQ(SelectOnWings(Cards({0, 1, 4, 5}), 2), (std::vector<int>{2, 3}));
  EXPECT_EQ(SelectOnWings(Cards({0, 1, 2, 4, 5, 6}), 2), (std::vector<int>{3, 7}));  // across the wings
  EXPECT_EQ(SelectOnWings(Cards({2, 3, 6, 7}), 4), (std::vector<int>{0, 1, 4, 5}));  // a connected quad
  // Six idle, no quad leaves a linked pair: the last connected quad found.
  EXPECT_EQ(SelectOnWings(Cards({2, 7}), 4), (std::vector<int>{0, 1, 4, 5}));
  EXPECT_TRUE(SelectOnWings(Cards({}), 3).empty());
}

TEST(Kunlun, CapacityCardsWingsAndAnnotations) {
  testing::Harness h;
  EXPECT_EQ(h.Get("kunlun").names().node_lock, NodeLockKind::kNone);
  testing::FakeNode node;
  node.Capacity("kunlunxin.com/xpu", 8);
  h.Load("kunlun", node);
  ASSERT_EQ(h.devices().size(), 8u);
  EXPECT_EQ(testing::Describe(h.devices()[3]), "node-a-kunlun-3 #3 kunlun kunlun numa=0 slots=100 mem=98304 cores=100 healthy");
  EXPECT_EQ(testing::Describe(h.devices()[4]), "node-a-kunlun-4 #4 kunlun kunlun numa=1 slots=100 mem=98304 cores=100 healthy");
  auto r = h.Fit("kunlun", testing::Container({{"kunlunxin.com/xpu", "1"}}));
  EXPECT_EQ(r.annotations, (AnnotationMap{{"BAIDU_COM_DEVICE_IDX", "0"},
                                          {"hami.io/kunlun-allocated", "node-a-kunlun-0,kunlun,98304,100:;"}}));
  r = h.Fit("kunlun", testing::Container({{"kunlunxin.com/xpu", "2"}}));
  EXPECT_EQ(r.indexes, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(r.annotations.at("BAIDU_COM_DEVICE_IDX"), "1,2");
  r = h.Fit("kunlun", testing::Container({{"kunlunxin.com/xpu", "4"}}));
  EXPECT_EQ(r.indexes, (std::vector<int32_t>{4, 5, 6, 7}));
  r = h.Fit("kunlun", testing::Container({{"kunlunxin.com/xpu", "2"}}));
  EXPECT_FALSE(r.outcome.ok);
  EXPECT_EQ(r.reason, "1/1 NumaNotFit");
}

// The node's devices with cards `busy` in use, and the pod's cards `taken`.
double WingScore(std::vector<int> busy, std::vector<int> taken, bool other_vendor = false) {
  testing::Harness h;
  testing::FakeNode node;
  node.Capacity("kunlunxin.com/xpu", 8);
  h.Load("kunlun", node);
  std::vector<DeviceUsage> before = h.devices();
  for (int i : busy) before[i].used = 1;
  if (other_vendor) before.push_back(DeviceUsage{.id = "gpu-0", .type = "NVIDIA-A100", .vendor = "NVIDIA"});
  std::vector<HeldDevice> held;
  for (int i : taken) held.push_back({before[i].id, 100, 0});
  EXPECT_TRUE(h.inventory().score);
  return h.inventory().score({before, held, nullptr, true});
}

TEST(KunlunWings, NodeScoreIsTheBubbleChange) {
  // bubble(taken) - bubble(before): -1 -> 3000, 0 -> 2000, 1 -> 1000, 2 -> 0, else 1000.
  EXPECT_EQ(WingScore({}, {0}), 0);                            // 3 - 1
  EXPECT_EQ(WingScore({}, {0, 1, 2, 3}), 2000);                // 1 - 1
  EXPECT_EQ(WingScore({}, {0, 1, 2, 3, 4, 5, 6, 7}), 3000);    // 0 - 1
  EXPECT_EQ(WingScore({0, 1}, {4, 5, 6, 7}), 3000);            // 1 - 2
  EXPECT_EQ(WingScore({0}, {1}), 2000);                        // 3 - 3
  EXPECT_EQ(WingScore({0, 1, 2}, {3}), 1000);                  // 3 - 2
  EXPECT_EQ(WingScore({0, 1, 2, 3}, {4, 5, 6, 7}), 2000);      // 1 - 1
  EXPECT_EQ(WingScore({0, 1, 2, 3, 4}, {5, 6, 7}), 2000);      // 2 - 2
  EXPECT_EQ(WingScore({}, {0, 4}), 1000);                      // 4 - 1: out of the table
  EXPECT_EQ(WingScore({0, 4}, {1, 2}), 1000);                  // 2 - 4: out of the table
  EXPECT_EQ(WingScore({}, {0}, /*other_vendor=*/true), 0);     // a non-kunlun device on the node
  EXPECT_EQ(WingScore({}, {0, 1, 2, 3}, /*other_vendor=*/true), 0);
}

// Two nodes for a one-card pod: the one whose left wing has a single idle
// card left scores 1000 (the pod closes the wing), the idle node 0.
TEST(KunlunWings, NodeScoresCompared) {
  auto fit_and_score = [](std::vector<int> busy) {
    testing::Harness h;
    testing::FakeNode node;
    node.Capacity("kunlunxin.com/xpu", 8);
    h.Load("kunlun", node);
    for (int i : busy) h.devices()[i].used = 1;
    const std::vector<DeviceUsage> before = h.devices();
    auto r = h.Fit("kunlun", testing::Container({{"kunlunxin.com/xpu", "1"}}));
    EXPECT_TRUE(r.outcome.ok);
    std::vector<HeldDevice> held;
    for (int32_t i : r.indexes) held.push_back({before[i].id, 100, 0});
    return std::pair(r.indexes, h.inventory().score({before, held, nullptr, true}));
  };
  EXPECT_EQ(fit_and_score({0, 1, 2}), std::pair(std::vector<int32_t>{3}, 1000.0));
  EXPECT_EQ(fit_and_score({}), std::pair(std::vector<int32_t>{0}, 0.0));
  EXPECT_EQ(fit_and_score({0, 1, 2, 4, 5, 6}), std::pair(std::vector<int32_t>{3}, 1000.0));  // 3 - 2
}

}  // namespace
}  // namespace hami::vendors
