#include "cmd/hami-scheduler/pruning.h"

#include <gtest/gtest.h>

#include "scheduler/model.h"

namespace hami::schedulerd {
namespace {

using k8s::Json;

Json RichPod() {
  return Json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "p", "namespace": "ns", "uid": "u1", "resourceVersion": "42",
      "annotations": {"hami.io/vgpu-node": "n1",
                      "hami.io/vgpu-devices-allocated": "GPU-1,NVIDIA,3000,30:;GPU-1,NVIDIA,1000,0:;"},
      "labels": {"app": "x"}, "deletionTimestamp": "2026-11-29T00:00:00Z",
      "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:spec": {"f:containers": {}}}}]},
    "spec": {"nodeName": "n1", "schedulerName": "hami-scheduler",
      "volumes": [{"name": "v", "emptyDir": {}}],
      "initContainers": [{"name": "init", "image": "busybox", "env": [{"name": "A", "value": "1"}],
                          "resources": {"limits": {"nvidia.com/gpu": "1", "nvidia.com/gpumem": "3000"}}}],
      "containers": [{"name": "c", "image": "busybox", "command": ["sleep"],
                      "livenessProbe": {"exec": {"command": ["true"]}},
                      "resources": {"limits": {"nvidia.com/gpu": "1", "nvidia.com/gpumem": "1000"},
                                    "requests": {"cpu": "1"}}}]},
    "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled"}],
      "initContainerStatuses": [{"name": "init", "state": {"terminated": {"exitCode": 0}}}],
      "containerStatuses": [{"name": "c", "image": "busybox"}]}})");
}

TEST(PruningTest, PodKeepsEverythingTheSchedulerReads) {
  Json pod = RichPod();
  auto before = scheduler::PodFromJson(pod);
  ASSERT_TRUE(before.ok());
  PrunePod(pod);
  auto after = scheduler::PodFromJson(pod);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->uid, before->uid);
  EXPECT_EQ(after->node_name, "n1");
  EXPECT_EQ(after->scheduler_name, "hami-scheduler");
  EXPECT_EQ(after->phase, "Pending");
  EXPECT_TRUE(after->deleting);
  EXPECT_EQ(after->annotations, before->annotations);
  EXPECT_EQ(after->labels, before->labels);
  ASSERT_EQ(after->containers.size(), 1u);
  EXPECT_EQ(after->containers[0].limits.size(), before->containers[0].limits.size());
  EXPECT_EQ(after->containers[0].requests.size(), 1u);
  ASSERT_EQ(after->init_statuses.size(), 1u);
  EXPECT_TRUE(after->init_statuses[0].terminated);
  EXPECT_EQ(k8s::ResourceVersion(pod), "42");
  EXPECT_FALSE(pod["metadata"].contains("managedFields"));
  EXPECT_FALSE(pod["spec"].contains("volumes"));
  EXPECT_FALSE(pod["spec"]["containers"][0].contains("livenessProbe"));
  EXPECT_FALSE(pod["spec"]["initContainers"][0].contains("env"));
  EXPECT_FALSE(pod["status"].contains("conditions"));
}

TEST(PruningTest, NodeKeepsRegistrationAndResources) {
  Json node = Json::parse(R"({
    "metadata": {"name": "n1", "uid": "u", "resourceVersion": "7", "labels": {"gpu": "on"},
                 "annotations": {"hami.io/node-nvidia-register": "[]"}, "managedFields": [{}]},
    "spec": {"podCIDR": "10.0.0.0/24", "unschedulable": true},
    "status": {"allocatable": {"nvidia.com/gpu": "80"}, "capacity": {"pods": "110"},
               "images": [{"names": ["a"], "sizeBytes": 1}], "conditions": []}})");
  PruneNode(node);
  auto n = scheduler::NodeFromJson(node);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->allocatable.at("nvidia.com/gpu").Value(), 80);
  EXPECT_EQ(node["metadata"]["labels"]["gpu"], "on");
  EXPECT_FALSE(node["status"].contains("images"));
  EXPECT_FALSE(node["metadata"].contains("managedFields"));
  EXPECT_TRUE(node["spec"]["unschedulable"].get<bool>());
}

TEST(PruningTest, MalformedObjectsAreLeftAlone) {
  for (Json j : {Json(nullptr), Json("x"), Json::array(), Json{{"metadata", 5}, {"spec", "s"}}}) {
    Json copy = j;
    PrunePod(copy);
    PruneNode(copy);
    PruneQuota(copy);
    EXPECT_EQ(copy, j);
  }
}

}  // namespace
}  // namespace hami::schedulerd
