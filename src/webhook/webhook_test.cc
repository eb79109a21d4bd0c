#include "webhook/webhook.h"

#include <gtest/gtest.h>

#include <cstring>

namespace hami::webhook {
namespace {

using nlohmann::json;

std::string Unbase64(const std::string& in) {
  std::string out;
  int val = 0, bits = -8;
  for (char c : in) {
    const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char* p = std::strchr(t, c);
    if (c == '=' || p == nullptr) break;
    val = (val << 6) + static_cast<int>(p - t);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

json Review(json pod, std::string version = "admission.k8s.io/v1") {
  return {{"apiVersion", version},
          {"kind", "AdmissionReview"},
          {"request", {{"uid", "req-1"}, {"operation", "CREATE"}, {"namespace", "ns"}, {"object", pod}}}};
}

json GpuPod(json limits) {
  return {{"metadata", {{"name", "p"}, {"namespace", "ns"}}},
          {"spec", {{"containers", json::array({{{"name", "c"}, {"resources", {{"limits", limits}}}}})}}}};
}

class WebhookTest : public ::testing::Test {
 protected:
  json Run(const json& review, const Webhook* w = nullptr) {
    return (w ? *w : hook_).Handle(review.dump());
  }
  json Patch(const json& resp) { return json::parse(Unbase64(resp["response"]["patch"].get<std::string>())); }
  vendors::VendorList vendors_ = vendors::MakeVendors({});
  Webhook hook_{vendors_, {}, nullptr};
};

TEST_F(WebhookTest, GpuPodGetsSchedulerAndDefaults) {
  auto resp = Run(Review(GpuPod({{"nvidia.com/gpumem", "3000"}})));
  EXPECT_EQ(resp["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(resp["kind"], "AdmissionReview");
  EXPECT_EQ(resp["response"]["uid"], "req-1");
  EXPECT_EQ(resp["response"]["allowed"], true);
  EXPECT_EQ(resp["response"]["patchType"], "JSONPatch");
  EXPECT_EQ(Patch(resp), json::parse(R"([
    {"op":"add","path":"/spec/containers/0/resources/limits/nvidia.com~1gpu","value":"1"},
    {"op":"add","path":"/spec/schedulerName","value":"hami-scheduler"}])"));
}

TEST_F(WebhookTest, ExclusiveMemoryGetsFullCores) {
  auto resp = Run(Review(GpuPod({{"nvidia.com/gpu", "1"}}), "admission.k8s.io/v1beta1"));
  EXPECT_EQ(resp["apiVersion"], "admission.k8s.io/v1beta1");
  auto patch = Patch(resp);
  EXPECT_EQ(patch[0], json::parse(R"({"op":"add","path":"/spec/containers/0/resources/limits/nvidia.com~1gpucores","value":"100"})"));
}

TEST_F(WebhookTest, PlainPodUntouched) {
  auto resp = Run(Review(GpuPod({{"cpu", "1"}})));
  EXPECT_EQ(resp["response"]["allowed"], true);
  EXPECT_FALSE(resp["response"].contains("patch"));
}

TEST_F(WebhookTest, OtherSchedulerSkipped) {
  json pod = GpuPod({{"nvidia.com/gpu", "1"}});
  pod["spec"]["schedulerName"] = "volcano";
  auto resp = Run(Review(pod));
  EXPECT_EQ(resp["response"]["allowed"], true);
  EXPECT_FALSE(resp["response"].contains("patch"));
  pod["spec"]["schedulerName"] = "default-scheduler";
  EXPECT_TRUE(Run(Review(pod))["response"].contains("patch"));
  Webhook no_force(vendors_, {.scheduler_name = "hami-scheduler", .force_overwrite_default_scheduler = false}, nullptr);
  EXPECT_FALSE(Run(Review(pod), &no_force)["response"].contains("patch"));
}

TEST_F(WebhookTest, Denials) {
  json priv = GpuPod({{"nvidia.com/gpu", "1"}});
  priv["spec"]["containers"][0]["securityContext"] = {{"privileged", true}};
  auto resp = Run(Review(priv));
  EXPECT_EQ(resp["response"]["allowed"], false);
  EXPECT_EQ(resp["response"]["status"]["code"], 403);
  EXPECT_EQ(resp["response"]["status"]["message"], "container c is privileged");

  json pinned = GpuPod({{"nvidia.com/gpu", "1"}});
  pinned["spec"]["nodeName"] = "n0";
  resp = Run(Review(pinned));
  EXPECT_EQ(resp["response"]["allowed"], false);
  EXPECT_NE(resp["response"]["status"]["message"].get<std::string>().find("pod has node assigned"), std::string::npos);

  json empty = {{"metadata", {{"name", "p"}}}, {"spec", {{"containers", json::array()}}}};
  EXPECT_EQ(Run(Review(empty))["response"]["status"]["message"], "pod has no containers");

  resp = Run(Review(GpuPod({{"nvidia.com/gpu", "1"}, {"nvidia.com/gpumem-percentage", "150"}})));
  EXPECT_EQ(resp["response"]["allowed"], false);
  EXPECT_EQ(resp["response"]["status"]["code"], 500);
}

TEST_F(WebhookTest, PriorityAndPolicyEnv) {
  vendors::DevicesConfig cfg;
  cfg.nvidia.gpu_core_policy = "force";
  auto vendors = vendors::MakeVendors(cfg);
  Webhook w(vendors, {}, nullptr);
  auto resp = Run(Review(GpuPod({{"nvidia.com/gpu", "1"}, {"nvidia.com/gpucores", "30"}, {"nvidia.com/priority", "0"}})), &w);
  auto patch = Patch(resp);
  EXPECT_EQ(patch[0]["path"], "/spec/containers/0/env");
  EXPECT_EQ(patch[0]["value"], json::parse(R"([{"name":"CUDA_TASK_PRIORITY","value":"0"},
                                               {"name":"GPU_CORE_UTILIZATION_POLICY","value":"force"}])"));
}

TEST_F(WebhookTest, QuotaDenial) {
  FakeClock clock;
  scheduler::Scheduler s(vendors::MakeVendors({}), {}, clock);
  scheduler::ResourceQuota q;
  q.namespace_name = "ns";
  q.name = "q";
  q.hard.emplace("limits.nvidia.com/gpumem", api::Quantity::FromInteger(1000));
  s.UpsertQuota(q);
  Webhook w(vendors_, {}, &s);
  auto resp = Run(Review(GpuPod({{"nvidia.com/gpu", "1"}, {"nvidia.com/gpumem", "3000"}})), &w);
  EXPECT_EQ(resp["response"]["allowed"], false);
  EXPECT_NE(resp["response"]["status"]["message"].get<std::string>().find("exceeding resource quota"), std::string::npos);
  EXPECT_EQ(Run(Review(GpuPod({{"nvidia.com/gpu", "1"}, {"nvidia.com/gpumem", "500"}})), &w)["response"]["allowed"], true);
}

TEST_F(WebhookTest, MalformedReviewsAreErrors) {
  for (const char* body : {"", "{", "[]", R"({"request":null})", R"({"request":{"uid":"x"}})",
                           R"({"request":{"uid":"x","object":{"spec":"no"}}})"}) {
    json resp = hook_.Handle(body);
    EXPECT_EQ(resp["response"]["allowed"], false) << body;
    EXPECT_EQ(resp["response"]["status"]["code"], 400) << body;
  }
  auto resp = Run(Review(GpuPod({{"nvidia.com/gpu", "1e99999"}})));
  EXPECT_EQ(resp["response"]["allowed"], false);
  EXPECT_EQ(resp["response"]["status"]["code"], 400);
  resp = Run(Review(GpuPod({{"nvidia.com/gpu", true}})));
  EXPECT_EQ(resp["response"]["status"]["code"], 400);
}

}  // namespace
}  // namespace hami::webhook

namespace hami::webhook {
namespace {

// Other vendors through the same vendor-neutral path: scheduler name, the
// vendor's defaults, pod annotations and refusals.
class VendorWebhookTest : public ::testing::Test {
 protected:
  json Patch(const json& review) {
    json resp = hook_.Handle(review.dump());
    EXPECT_EQ(resp["response"]["allowed"], true) << resp.dump();
    return json::parse(Unbase64(resp["response"]["patch"].get<std::string>()));
  }
  vendors::VendorList vendors_ = vendors::MakeVendors([] {
    vendors::DevicesConfig c;
    c.enable_iluvatar = c.enable_ascend = true;
    return c;
  }());
  Webhook hook_{vendors_, {}, nullptr};
};

TEST_F(VendorWebhookTest, HygonPodIsOurs) {
  EXPECT_EQ(Patch(Review(GpuPod({{"hygon.com/dcunum", "1"}}))),
            json::parse(R"([{"op":"add","path":"/spec/schedulerName","value":"hami-scheduler"}])"));
}

TEST_F(VendorWebhookTest, MthreadsDefaultsAndPodAnnotation) {
  EXPECT_EQ(Patch(Review(GpuPod({{"mthreads.com/vgpu", "2"}}))), json::parse(R"([
    {"op":"add","path":"/metadata/annotations","value":{"mthreads.com/request-gpu-num":"2"}},
    {"op":"add","path":"/spec/containers/0/resources/limits/mthreads.com~1sgpu-core","value":"32"},
    {"op":"add","path":"/spec/containers/0/resources/limits/mthreads.com~1sgpu-memory","value":"192"},
    {"op":"add","path":"/spec/schedulerName","value":"hami-scheduler"}])"));
  json resp = hook_.Handle(Review(GpuPod({{"mthreads.com/vgpu", "1"}, {"mthreads.com/sgpu-memory", "3"}})).dump());
  EXPECT_EQ(resp["response"]["allowed"], false);
}

TEST_F(VendorWebhookTest, IluvatarContainerName) {
  json patch = Patch(Review(GpuPod({{"iluvatar.ai/BI-V150-vgpu", "1"}})));
  EXPECT_EQ(patch[0]["path"], "/spec/containers/0/env");
  EXPECT_EQ(patch[0]["value"], json::parse(R"([{"name":"SOL_CONTINER_NAME","value":"c"}])"));
}

TEST_F(VendorWebhookTest, AscendMemoryRoundedToATemplateAndCoreOnlyInSoftSplit) {
  EXPECT_EQ(Patch(Review(GpuPod({{"huawei.com/Ascend910B3", "1"}, {"huawei.com/Ascend910B3-memory", "10000"}}))),
            json::parse(R"([
    {"op":"replace","path":"/spec/containers/0/resources/limits/huawei.com~1Ascend910B3-memory","value":"16384"},
    {"op":"add","path":"/spec/containers/0/resources/requests","value":{"huawei.com/Ascend910B3-memory":"16384"}},
    {"op":"add","path":"/spec/schedulerName","value":"hami-scheduler"}])"));
  json pod = GpuPod({{"huawei.com/Ascend310P", "1"}, {"huawei.com/Ascend310P-core", "20"}});
  json resp = hook_.Handle(Review(pod).dump());
  EXPECT_EQ(resp["response"]["allowed"], false);
  pod["metadata"]["annotations"]["huawei.com/vnpu-mode"] = "hami-core";
  EXPECT_EQ(hook_.Handle(Review(pod).dump())["response"]["allowed"], true);
}

TEST_F(VendorWebhookTest, KunlunVxpuMemoryRoundedInLimitsAndRequests) {
  EXPECT_EQ(Patch(Review(GpuPod({{"kunlunxin.com/vxpu", "1"}, {"kunlunxin.com/vxpu-memory", "1000"}}))),
            json::parse(R"([
    {"op":"replace","path":"/spec/containers/0/resources/limits/kunlunxin.com~1vxpu-memory","value":"24576"},
    {"op":"add","path":"/spec/containers/0/resources/requests","value":{"kunlunxin.com/vxpu-memory":"24576"}},
    {"op":"add","path":"/spec/schedulerName","value":"hami-scheduler"}])"));
}

// A vendor's admission reads the pod's annotations (MetaX sGPU QoS and app class).
TEST_F(VendorWebhookTest, MetaxSgpuQosDefaultAndAppClass) {
  EXPECT_EQ(Patch(Review(GpuPod({{"metax-tech.com/sgpu", "1"}}))), json::parse(R"([
    {"op":"add","path":"/metadata/annotations","value":{"metax-tech.com/sgpu-qos-policy":"best-effort"}},
    {"op":"add","path":"/spec/schedulerName","value":"hami-scheduler"}])"));
  json pod = GpuPod({{"metax-tech.com/sgpu", "1"}});
  pod["metadata"]["annotations"] = {{"metax-tech.com/sgpu-qos-policy", "burst-share"}};
  EXPECT_EQ(Patch(Review(pod)),
            json::parse(R"([{"op":"add","path":"/spec/schedulerName","value":"hami-scheduler"}])"));
  pod["metadata"]["annotations"] = {{"metax-tech.com/sgpu-app-class", "online"}};
  pod["spec"]["containers"][0]["resources"]["limits"]["metax-tech.com/sgpu"] = "2";
  json resp = hook_.Handle(Review(pod).dump());
  EXPECT_EQ(resp["response"]["allowed"], false);
  EXPECT_EQ(resp["response"]["status"]["message"], "app-class pod must request single device");
}

TEST_F(VendorWebhookTest, PrivilegedVendorPodIsRefused) {
  json pod = GpuPod({{"cambricon.com/vmlu", "1"}});
  pod["spec"]["containers"][0]["securityContext"] = {{"privileged", true}};
  json resp = hook_.Handle(Review(pod).dump());
  EXPECT_EQ(resp["response"]["allowed"], false);
}

}  // namespace
}  // namespace hami::webhook
