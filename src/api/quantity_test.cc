#include "api/quantity.h"

#include <gtest/gtest.h>

namespace hami::api {
namespace {

struct Case {
  const char* text;
  int64_t milli;
  const char* canonical;
};

TEST(Quantity, ParsesAndFormatsLikeApimachinery) {
  const Case cases[] = {
      {"0", 0, "0"},
      {"1", 1000, "1"},
      {"100m", 100, "100m"},
      {"0.1", 100, "100m"},
      {"1.5", 1500, "1500m"},
      {"1500m", 1500, "1500m"},
      {"1000", 1000000, "1k"},
      {"12000", 12000000, "12k"},
      {"1k", 1000000, "1k"},
      {"1M", 1000000000, "1M"},
      {"2G", 2000000000000, "2G"},
      {"1T", 1000000000000000, "1T"},
      {"1P", 1000000000000000000, "1P"},
      {"1Ki", 1024000, "1Ki"},
      {"1Mi", 1048576000, "1Mi"},
      {"1.5Gi", 1610612736000, "1536Mi"},
      {"1Gi", 1073741824000, "1Gi"},
      {"1Ti", 1099511627776000, "1Ti"},
      {"2048Ki", 2097152000, "2Mi"},
      {"1536", 1536000, "1536"},
      {"0.5Ki", 512000, "512"},
      {"1e3", 1000000, "1e3"},
      {"1E3", 1000000, "1e3"},
      {"1.5e3", 1500000, "1500"},
      {"12e6", 12000000000, "12e6"},
      {"1e-3", 1, "1e-3"},
      {"5e+2", 500000, "500"},
      {"-1", -1000, "-1"},
      {"-1.5", -1500, "-1500m"},
      {"+2", 2000, "2"},
      {"1n", 1, "1m"},    // rounded up to a milli-unit
      {"1u", 1, "1m"},
      {"1001u", 2, "2m"},
      {"0.0001", 1, "1m"},
      {"0.30000000000000004", 301, "301m"},
      {"1.", 1000, "1"},  // apimachinery allows an empty fraction
      {".5", 500, "500m"},
      {"007", 7000, "7"},
      {"-0", 0, "0"},
      {"0Mi", 0, "0"},
  };
  for (const Case& c : cases) {
    auto q = Quantity::Parse(c.text);
    ASSERT_TRUE(q.ok()) << c.text << ": " << q.status().ToString();
    EXPECT_EQ(q->MilliValue(), c.milli) << c.text;
    EXPECT_EQ(q->ToString(), c.canonical) << c.text;
  }
}

TEST(Quantity, ValueRoundsUpAwayFromZero) {
  EXPECT_EQ(Quantity::Parse("1500m")->Value(), 2);
  EXPECT_EQ(Quantity::Parse("-1500m")->Value(), -2);
  EXPECT_EQ(Quantity::Parse("2")->Value(), 2);
  EXPECT_TRUE(Quantity::Parse("2")->IsInteger());
  EXPECT_FALSE(Quantity::Parse("2.1")->IsInteger());
  EXPECT_EQ(*Quantity::Parse("100m"), *Quantity::Parse("0.1"));
  EXPECT_LT(*Quantity::Parse("1Gi"), *Quantity::Parse("1.1G"));
  EXPECT_EQ(Quantity::FromInteger(3).ToString(), "3");
  EXPECT_EQ(Quantity::FromInteger(4096, Quantity::Format::kBinarySI).ToString(), "4Ki");
}

TEST(Quantity, SyntaxErrors) {
  for (const char* text : {"", " 1", "1 ", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i",
                           "1i", "-3.01i", "-3.01e-", "1KB", "1K", "1e", "1e3.5", "1Mi5",
                           "--1", "1,5", "1e1e1", "\xff", "Ei", "k", "-M", "."}) {
    auto q = Quantity::Parse(text);
    ASSERT_FALSE(q.ok()) << text;
    EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(Quantity, Overflow) {
  for (const char* text : {"10P", "9223372036854775807", "1E", "8Ei", "1e100", "-10P"}) {
    auto q = Quantity::Parse(text);
    ASSERT_FALSE(q.ok()) << text;
    EXPECT_EQ(q.status().code(), StatusCode::kOutOfRange) << text;
  }
  EXPECT_TRUE(Quantity::Parse("9P").ok());
  EXPECT_EQ(Quantity::Parse("1e-100")->MilliValue(), 1);
  EXPECT_EQ(Quantity::Parse("0e100")->MilliValue(), 0);
}

}  // namespace
}  // namespace hami::api
