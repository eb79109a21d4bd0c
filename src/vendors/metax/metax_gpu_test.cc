// Golden tests for MetaX whole GPUs: devices from capacity, whole-card fit,
// the device list byte for byte.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

using testing::Container;
using testing::FakeNode;
using testing::Harness;

TEST(MetaxGpu, WholeCardsFromCapacity) {
  Harness h;
  EXPECT_EQ(h.Get("Metax-GPU").names().node_lock, NodeLockKind::kNone);
  FakeNode node;
  node.Capacity("metax-tech.com/gpu", 2);
  h.Load("Metax-GPU", node);
  ASSERT_EQ(h.devices().size(), 2u);
  EXPECT_EQ(h.devices()[0].id, "node-a-metax-0");
  EXPECT_EQ(h.devices()[0].count, 1);
  EXPECT_EQ(h.devices()[0].total_mem_mib, 65536);
  EXPECT_EQ(h.devices()[0].total_cores, 100);
  auto r = h.Fit("Metax-GPU", Container({{"metax-tech.com/gpu", "1"}}));
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.annotations, (AnnotationMap{{"hami.io/metax-gpu-devices-allocated", "node-a-metax-1,Metax-GPU,65536,100:;"},
                                          {"hami.io/metax-gpu-devices-to-allocate", "node-a-metax-1,Metax-GPU,65536,100:;"}}));
  ASSERT_TRUE(h.Fit("Metax-GPU", Container({{"metax-tech.com/gpu", "1"}})).outcome.ok);
  r = h.Fit("Metax-GPU", Container({{"metax-tech.com/gpu", "1"}}));
  EXPECT_EQ(r.reason, "2/2 CardTimeSlicingExhausted");
}

TEST(MetaxGpu, TopologyScore) {
  testing::Harness h;
  testing::FakeNode node;
  node.Capacity("metax-tech.com/gpu", 2);
  EXPECT_FALSE(h.Get("Metax-GPU").inventory().Decode(node.View())->score);  // no tables
  node.annotations["metax-tech.com/gpu.topology.losses"] = R"({"1":100,"2":300})";
  node.annotations["metax-tech.com/gpu.topology.scores"] = R"({"1":50,"2":10})";
  auto inv = h.Get("Metax-GPU").inventory().Decode(node.View());
  ASSERT_TRUE(inv.ok() && inv->score);
  const std::vector<HeldDevice> taken(3);
  auto score = [&](size_t n, bool binpack) {
    return inv->score(ScoreInput{{}, std::span(taken).first(n), nullptr, binpack});
  };
  EXPECT_EQ(score(1, /*binpack=*/true), 1900);
  EXPECT_EQ(score(2, /*binpack=*/false), 1990);
  EXPECT_EQ(score(3, true), 0);
  node.annotations["metax-tech.com/gpu.topology.losses"] = "not json";
  node.annotations.erase("metax-tech.com/gpu.topology.scores");
  EXPECT_FALSE(h.Get("Metax-GPU").inventory().Decode(node.View())->score);
}

}  // namespace
}  // namespace hami::vendors
