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

}  // namespace
}  // namespace hami::vendors
