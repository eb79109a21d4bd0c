#include "common/status.h"

#include <gtest/gtest.h>

#include "common/log.h"

namespace hami {
namespace {

StatusOr<int> ParsePositive(int v) {
  if (v <= 0) return InvalidArgumentError("not positive: " + std::to_string(v));
  return v;
}

StatusOr<int> Doubled(int v) {
  ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return x * 2;
}

Status Check(int v) {
  RETURN_IF_ERROR(ParsePositive(v).status());
  return OkStatus();
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(OkStatus().ok());
  Status s = NotFoundError("pod default/x");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NOT_FOUND: pod default/x");
  EXPECT_EQ(s.WithContext("bind").message(), "bind: pod default/x");
}

TEST(StatusTest, StatusOrPropagates) {
  EXPECT_EQ(*Doubled(4), 8);
  auto bad = Doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Check(3).ok());
  EXPECT_EQ(Check(0).code(), StatusCode::kInvalidArgument);
}

TEST(StatusTest, StatusOrFromOkStatusIsInternalError) {
  StatusOr<int> s(OkStatus());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInternal);
}

TEST(StatusDeathTest, ValueOfErrorAborts) {
  StatusOr<int> s(InternalError("boom"));
  EXPECT_DEATH((void)s.value(), "boom");
}

TEST(LogTest, ParseLevel) {
  log::Level l;
  EXPECT_TRUE(log::ParseLevel("DEBUG", &l));
  EXPECT_EQ(l, log::Level::kDebug);
  EXPECT_FALSE(log::ParseLevel("verbose", &l));
}

}  // namespace
}  // namespace hami
