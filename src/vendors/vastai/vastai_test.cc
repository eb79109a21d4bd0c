// Golden tests for Vastai (card mode): JSON registration, whole-memory
// front-first fit, the device list byte for byte.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

TEST(Vastai, CardMode) {
  testing::Harness h;
  EXPECT_EQ(h.Get("Vastai").names().handshake_annotation, "hami.io/node-handshake-va");
  testing::FakeNode node;
  node.annotations["hami.io/node-va-register"] =
      R"([{"id":"VA-0","count":1,"devmem":16384,"devcore":8,"type":"VA1","health":true},)"
      R"({"id":"VA-1","index":1,"count":1,"devmem":16384,"type":"VA1","health":false}])";
  h.Load("Vastai", node);
  EXPECT_EQ(h.Described(), (std::vector<std::string>{"VA-0 #0 VA1 Vastai numa=0 slots=1 mem=16384 cores=100 healthy",
                                                     "VA-1 #1 VA1 Vastai numa=0 slots=1 mem=16384 cores=100 unhealthy"}));
  auto r = h.Fit("Vastai", testing::Container({{"vastaitech.com/va", "1"}}));
  EXPECT_EQ(r.annotations, (AnnotationMap{{"hami.io/Vastai-devices-allocated", "VA-0,Vastai,16384,0:;"},
                                          {"hami.io/Vastai-devices-to-allocate", "VA-0,Vastai,16384,0:;"}}));
  r = h.Fit("Vastai", testing::Container({{"vastaitech.com/va", "1"}}));
  EXPECT_EQ(r.reason, "1/2 CardNotHealth, 1/2 CardTimeSlicingExhausted");
}

}  // namespace
}  // namespace hami::vendors
