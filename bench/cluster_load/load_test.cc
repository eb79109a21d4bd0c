#include "bench/cluster_load/load.h"

#include <set>

#include <gtest/gtest.h>

#include "api/node_devices.h"

namespace hami::bench::cluster_load {
namespace {

Json BoundPod(const std::string& name, const std::string& node, const std::string& alloc) {
  Json pod = {{"metadata", {{"name", name}, {"annotations", Json::object()}}},
              {"spec", {{"nodeName", node}}}};
  if (!alloc.empty()) {
    pod["metadata"]["annotations"]["hami.io/vgpu-devices-allocated"] = alloc;
    pod["metadata"]["annotations"]["hami.io/vgpu-node"] = node;
  }
  return pod;
}

TEST(ClusterLoad, NodeObjectRegistersUniqueGpus) {
  NodeSpec spec;
  std::set<std::string> uuids;
  for (int n = 0; n < 3; ++n) {
    Json node = NodeObject(spec, Mode::kExtender, n);
    EXPECT_EQ(node["metadata"]["name"], NodeName(spec, n));
    EXPECT_EQ(node["status"]["allocatable"]["nvidia.com/gpu"], "80");
    auto devices = api::DecodeNodeDevicesJson(
        node["metadata"]["annotations"]["hami.io/node-nvidia-register"].get<std::string>());
    ASSERT_TRUE(devices.ok()) << devices.status().ToString();
    ASSERT_EQ(devices->size(), 8u);
    for (const auto& d : *devices) {
      EXPECT_EQ(d.count, 10);
      EXPECT_EQ(d.devmem_mib, 81920);
      EXPECT_EQ(d.devcore, 100);
      EXPECT_TRUE(d.health);
      uuids.insert(d.id);
    }
  }
  EXPECT_EQ(uuids.size(), 24u);
  Json baseline = NodeObject(spec, Mode::kBaseline, 0);
  EXPECT_FALSE(baseline["metadata"].contains("annotations"));
  spec.baseline_gpu = 8;
  EXPECT_EQ(NodeObject(spec, Mode::kBaseline, 0)["status"]["capacity"]["nvidia.com/gpu"], "8");
}

TEST(ClusterLoad, PodObjects) {
  PodSpec spec;
  Json frac = PodObject(spec, Mode::kExtender, 7);
  EXPECT_EQ(frac["metadata"]["name"], "load-000007");
  EXPECT_EQ(PodIndex(spec, "load-000007"), 7);
  EXPECT_EQ(PodIndex(spec, "other-1"), -1);
  EXPECT_EQ(PodIndex(spec, "load-12x"), -1);
  EXPECT_EQ(frac["spec"]["schedulerName"], "hami-scheduler");
  const Json& limits = frac["spec"]["containers"][0]["resources"]["limits"];
  EXPECT_EQ(limits["nvidia.com/gpu"], "1");
  EXPECT_EQ(limits["nvidia.com/gpumem"], "8000");
  EXPECT_EQ(limits["nvidia.com/gpucores"], "17");
  for (int i = 0; i < 50; ++i) {
    EXPECT_GE(PodCores(spec, i), 10);
    EXPECT_LE(PodCores(spec, i), 30);
  }
  Json whole = PodObject(spec, Mode::kBaseline, 0);
  EXPECT_EQ(whole["spec"]["schedulerName"], "default-scheduler");
  EXPECT_FALSE(whole["spec"]["containers"][0]["resources"]["limits"].contains("nvidia.com/gpumem"));
}

TEST(ClusterLoad, OvercommitPassesWithinLimits) {
  NodeSpec spec;
  std::string g0 = GpuUuid(0, 0), g1 = GpuUuid(0, 1);
  std::vector<Json> pods;
  for (int i = 0; i < 10; ++i) {
    pods.push_back(BoundPod("p" + std::to_string(i), "sim-00000", g0 + ",NVIDIA,8000,10:;"));
  }
  pods.push_back(BoundPod("q", "sim-00000", g1 + ",NVIDIA,81920,100:;"));
  pods.push_back(Json{{"metadata", {{"name", "pending"}}}, {"spec", Json::object()}});
  OvercommitReport r = CheckOvercommit(pods, spec, 1, Mode::kExtender);
  EXPECT_TRUE(r.ok()) << (r.problems.empty() ? "" : r.problems[0]);
  EXPECT_EQ(r.pods_checked, 11);
  EXPECT_EQ(r.devices_used, 2);
  EXPECT_EQ(r.max_count, 10);
  EXPECT_EQ(r.max_mem_mib, 81920);
}

TEST(ClusterLoad, OvercommitDetectsEachLimitAndWrongNode) {
  NodeSpec spec;
  std::string g0 = GpuUuid(0, 0);
  auto check = [&](std::vector<Json> pods) {
    return CheckOvercommit(pods, spec, 2, Mode::kExtender).problem_count;
  };
  std::vector<Json> count;
  for (int i = 0; i < 11; ++i) count.push_back(BoundPod("c", "sim-00000", g0 + ",NVIDIA,1,1:;"));
  EXPECT_EQ(check(count), 1);
  EXPECT_EQ(check({BoundPod("a", "sim-00000", g0 + ",NVIDIA,50000,10:;"),
                   BoundPod("b", "sim-00000", g0 + ",NVIDIA,40000,10:;")}),
            1);
  EXPECT_EQ(check({BoundPod("a", "sim-00000", g0 + ",NVIDIA,1,60:;"),
                   BoundPod("b", "sim-00000", g0 + ",NVIDIA,1,60:;")}),
            1);
  EXPECT_EQ(check({BoundPod("a", "sim-00001", g0 + ",NVIDIA,1,1:;")}), 1);
  EXPECT_EQ(check({BoundPod("a", "sim-00000", "GPU-nope,NVIDIA,1,1:;")}), 1);
  EXPECT_EQ(check({BoundPod("a", "sim-00000", "")}), 1);
}

TEST(ClusterLoad, BaselineCountsPodsPerNode) {
  NodeSpec spec;
  spec.baseline_gpu = 2;
  std::vector<Json> pods = {BoundPod("a", "n1", ""), BoundPod("b", "n1", ""),
                            BoundPod("c", "n2", "")};
  EXPECT_TRUE(CheckOvercommit(pods, spec, 0, Mode::kBaseline).ok());
  pods.push_back(BoundPod("d", "n1", ""));
  EXPECT_EQ(CheckOvercommit(pods, spec, 0, Mode::kBaseline).problem_count, 1);
}

TEST(ClusterLoad, Percentile) {
  EXPECT_EQ(Percentile({}, 99), 0);
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  EXPECT_EQ(Percentile(v, 50), 50);
  EXPECT_EQ(Percentile(v, 99), 99);
  EXPECT_EQ(Percentile(v, 100), 100);
  EXPECT_EQ(Percentile(v, 0), 1);
}

}  // namespace
}  // namespace hami::bench::cluster_load
