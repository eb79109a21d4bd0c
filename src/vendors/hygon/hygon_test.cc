// Golden tests for Hygon DCU: legacy registration text, fit refusals with
// HAMi's reason tokens, and the device list written byte for byte.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

using testing::Container;
using testing::FakeNode;
using testing::Harness;

FakeNode DcuNode() {
  FakeNode n;
  n.annotations["hami.io/node-dcu-register"] =
      "DCU-a,4,65520,100,DCU-Z100,0,true,0,hami-core:DCU-b,4,65520,100,DCU-K100,1,true,1,hami-core:";
  return n;
}

TEST(Hygon, NamesAndResources) {
  Harness h;
  const auto& n = h.Get("DCU").names();
  EXPECT_EQ(testing::Resources(n),
            (std::vector<std::string>{"hygon.com/dcunum", "hygon.com/dcumem", "hygon.com/dcucores"}));
  EXPECT_EQ(n.handshake_annotation, "hami.io/node-handshake-dcu");
  EXPECT_EQ(n.node_lock, NodeLockKind::kHami);
}

TEST(Hygon, DecodesLegacyRegistration) {
  Harness h;
  FakeNode bad;
  bad.annotations["hami.io/node-dcu-register"] = "DCU-a,4,65520";  // 3 of 7 fields
  EXPECT_FALSE(h.Get("DCU").inventory().Decode(bad.View()).ok());
  EXPECT_TRUE(h.Get("DCU").inventory().Decode(FakeNode{}.View())->devices.empty());
  h.Load("DCU", DcuNode());
  const std::vector<std::string> want = {
      "DCU-a #0 DCU-Z100 DCU numa=0 slots=4 mem=65520 cores=100 healthy",
      "DCU-b #1 DCU-K100 DCU numa=1 slots=4 mem=65520 cores=100 healthy"};
  EXPECT_EQ(h.Described(), want);
}

TEST(Hygon, RequestDefaultsToAllCoresAndWholeMemory) {
  Harness h;
  auto r = h.Get("DCU").parser().Parse(Container({{"hygon.com/dcunum", "1"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->vendor, "DCU");
  EXPECT_EQ(r->cores, 100);
  EXPECT_EQ(r->mem_percent, 100);
  r = h.Get("DCU").parser().Parse(
      Container({{"hygon.com/dcunum", "2"}, {"hygon.com/dcumem", "2000"}, {"hygon.com/dcucores", "60"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->count, 2);
  EXPECT_EQ(r->mem_mib, 2000);
  EXPECT_EQ(r->cores, 60);
  EXPECT_FALSE(h.Get("DCU").parser().Parse(Container({{"hygon.com/dcumem", "2000"}})));
}

TEST(Hygon, FitWritesDeviceListByteForByte) {
  Harness h;
  h.Load("DCU", DcuNode());
  auto r = h.Fit("DCU", Container({{"hygon.com/dcunum", "1"}, {"hygon.com/dcumem", "2000"},
                                   {"hygon.com/dcucores", "60"}}),
                 {{"hygon.com/use-dcutype", "k100"}});
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.annotations.at("hami.io/dcu-devices-to-allocate"), "DCU-b,DCU,2000,60:;");
  EXPECT_EQ(r.annotations.at("hami.io/dcu-devices-allocated"), "DCU-b,DCU,2000,60:;");
  EXPECT_EQ(r.annotations.size(), 2u);
}

TEST(Hygon, RefusalsCarryHamiReasons) {
  Harness h;
  h.Load("DCU", DcuNode());
  auto r = h.Fit("DCU", Container({{"hygon.com/dcunum", "1"}}), {{"hygon.com/nouse-dcutype", "Z100,K100"}});
  EXPECT_FALSE(r.outcome.ok);
  EXPECT_EQ(r.reason, "2/2 CardTypeMismatch");
  r = h.Fit("DCU", Container({{"hygon.com/dcunum", "1"}}), {{"hygon.com/use-gpuuuid", "DCU-x"}});
  EXPECT_EQ(r.reason, "2/2 CardUuidMismatch");
  r = h.Fit("DCU", Container({{"hygon.com/dcunum", "1"}, {"hygon.com/dcumem", "70000"}}));
  EXPECT_EQ(r.reason, "2/2 CardInsufficientMemory");
  // A default request takes a whole card (cores 100): the second pod finds none.
  ASSERT_TRUE(h.Fit("DCU", Container({{"hygon.com/dcunum", "2"}, {"hygon.com/dcumem", "1000"}})).outcome.ok);
  r = h.Fit("DCU", Container({{"hygon.com/dcunum", "1"}, {"hygon.com/dcumem", "1000"}}));
  EXPECT_EQ(r.reason, "2/2 CardInsufficientCore");
}

}  // namespace
}  // namespace hami::vendors
