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

// A limiter with its only slot taken and no queue: every request is shed.
struct FullLimiter {
  FullLimiter(const char* name) : limiter(name, [] {
    LimiterOptions o;
    o.max_inflight = 1;
    o.max_queued = 0;
    return o;
  }()) {
    EXPECT_TRUE(limiter.Acquire().ok());
  }
  ~FullLimiter() { limiter.Release(); }
  ConcurrencyLimiter limiter;
};

TEST(OverloadTest, ShedExtenderRequestsGetAnOverloadedError) {
  FullLimiter filter("filter"), binder("bind");
  HandlerDeps deps;  // no scheduler: a shed request must not reach it
  deps.filter_limiter = &filter.limiter;
  deps.bind_limiter = &binder.limiter;
  Handlers h(deps);
  Json f = Json::parse(h.Filter(R"({"Pod":{"metadata":{"name":"p"}},"NodeNames":["n"]})"));
  ASSERT_TRUE(f.contains("Error"));
  EXPECT_NE(f["Error"].get<std::string>().find("hami-scheduler is overloaded"), std::string::npos);
  EXPECT_NE(f["Error"].get<std::string>().find("filter"), std::string::npos);
  Json b = Json::parse(h.Bind(R"({"PodName":"p","PodNamespace":"ns","PodUID":"u","Node":"n"})"));
  ASSERT_TRUE(b.contains("Error"));
  EXPECT_NE(b["Error"].get<std::string>().find("overloaded"), std::string::npos);
}

TEST(OverloadTest, ShedWebhookDeniesDevicePodsAndAdmitsOthersUnchanged) {
  FullLimiter webhook("webhook");
  HandlerDeps deps;
  deps.webhook_limiter = &webhook.limiter;
  deps.device_resources = {"nvidia.com/gpu", "nvidia.com/gpumem"};
  Handlers h(deps);
  std::string gpu = R"({"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview",
    "request":{"uid":"r-1","object":{"spec":{"containers":[{"name":"c",
    "resources":{"limits":{"nvidia.com/gpu":"1"}}}]}}}})";
  Json g = Json::parse(h.Webhook(gpu));
  EXPECT_EQ(g["apiVersion"], "admission.k8s.io/v1beta1");
  EXPECT_EQ(g["response"]["uid"], "r-1");
  EXPECT_EQ(g["response"]["allowed"], false);
  EXPECT_EQ(g["response"]["status"]["code"], 429);
  EXPECT_NE(g["response"]["status"]["message"].get<std::string>().find("overloaded"),
            std::string::npos);
  std::string plain = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
    "request":{"uid":"r-2","object":{"spec":{"containers":[{"name":"c","image":"x"}]}}}})";
  Json p = Json::parse(h.Webhook(plain));
  EXPECT_EQ(p["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(p["response"]["uid"], "r-2");
  EXPECT_EQ(p["response"]["allowed"], true);
  EXPECT_FALSE(p["response"].contains("patch"));
  // Not JSON at all: still an AdmissionReview (allowed: it names no device).
  Json bad = Json::parse(h.Webhook("{not json"));
  EXPECT_EQ(bad["kind"], "AdmissionReview");
}

}  // namespace
}  // namespace hami::schedulerd
