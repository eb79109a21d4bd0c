#include "cmd/hami-scheduler/handlers.h"

#include <gtest/gtest.h>

namespace hami::schedulerd {
namespace {

using k8s::Json;

TEST(SummarizeFailedNodesTest, GroupsNodesByReasonAndCutsLongLists) {
  Json failed = {{"b", "2/2 CardInsufficientMemory"}, {"a", "2/2 CardInsufficientMemory"},
                 {"c", "node unregistered"}};
  EXPECT_EQ(SummarizeFailedNodes(failed),
            "no available node, 3 nodes do not meet: 2 nodes 2/2 CardInsufficientMemory(a,b); "
            "1 nodes node unregistered(c)");
  Json many = Json::object();
  for (int i = 0; i < 7; ++i) many["n" + std::to_string(i)] = "1/1 CardTimeSlicingExhausted";
  EXPECT_EQ(SummarizeFailedNodes(many),
            "no available node, 7 nodes do not meet: 7 nodes 1/1 CardTimeSlicingExhausted"
            "(n0,n1,n2,n3,n4,...)");
  EXPECT_EQ(SummarizeFailedNodes(Json::array()), "no available node");
  EXPECT_NE(SummarizeFailedNodes(Json{{"x", 42}}).find("42(x)"), std::string::npos);
}

}  // namespace
}  // namespace hami::schedulerd
