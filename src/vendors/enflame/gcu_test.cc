// Golden tests for Enflame whole GCUs: capacity inventory, exclusive cards
// with HAMi's reason, the device list byte for byte.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

TEST(EnflameGcu, ExclusiveWholeCards) {
  testing::FakeNode node;
  node.Capacity("enflame.com/gcu", 2);
  testing::Harness h;
  h.Load("GCU", node);
  EXPECT_EQ(h.Described(), (std::vector<std::string>{"node-a-GCU-0 #0 GCU GCU numa=0 slots=1 mem=100 cores=100 healthy",
                                                     "node-a-GCU-1 #1 GCU GCU numa=0 slots=1 mem=100 cores=100 healthy"}));
  const auto one = testing::Container({{"enflame.com/gcu", "1"}});
  auto first = h.Fit("GCU", one);
  EXPECT_EQ(first.annotations, (AnnotationMap{{"hami.io/enflame-gcu-devices-allocated", "node-a-GCU-1,GCU,100,100:;"},
                                              {"hami.io/enflame-gcu-devices-to-allocate", "node-a-GCU-1,GCU,100,100:;"}}));
  EXPECT_EQ(h.Fit("GCU", testing::Container({{"enflame.com/gcu", "2"}})).reason,
            "1/2 AllocatedCardsInsufficientRequest, 1/2 ExclusiveDeviceAllocateConflict");
  EXPECT_EQ(h.Get("GCU").names().node_lock, NodeLockKind::kNone);
}

}  // namespace
}  // namespace hami::vendors
