// Pair scores (4.6) and MIG allocations (11.4).
#include <gtest/gtest.h>

#include "api/mig_allocations.h"
#include "api/pair_scores.h"

namespace hami::api {
namespace {

TEST(PairScores, RoundTrip) {
  const std::string text =
      R"([{"uuid":"GPU-a","score":{"GPU-b":200,"GPU-c":20}},{"uuid":"GPU-b","score":{"GPU-a":200}}])";
  auto scores = DecodePairScores(text);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  ASSERT_EQ(scores->size(), 2u);
  EXPECT_EQ((*scores)[0].scores.at("GPU-b"), 200);
  EXPECT_EQ(EncodePairScores(*scores), text);
}

TEST(PairScores, Errors) {
  for (const std::string text : {"", "{}", R"([{"uuid":1}])", R"([{"score":[]}])",
                                 R"([{"score":{"a":1.5}}])", R"([{"score":{"a":9999999999}}])"}) {
    EXPECT_FALSE(DecodePairScores(text).ok()) << text;
  }
}

constexpr char kReservation[] =
    R"([{"containerIndex":0,"deviceIndex":0,"gpuUUID":"GPU-a","profile":"1g.10gb",)"
    R"("placement":{"start":6,"size":1}},)"
    R"({"containerIndex":1,"deviceIndex":0,"gpuUUID":"GPU-a","profile":"3g.40gb",)"
    R"("placement":{"start":0,"size":4},"migUUID":"MIG-123","gpuInstanceID":0,)"
    R"("computeInstanceID":0}])";

TEST(MigAllocations, RoundTrip) {
  auto a = DecodeMigAllocations(kReservation);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->size(), 2u);
  EXPECT_FALSE((*a)[0].runtime.has_value());
  ASSERT_TRUE((*a)[1].runtime.has_value());
  EXPECT_EQ((*a)[1].runtime->mig_uuid, "MIG-123");
  EXPECT_EQ((*a)[1].placement, (MigPlacement{0, 4}));
  EXPECT_EQ(EncodeMigAllocations(*a), kReservation);
}

TEST(MigAllocations, Errors) {
  const char* base = R"("gpuUUID":"GPU-a","profile":"1g.10gb","placement":{"start":0,"size":1})";
  for (const std::string& text : {
           std::string("[{\"containerIndex\":0,\"deviceIndex\":0,") + base + "}," +
               "{\"containerIndex\":0,\"deviceIndex\":0," + base + "}]",  // duplicate
           std::string("[{\"containerIndex\":-1,") + base + "}]",
           std::string("[{") + base + ",\"migUUID\":\"MIG-1\"}]",  // partial runtime
           std::string(R"([{"gpuUUID":"GPU-a","profile":"1g.10gb"}])"),  // no placement
           std::string(R"([{"gpuUUID":"GPU-a","profile":"1g","placement":{"start":-1}}])"),
           std::string("{}"), std::string("")}) {
    EXPECT_FALSE(DecodeMigAllocations(text).ok()) << text;
  }
}

}  // namespace
}  // namespace hami::api
