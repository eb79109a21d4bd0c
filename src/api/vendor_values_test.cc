#include "api/vendor_values.h"

#include <gtest/gtest.h>

#include "api/annotation_json.h"

namespace hami::api {
namespace {

TEST(DsmluProfile, RoundTripsHamisForm) {
  auto p = DecodeDsmluProfile("0_1_1000");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (DsmluProfile{0, 1, 1000}));
  EXPECT_EQ(EncodeDsmluProfile(*p), "0_1_1000");
  for (const char* bad : {"", "0_1", "0_1_2_3", "a_1_2", "-1_1_2", "-0_1_2", "01_1_2", "0__2"}) {
    EXPECT_FALSE(DecodeDsmluProfile(bad).ok()) << bad;
  }
}

TEST(IndexList, RoundTrips) {
  auto v = DecodeIndexList("0,3,12");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, (std::vector<int64_t>{0, 3, 12}));
  EXPECT_EQ(EncodeIndexList(*v), "0,3,12");
  for (const char* bad : {"", "1,", ",1", "1,,2", "x", "-1", "-0", "+1", "01"}) {
    EXPECT_FALSE(DecodeIndexList(bad).ok()) << bad;
  }
}

TEST(AscendShares, RoundTripsHamisForm) {
  const std::string hard = R"([{"UUID":"NPU-1","temp":"vir10_3c_32g","memory":32768},{"UUID":"NPU-2","memory":5000,"core":40}])";
  auto v = DecodeAscendShares(hard);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(*v, (std::vector<AscendDeviceShare>{{"NPU-1", "vir10_3c_32g", 32768, 0}, {"NPU-2", "", 5000, 40}}));
  EXPECT_EQ(EncodeAscendShares(*v), hard);
  EXPECT_EQ(EncodeAscendShares({}), "null");
  EXPECT_TRUE(DecodeAscendShares("null").value().empty());
  EXPECT_EQ(EncodeAscendShares({{"a<b", "", 0, 0}}), R"([{"UUID":"a\u003cb"}])");  // Go's HTML-safe escaping
  for (const char* bad : {"", "{}", "[1]", R"([{"memory":"1"}])", R"([{"core":4294967296}])", "[{"}) {
    EXPECT_FALSE(DecodeAscendShares(bad).ok()) << bad;
  }
}

TEST(VendorValues, PluginScalarViews) {
  EXPECT_EQ(DecodeAnnotationToJson("NEURON_ALLOC_TIME", "1700000000123456789").value(),
            R"({"unixNanos":1700000000123456789,"time":"2023-11-14T22:13:20Z"})");
  EXPECT_EQ(EncodeAnnotationFromJson("NEURON_ALLOC_TIME", R"({"unixNanos":5})").value(), "5");
  EXPECT_EQ(DecodeAnnotationToJson("enflame.com/gcu-request-size", "3").value(), "3");
  EXPECT_FALSE(DecodeAnnotationToJson("enflame.com/gcu-request-size", "3,4").ok());
  EXPECT_EQ(DecodeAnnotationToJson("NEURON_ALLOCATED", "false").value(), "false");
  EXPECT_FALSE(DecodeAnnotationToJson("NEURON_ALLOCATED", "False").ok());
  EXPECT_EQ(EncodeAnnotationFromJson("aws.amazon.com/predicate-node", R"("node-a")").value(), "node-a");
  EXPECT_FALSE(EncodeAnnotationFromJson("aws.amazon.com/predicate-node", "1").ok());
  EXPECT_EQ(DecodeAnnotationToJson("metax-tech.com/gpu.topology.scores", R"({"1":50,"2":10})").value(),
            R"({"1":50,"2":10})");
  EXPECT_FALSE(DecodeAnnotationToJson("metax-tech.com/gpu.topology.scores", R"({"a":1})").ok());
  EXPECT_FALSE(DecodeAnnotationToJson("metax-tech.com/gpu.topology.scores", R"({"1":1.5})").ok());
  EXPECT_EQ(ClassifyAnnotationKey("huawei.com/Ascend910B4-1").value(), AnnotationKind::kAscendShares);
  EXPECT_FALSE(ClassifyAnnotationKey("huawei.com/Ascend910B3-memory").ok());
}

TEST(VendorValues, JsonViews) {
  EXPECT_EQ(DecodeAnnotationToJson("CAMBRICON_DSMLU_PROFILE", "2_50_40").value(),
            R"({"index":2,"cores":50,"memoryUnits":40})");
  EXPECT_EQ(EncodeAnnotationFromJson("CAMBRICON_DSMLU_PROFILE", R"({"index":2,"cores":50,"memoryUnits":40})").value(),
            "2_50_40");
  EXPECT_FALSE(EncodeAnnotationFromJson("CAMBRICON_DSMLU_PROFILE", R"({"index":2,"cores":50})").ok());
  EXPECT_EQ(DecodeAnnotationToJson("mthreads.com/gpu-index", "1,0").value(), "[1,0]");
  EXPECT_EQ(EncodeAnnotationFromJson("mthreads.com/gpu-index", "[1,0]").value(), "1,0");
  EXPECT_FALSE(EncodeAnnotationFromJson("mthreads.com/gpu-index", "[]").ok());
}

}  // namespace
}  // namespace hami::api
