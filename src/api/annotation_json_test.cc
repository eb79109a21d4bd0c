#include "api/annotation_json.h"

#include <gtest/gtest.h>

namespace hami::api {
namespace {

struct Golden {
  const char* key;
  const char* value;
  const char* json;
};

// Every literal example of hami-protocol.md (sections 4.1-4.6, 11.4), through the
// JSON view and back, byte for byte.
const Golden kGolden[] = {
    {"hami.io/vgpu-devices-to-allocate", "GPU-0fc3...,NVIDIA,3000,0:;GPU-0fc3...,NVIDIA,5000,0:;",
     R"([[{"uuid":"GPU-0fc3...","type":"NVIDIA","usedmem":3000,"usedcores":0}],)"
     R"([{"uuid":"GPU-0fc3...","type":"NVIDIA","usedmem":5000,"usedcores":0}]])"},
    {"hami.io/vgpu-devices-allocated", "GPU-a,NVIDIA,1024,30:GPU-b,NVIDIA,1024,30:;",
     R"([[{"uuid":"GPU-a","type":"NVIDIA","usedmem":1024,"usedcores":30},)"
     R"({"uuid":"GPU-b","type":"NVIDIA","usedmem":1024,"usedcores":30}]])"},
    {"hami.io/vgpu-devices-to-allocate", ";;", "[[],[]]"},
    {"hami.io/cambricon-mlu-devices-allocated", "", "[]"},
    {"hami.io/node-nvidia-register",
     R"([{"id":"GPU-0fc3...","count":10,"devmem":32768,"devcore":100,)"
     R"("type":"NVIDIA-Tesla V100-PCIE-32GB","mode":"hami-core","health":true}])",
     R"([{"id":"GPU-0fc3...","index":0,"count":10,"devmem":32768,"devcore":100,)"
     R"("type":"NVIDIA-Tesla V100-PCIE-32GB","numa":0,"mode":"hami-core","migProfiles":[],)"
     R"("health":true,"devicevendor":"","custominfo":null}])"},
    {"hami.io/node-dcu-register", "GPU-a,10,32768,100,NVIDIA-Tesla V100,0,true,0,hami-core:",
     R"([{"id":"GPU-a","index":0,"count":10,"devmem":32768,"devcore":100,)"
     R"("type":"NVIDIA-Tesla V100","numa":0,"mode":"hami-core","migProfiles":[],)"
     R"("health":true,"devicevendor":"","custominfo":null}])"},
    {"hami.io/mutex.lock", "2025-10-20T03:07:02Z,jingyu-test,gputest-6c77bb77f8-gvtzc",
     R"({"time":"2025-10-20T03:07:02Z","namespace":"jingyu-test",)"
     R"("pod":"gputest-6c77bb77f8-gvtzc","legacy":false})"},
    {"hami.io/mutex.lock", "2025-10-20T03:07:02Z",
     R"({"time":"2025-10-20T03:07:02Z","namespace":"","pod":"","legacy":true})"},
    {"hami.io/node-handshake", "Requesting_2024-01-10 04:06:57",
     R"({"requesting":true,"requestedAt":"2024-01-10 04:06:57",)"
     R"("raw":"Requesting_2024-01-10 04:06:57"})"},
    {"hami.io/node-handshake-dcu", "Reported 2024-01-10 04:06:57",
     R"({"requesting":false,"requestedAt":null,"raw":"Reported 2024-01-10 04:06:57"})"},
    {"hami.io/bind-phase", "allocating", R"("allocating")"},
    {"hami.io/bind-time", "1700000000",
     R"({"unixSeconds":1700000000,"time":"2023-11-14T22:13:20Z"})"},
    {"hami.io/node-nvidia-score", R"([{"uuid":"GPU-a","score":{"GPU-b":200}}])",
     R"([{"uuid":"GPU-a","score":{"GPU-b":200}}])"},
    {"hami.io/vgpu-mig-allocations",
     R"([{"containerIndex":0,"deviceIndex":0,"gpuUUID":"GPU-a","profile":"1g.10gb",)"
     R"("placement":{"start":6,"size":1}}])",
     R"([{"containerIndex":0,"deviceIndex":0,"gpuUUID":"GPU-a","profile":"1g.10gb",)"
     R"("placement":{"start":6,"size":1}}])"},
    {"quantity", "1536Mi",
     R"({"canonical":"1536Mi","milli":1610612736000,"value":1610612736,"format":"BinarySI"})"},
};

TEST(AnnotationJson, GoldenViewsAndExactInverse) {
  for (const Golden& g : kGolden) {
    auto json = DecodeAnnotationToJson(g.key, g.value);
    ASSERT_TRUE(json.ok()) << g.key << ": " << json.status().ToString();
    EXPECT_EQ(*json, g.json) << g.key;
    auto back = EncodeAnnotationFromJson(g.key, *json);
    ASSERT_TRUE(back.ok()) << g.key << ": " << back.status().ToString();
    EXPECT_EQ(*back, g.value) << g.key;
  }
}

TEST(AnnotationJson, KeyDispatch) {
  EXPECT_EQ(*ClassifyAnnotationKey("hami.io/node-register-Ascend910B3"),
            AnnotationKind::kNodeDevicesJson);
  EXPECT_EQ(*ClassifyAnnotationKey("hami.io/node-amd-register"), AnnotationKind::kNodeDevicesJson);
  EXPECT_EQ(*ClassifyAnnotationKey("hami.io/node-BI-V150-register"),
            AnnotationKind::kNodeDevicesLegacy);
  EXPECT_EQ(*ClassifyAnnotationKey("hami.io/Vastai-devices-to-allocate"),
            AnnotationKind::kPodDevices);
  EXPECT_EQ(*ClassifyAnnotationKey("hami.io/node-handshake-xpu"), AnnotationKind::kHandshake);
  EXPECT_EQ(*ClassifyAnnotationKey("hami.io/vgpu-time"), AnnotationKind::kUnixSeconds);
  EXPECT_EQ(ClassifyAnnotationKey("hami.io/vgpu-node").status().code(), StatusCode::kNotFound);
}

TEST(AnnotationJson, EncodeRejectsBadViews) {
  const std::pair<const char*, const char*> bad[] = {
      {"hami.io/vgpu-devices-allocated", R"([[{"uuid":"GPU-a,b","type":"NVIDIA"}]])"},
      {"hami.io/vgpu-devices-allocated", R"([[{"uuid":"GPU-a","usedmem":-1}]])"},
      {"hami.io/vgpu-devices-allocated", R"([[{"uuid":"GPU-a","usedmem":1.5}]])"},
      {"hami.io/vgpu-devices-allocated", R"([[{"uuid":"GPU-a","typo":1}]])"},
      {"hami.io/vgpu-devices-allocated", R"({})"},
      {"hami.io/vgpu-devices-allocated", R"([[)"},
      {"hami.io/node-dcu-register", R"([{"id":"a:b"}])"},
      {"hami.io/mutex.lock", R"({"time":"now","namespace":"a","pod":"b"})"},
      {"hami.io/mutex.lock", R"({"time":"2025-10-20T03:07:02Z","namespace":"a,b","pod":"c"})"},
      {"hami.io/bind-phase", R"("done")"},
      {"hami.io/bind-time", R"({"unixSeconds":-5})"},
      {"hami.io/vgpu-mig-allocations", R"([{"gpuUUID":"GPU-a"}])"},
      {"quantity", R"("1KB")"},
      {"hami.io/unknown", "[]"},
  };
  for (const auto& [key, json] : bad) {
    auto r = EncodeAnnotationFromJson(key, json);
    EXPECT_FALSE(r.ok()) << key << " " << json;
  }
}

TEST(AnnotationJson, HandshakeFromTimeOnly) {
  EXPECT_EQ(*EncodeAnnotationFromJson("hami.io/node-handshake",
                                      R"({"requestedAt":"2024-01-10 04:06:57"})"),
            "Requesting_2024-01-10 04:06:57");
}

}  // namespace
}  // namespace hami::api
