// Golden tests for Kunlun vXPU: memory slices, admission rounding, the
// same-slice rule on shared cards, the device list byte for byte.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

std::string Register(int cards) {
  std::string out = "[";
  for (int i = 0; i < cards; ++i) {
    out += std::string(i ? "," : "") + R"({"id":"XPU-)" + std::to_string(i) + R"(","index":)" + std::to_string(i) +
           R"(,"count":4,"devmem":98304,"devcore":100,"type":"P800","health":true})";
  }
  return out + "]";
}

TEST(KunlunVxpu, SlicesAndAdmission) {
  testing::Harness h;
  const Vendor& v = h.Get("XPU");
  EXPECT_EQ(v.names().handshake_annotation, "hami.io/node-handshake-xpu");
  auto r = v.parser().Parse(testing::Container({{"kunlunxin.com/vxpu", "1"}, {"kunlunxin.com/vxpu-memory", "30000"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->mem_mib, 49152);
  EXPECT_EQ(r->cores, 50);
  r = v.parser().Parse(testing::Container({{"kunlunxin.com/vxpu", "1"}}));
  EXPECT_EQ(r->mem_mib, 98304);
  EXPECT_EQ(r->cores, 100);
  ContainerResources c = testing::Container({{"kunlunxin.com/vxpu", "1"}, {"kunlunxin.com/vxpu-memory", "1000"}});
  ASSERT_TRUE(v.mutator().Mutate(c)->has_resource);
  EXPECT_EQ(c.limits.at("kunlunxin.com/vxpu-memory").Value(), 24576);
  EXPECT_EQ(c.requests.at("kunlunxin.com/vxpu-memory").Value(), 24576);
}

TEST(KunlunVxpu, SharedCardsTakeOnlyTheirSliceSize) {
  testing::Harness h;
  testing::FakeNode node;
  node.annotations["hami.io/node-register-xpu"] = Register(8);
  h.Load("XPU", node);
  const auto quarter = testing::Container({{"kunlunxin.com/vxpu", "1"}, {"kunlunxin.com/vxpu-memory", "20000"}});
  auto r = h.Fit("XPU", quarter);
  EXPECT_EQ(r.annotations, (AnnotationMap{{"hami.io/xpu-devices-allocated", "XPU-0,XPU,24576,25:;"},
                                          {"hami.io/xpu-devices-to-allocate", "XPU-0,XPU,24576,25:;"}}));
  // Card 0 now holds quarter slices: a half slice goes elsewhere, a quarter may join.
  for (auto& d : h.devices()) {
    if (d.index != 0) d.used = 1, d.used_mem_mib = 98304;  // every other card full
  }
  const auto half = testing::Container({{"kunlunxin.com/vxpu", "1"}, {"kunlunxin.com/vxpu-memory", "40000"}});
  EXPECT_EQ(h.Fit("XPU", half).reason, "1/1 NumaNotFit");
  r = h.Fit("XPU", quarter);
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.indexes, std::vector<int32_t>{0});
}

}  // namespace
}  // namespace hami::vendors
