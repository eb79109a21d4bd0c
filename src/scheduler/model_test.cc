#include "scheduler/model.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hami::scheduler {
namespace {

using nlohmann::json;

TEST(PodFromJson, ReadsSchedulingFields) {
  json j = json::parse(R"({
    "metadata": {"name": "p", "namespace": "ns", "uid": "u-1",
                 "deletionTimestamp": "2024-01-01T00:00:00Z",
                 "annotations": {"hami.io/vgpu-node": "n0"}, "labels": {"app": "x"}},
    "spec": {"nodeName": "n0", "schedulerName": "hami-scheduler",
             "initContainers": [{"name": "i", "resources": {"limits": {"nvidia.com/gpu": "1"}}}],
             "containers": [{"name": "c", "resources": {"limits": {"nvidia.com/gpu": 2, "nvidia.com/gpumem": "3000"},
                                                        "requests": {"cpu": "100m"}}}]},
    "status": {"phase": "Pending", "initContainerStatuses": [{"state": {"terminated": {"exitCode": 0}}}]}
  })");
  auto p = PodFromJson(j);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->uid, "u-1");
  EXPECT_EQ(p->namespace_name, "ns");
  EXPECT_TRUE(p->deleting);
  EXPECT_EQ(p->annotations.at("hami.io/vgpu-node"), "n0");
  ASSERT_EQ(p->containers.size(), 1u);
  EXPECT_EQ(p->containers[0].limits.at("nvidia.com/gpu").Value(), 2);
  EXPECT_EQ(p->containers[0].requests.at("cpu").MilliValue(), 100);
  EXPECT_TRUE(p->InitContainersDone());
}

TEST(PodFromJson, RejectsMalformed) {
  EXPECT_FALSE(PodFromJson(json::array()).ok());
  EXPECT_FALSE(PodFromJson(json::object()).ok());
  EXPECT_FALSE(PodFromJson(json::parse(R"({"metadata":{"annotations":{"a":1}}})")).ok());
  auto bad_q = PodFromJson(json::parse(
      R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","resources":{"limits":{"nvidia.com/gpu":"lots"}}}]}})"));
  ASSERT_FALSE(bad_q.ok());
  EXPECT_NE(bad_q.status().message().find("spec.containers[0].resources.limits[nvidia.com/gpu]"), std::string::npos);
  EXPECT_FALSE(PodFromJson(json::parse(
      R"({"metadata":{"name":"p"},"spec":{"containers":[{"resources":{"limits":{"nvidia.com/gpu":"1e40"}}}]}})")).ok());
}

TEST(NodeFromJson, ReadsAnnotationsAndAllocatable) {
  auto n = NodeFromJson(json::parse(
      R"({"metadata":{"name":"n0","annotations":{"k":"v"},"labels":{"node.kubernetes.io/instance-type":"inf2.xlarge"}},)"
      R"("status":{"allocatable":{"nvidia.com/gpu":"20"}}})"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->name, "n0");
  EXPECT_EQ(n->labels.at("node.kubernetes.io/instance-type"), "inf2.xlarge");
  EXPECT_EQ(n->allocatable.at("nvidia.com/gpu").Value(), 20);
  EXPECT_FALSE(NodeFromJson(json::parse(R"({"metadata":{}})")).ok());
}

TEST(ResourceQuotaFromJson, ReadsHard) {
  auto q = ResourceQuotaFromJson(json::parse(
      R"({"metadata":{"name":"q","namespace":"ns"},"spec":{"hard":{"limits.nvidia.com/gpumem":"4096"}}})"));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->hard.at("limits.nvidia.com/gpumem").Value(), 4096);
}

}  // namespace
}  // namespace hami::scheduler
