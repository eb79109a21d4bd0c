#include "deviceplugin/kube_cluster.h"

#include <gtest/gtest.h>

namespace hami::deviceplugin {
namespace {

TEST(KubeCluster, PodFromJson) {
  auto pod = k8s::Json::parse(R"({
    "metadata":{"namespace":"ns","name":"p","uid":"u","annotations":{"a":"b","n":1}},
    "spec":{"nodeName":"node-a",
      "initContainers":[{"name":"i"}],
      "containers":[{"name":"c","env":[{"name":"CUDA_DISABLE_CONTROL","value":"true"},
                                        {"name":"X","valueFrom":{}}]}]},
    "status":{"phase":"Pending"}})");
  PodInfo p = PodFromJson(pod);
  EXPECT_EQ(p.ns, "ns");
  EXPECT_EQ(p.uid, "u");
  EXPECT_EQ(p.node_name, "node-a");
  EXPECT_EQ(p.phase, "Pending");
  EXPECT_EQ(p.annotations.size(), 1u);
  ASSERT_EQ(p.init_containers.size(), 1u);
  ASSERT_EQ(p.containers.size(), 1u);
  EXPECT_EQ(p.containers[0].env.at("CUDA_DISABLE_CONTROL"), "true");
  EXPECT_FALSE(p.containers[0].env.contains("X"));
  EXPECT_FALSE(p.terminating);
}

TEST(KubeCluster, PodFromGarbageJsonIsEmpty) {
  EXPECT_EQ(PodFromJson(k8s::Json::parse("[1,2]")).name, "");
  EXPECT_EQ(PodFromJson(k8s::Json::parse(R"({"metadata":5,"spec":{"containers":7}})")).name, "");
}

}  // namespace
}  // namespace hami::deviceplugin
