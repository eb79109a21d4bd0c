// Golden tests for AMD: JSON registration with CU counts, percent-to-CU
// conversion, the model name as device-list type, refusals.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

TEST(Amd, ComputeUnitsAndModelType) {
  testing::Harness h;
  EXPECT_EQ(h.Get("AMD").names().node_lock, NodeLockKind::kHami);
  EXPECT_TRUE(h.Get("AMD").names().cores_are_units);
  testing::FakeNode node;
  node.annotations["hami.io/node-amd-register"] =
      R"([{"id":"8eff74b5","count":10,"devmem":196608,"devcore":304,"type":"AMD Instinct MI300X VF","mode":"hami-core","health":true}])";
  h.Load("AMD", node);
  auto r = h.Fit("AMD", testing::Container({{"amd.com/gpu", "1"}, {"amd.com/gpumem", "4096"}, {"amd.com/gpucores", "25"}}));
  EXPECT_EQ(r.annotations, (AnnotationMap{{"hami.io/amd-devices-allocated", "8eff74b5,AMD Instinct MI300X VF,4096,76:;"},
                                          {"hami.io/amd-devices-to-allocate", "8eff74b5,AMD Instinct MI300X VF,4096,76:;"}}));
  // 0 % still takes one CU; the whole card is no longer free.
  r = h.Fit("AMD", testing::Container({{"amd.com/gpu", "1"}, {"amd.com/gpumem", "1"}, {"amd.com/gpucores", "0"}}));
  EXPECT_EQ(r.devices.at(0).at(0).used_cores, 1);
  EXPECT_EQ(h.Fit("AMD", testing::Container({{"amd.com/gpu", "1"}})).reason, "1/1 CardInsufficientMemory");
  EXPECT_EQ(h.Fit("AMD", testing::Container({{"amd.com/gpu", "1"}, {"amd.com/gpumem", "1"}}),
                  {{"amd.com/nouse-gputype", "mi300x"}}).reason,
            "1/1 CardTypeMismatch");
}

}  // namespace
}  // namespace hami::vendors
