#include "schedmetrics/snapshot_view.h"

#include <gtest/gtest.h>

namespace hami::schedmetrics {
namespace {

TEST(SnapshotViewTest, ConvertsNodesAndAllocatedPods) {
  scheduler::ClusterSnapshot s;
  scheduler::NodeSnapshot node;
  node.name = "n1";
  scheduler::DeviceSnapshot d;
  d.id = "GPU-a";
  d.index = 0;
  d.type = "NVIDIA-A100";
  d.vendor = "NVIDIA";
  d.count = 10;
  d.used = 1;
  d.total_mem_mib = 40960;
  d.used_mem_mib = 1024;
  d.total_cores = 100;
  d.used_cores = 25;
  node.devices.push_back(d);
  s.nodes.push_back(node);
  scheduler::PodAllocationSnapshot pod;
  pod.uid = "u1";
  pod.namespace_name = "ns";
  pod.name = "p";
  pod.node = "n1";
  pod.devices["NVIDIA"] = {{}, {api::ContainerDevice{"GPU-a", "NVIDIA", 1024, 25}}};
  s.pods.push_back(pod);
  scheduler::PodAllocationSnapshot reserved = pod;
  reserved.uid = "u2";
  reserved.name = "reserved";
  reserved.reserved_only = true;
  s.pods.push_back(reserved);
  ClusterView v = ViewFromSnapshot(s);
  ASSERT_EQ(v.nodes.size(), 1u);
  EXPECT_EQ(v.nodes[0].devices[0].used_cores, 25);
  ASSERT_EQ(v.pods.size(), 1u);
  EXPECT_EQ(v.pods[0].pod, "p");
  EXPECT_EQ(v.pods[0].container_index, 1);
  EXPECT_EQ(v.pods[0].used_mem_mib, 1024);
  EXPECT_EQ(v.pods[0].device_total_cores, 100);
  EXPECT_FALSE(v.nodes[0].devices[0].cores_are_units);
  // A vendor whose cores are compute units is marked on its devices and pods.
  ClusterView units = ViewFromSnapshot(s, {}, {"NVIDIA"});
  EXPECT_TRUE(units.nodes[0].devices[0].cores_are_units);
  EXPECT_TRUE(units.pods[0].cores_are_units);
}

}  // namespace
}  // namespace hami::schedmetrics
