// Golden tests for Biren: JSON registration with devcore forced to 100,
// end-first whole-card fit (the policy order walked from its end), the device list byte for byte.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

using testing::Container;
using testing::FakeNode;
using testing::Harness;

TEST(Biren, CountOnlyCards) {
  Harness h;
  const auto& n = h.Get("Biren").names();
  EXPECT_EQ(n.handshake_annotation, "hami.io/node-handshake-biren");
  EXPECT_EQ(n.node_lock, NodeLockKind::kHami);
  FakeNode node;
  node.annotations["hami.io/node-biren-register"] =
      R"([{"id":"BR-0","count":1,"devmem":65536,"type":"BR104","health":true},)"
      R"({"id":"BR-1","index":1,"count":1,"devmem":65536,"type":"BR104","health":true}])";
  h.Load("Biren", node);
  ASSERT_EQ(h.devices().size(), 2u);
  EXPECT_EQ(h.devices()[0].total_cores, 100);
  auto r = h.Fit("Biren", Container({{"birentech.com/gpu", "1"}}));
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  // Walked from the end: the last device of the policy order.
  EXPECT_EQ(r.annotations, (AnnotationMap{{"hami.io/Biren-devices-allocated", "BR-1,Biren,0,0:;"},
                                          {"hami.io/Biren-devices-to-allocate", "BR-1,Biren,0,0:;"}}));
  r = h.Fit("Biren", Container({{"birentech.com/gpu", "2"}}));
  EXPECT_EQ(r.reason, "1/2 AllocatedCardsInsufficientRequest, 1/2 CardTimeSlicingExhausted");
  r = h.Fit("Biren", Container({{"birentech.com/gpu", "1"}}), {{"birentech.com/use-gpuuuid", "BR-1"}});
  EXPECT_EQ(r.reason, "1/2 CardTimeSlicingExhausted, 1/2 CardUuidMismatch");
}

}  // namespace
}  // namespace hami::vendors
