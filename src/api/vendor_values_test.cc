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
