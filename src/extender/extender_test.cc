#include "extender/extender.h"

#include <gtest/gtest.h>

#include "scheduler/testing/fixtures.h"

namespace hami::extender {
namespace {

using nlohmann::json;
using scheduler::testing::MakeUniformNode;

constexpr char kGpuPod[] = R"({"metadata":{"name":"p","namespace":"ns","uid":"u1"},
  "spec":{"containers":[{"name":"c","resources":{"limits":{"nvidia.com/gpu":"1","nvidia.com/gpumem":"2000","nvidia.com/gpucores":"20"}}}]}})";
constexpr char kPlainPod[] = R"({"metadata":{"name":"p","namespace":"ns","uid":"u2"},
  "spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":"1"}}}]}})";

class ExtenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(s_.UpsertNode(MakeUniformNode("n0", 1)).ok());
    ASSERT_TRUE(s_.UpsertNode(MakeUniformNode("n1", 1)).ok());
  }
  FakeClock clock_;
  scheduler::Scheduler s_{vendors::MakeVendors({}), {}, clock_};
};

TEST_F(ExtenderTest, FilterChoosesExactlyOneNode) {
  std::string body = std::string(R"({"Pod":)") + kGpuPod + R"(,"Nodes":null,"NodeNames":["n0","n1"]})";
  auto out = HandleFilter(s_, body);
  EXPECT_EQ(out.response.dump(), R"({"NodeNames":["n0"]})");
  ASSERT_TRUE(out.decision);
  EXPECT_EQ(out.pod_uid, "u1");
  EXPECT_EQ(out.decision->annotations.at("hami.io/vgpu-devices-to-allocate"), "GPU-n0-0,NVIDIA,2000,20:;");
}

TEST_F(ExtenderTest, KeysAreCaseInsensitive) {
  std::string body = std::string(R"({"pod":)") + kGpuPod + R"(,"nodenames":["n1"]})";
  EXPECT_EQ(HandleFilter(s_, body).response.dump(), R"({"NodeNames":["n1"]})");
}

TEST_F(ExtenderTest, PlainPodGetsInputBack) {
  std::string body = std::string(R"({"Pod":)") + kPlainPod + R"(,"NodeNames":["n0","n1","zz"]})";
  auto out = HandleFilter(s_, body);
  EXPECT_EQ(out.response.dump(), R"({"NodeNames":["n0","n1","zz"]})");
  EXPECT_FALSE(out.decision);
}

TEST_F(ExtenderTest, NoFitListsFailedNodes) {
  std::string big = R"({"metadata":{"name":"p","namespace":"ns","uid":"u3"},
    "spec":{"containers":[{"name":"c","resources":{"limits":{"nvidia.com/gpu":"1","nvidia.com/gpumem":"999999"}}}]}})";
  auto out = HandleFilter(s_, R"({"Pod":)" + big + R"(,"NodeNames":["n0","ghost"]})");
  EXPECT_EQ(out.response.dump(),
            R"({"FailedNodes":{"ghost":"node unregistered","n0":"1/1 CardInsufficientMemory"},"NodeNames":[]})");
  EXPECT_FALSE(out.decision);
}

TEST_F(ExtenderTest, SimulationModeReturnsNodeObjects) {
  json nodes = {{"metadata", json::object()}, {"items", json::array()}};
  for (const char* name : {"s0", "s1"}) {
    auto n = MakeUniformNode(name, 1);
    nodes["items"].push_back({{"metadata", {{"name", name}, {"annotations", n.annotations}}}});
  }
  json req = {{"Pod", json::parse(kGpuPod)}, {"Nodes", nodes}, {"NodeNames", nullptr}};
  auto out = HandleFilter(s_, req.dump());
  EXPECT_FALSE(out.decision);  // nothing to persist
  ASSERT_EQ(out.response["Nodes"]["items"].size(), 1u);
  EXPECT_EQ(out.response["Nodes"]["items"][0]["metadata"]["name"], "s0");
  EXPECT_FALSE(s_.PodNode("u1"));
}

TEST_F(ExtenderTest, MalformedRequestsAnswerWithError) {
  const char* bad[] = {"", "not json", "[]", R"({"NodeNames":["n0"]})", R"({"Pod":null,"NodeNames":["n0"]})",
                       R"({"Pod":{"metadata":{"name":"p"}},"NodeNames":"n0"})",
                       R"({"Pod":{"metadata":{"name":"p"}},"NodeNames":[1]})",
                       R"({"Pod":{"metadata":{"name":"p"}}})",
                       R"({"Pod":{"metadata":{"name":"p"},"spec":{"containers":[{"resources":{"limits":{"nvidia.com/gpu":"9999999999999999999999"}}}]}},"NodeNames":["n0"]})",
                       R"({"Pod":"x","NodeNames":["n0"]})"};
  for (const char* b : bad) {
    auto out = HandleFilter(s_, b);
    ASSERT_TRUE(out.response.contains("Error")) << b;
    EXPECT_FALSE(out.response["Error"].get<std::string>().empty()) << b;
    EXPECT_FALSE(out.decision);
  }
  EXPECT_EQ(HandleFilter(s_, "").response.dump(), R"({"Error":"request body is not valid JSON"})");
}

TEST_F(ExtenderTest, BindArgsAndPlan) {
  auto args = ParseBindArgs(R"({"PodName":"p","PodNamespace":"ns","PodUID":"u1","Node":"n0"})");
  ASSERT_TRUE(args.ok());
  EXPECT_FALSE(ParseBindArgs("{}").ok());
  EXPECT_FALSE(ParseBindArgs("nope").ok());
  EXPECT_TRUE(ParseBindArgs(R"({"podname":"p","node":"n0"})").ok());

  auto pod = scheduler::PodFromJson(json::parse(kGpuPod));
  ASSERT_TRUE(pod.ok());
  EXPECT_FALSE(PlanBind(s_, *args, *pod, 1700000000).ok());  // no reservation yet
  auto out = HandleFilter(s_, std::string(R"({"Pod":)") + kGpuPod + R"(,"NodeNames":["n0"]})");
  ASSERT_TRUE(out.decision);
  auto plan = PlanBind(s_, *args, *pod, 1700000000);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->needs_node_lock);
  EXPECT_EQ(plan->annotations.at("hami.io/bind-phase"), "allocating");
  EXPECT_EQ(plan->annotations.at("hami.io/bind-time"), "1700000000");
  args->node = "n1";
  EXPECT_FALSE(PlanBind(s_, *args, *pod, 1700000000).ok());
  EXPECT_EQ(BindResponse(OkStatus()).dump(), "{}");
  EXPECT_EQ(BindResponse(InternalError("boom")).dump(), R"({"Error":"boom"})");
}

// Each vendor's node-lock kind, with no vendor name in the extender: HAMi's
// mutex lock, a bare-time lock (Cambricon), or none (Moore Threads).
TEST_F(ExtenderTest, BindTakesEachVendorsLockKind) {
  auto plan_for = [&](const char* limits) {
    scheduler::Pod pod = scheduler::PodFromJson(json::parse(
        std::string(R"({"metadata":{"name":"p","namespace":"ns","uid":"u","annotations":{"hami.io/vgpu-node":"n0"}},)"
                    R"("spec":{"containers":[{"name":"c","resources":{"limits":)") + limits + "}}]}}")).value();
    return PlanBind(s_, BindArgs{"p", "ns", "u", "n0"}, pod, 1700000000).value();
  };
  auto mlu = plan_for(R"({"cambricon.com/vmlu":"1"})");
  EXPECT_FALSE(mlu.needs_node_lock);
  EXPECT_EQ(mlu.time_locks, std::vector<std::string>{"cambricon.com/dsmlu.lock"});
  auto mt = plan_for(R"({"mthreads.com/vgpu":"1"})");
  EXPECT_FALSE(mt.needs_node_lock);
  EXPECT_TRUE(mt.time_locks.empty());
  auto both = plan_for(R"({"hygon.com/dcunum":"1","cambricon.com/vmlu":"1"})");
  EXPECT_TRUE(both.needs_node_lock);
  EXPECT_EQ(both.time_locks.size(), 1u);
}

}  // namespace
}  // namespace hami::extender
