#include "deviceplugin/allocator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "deviceplugin/container_response.h"
#include "deviceplugin/testing/fakes.h"

namespace hami::deviceplugin {
namespace {

using ::testing::HasSubstr;
using testing::FakeCluster;

constexpr char kNode[] = "node-a";
constexpr char kToAllocate[] = "hami.io/vgpu-devices-to-allocate";
constexpr char kLock[] = "hami.io/mutex.lock";

PodInfo MakePod(const std::string& name, const std::string& to_allocate, int64_t bind_time = 100,
                int containers = 1) {
  PodInfo p;
  p.ns = "default";
  p.name = name;
  p.uid = "uid-" + name;
  p.phase = "Pending";
  p.node_name = kNode;
  p.annotations = {{"hami.io/vgpu-node", kNode},
                   {"hami.io/bind-phase", "allocating"},
                   {"hami.io/bind-time", std::to_string(bind_time)},
                   {kToAllocate, to_allocate},
                   {"hami.io/vgpu-devices-allocated", to_allocate}};
  for (int i = 0; i < containers; ++i) p.containers.push_back({"c" + std::to_string(i), {}});
  return p;
}

v1beta1::AllocateRequest Request(std::vector<std::vector<std::string>> ids) {
  v1beta1::AllocateRequest r;
  for (const auto& c : ids) {
    auto* cr = r.add_container_requests();
    for (const auto& id : c) cr->add_devices_ids(id);
  }
  return r;
}

class AllocatorTest : public ::testing::Test {
 protected:
  AllocatorTest()
      : hook_(std::filesystem::temp_directory_path() / ("dp-alloc-" + RandomUuid())),
        allocator_(&cluster_, {kNode, hook_.string(), PluginConfig{}}) {
    cluster_.nodes[kNode] = {};
  }
  ~AllocatorTest() override { std::filesystem::remove_all(hook_); }

  void Lock(const std::string& name) { cluster_.nodes[kNode][kLock] = "2026-11-28T18:00:00Z,default," + name; }

  FakeCluster cluster_;
  std::filesystem::path hook_;
  Allocator allocator_;
};

TEST_F(AllocatorTest, PodFromNodeLockGetsItsLimitsAndCompletes) {
  cluster_.AddPod(MakePod("p1", "GPU-0,NVIDIA,3000,30:;"));
  Lock("p1");
  auto r = allocator_.Allocate(Request({{"GPU-0-3"}}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->container_responses_size(), 1);
  const auto& env = r->container_responses(0).envs();
  EXPECT_EQ(env.at("NVIDIA_VISIBLE_DEVICES"), "GPU-0");
  EXPECT_EQ(env.at("CUDA_DEVICE_MEMORY_LIMIT_0"), "3000m");
  EXPECT_EQ(env.at("CUDA_DEVICE_SM_LIMIT"), "30");
  PodInfo p = cluster_.Pod("default/p1");
  EXPECT_EQ(p.annotations.at(kToAllocate), ";");
  EXPECT_EQ(p.annotations.at("hami.io/bind-phase"), "success");
  EXPECT_EQ(p.annotations.at("hami.io/vgpu-devices-allocated"), "GPU-0,NVIDIA,3000,30:;");
  EXPECT_FALSE(cluster_.nodes[kNode].contains(kLock));
  EXPECT_TRUE(std::filesystem::exists(hook_ / "vgpu/containers/uid-p1_c0"));
  EXPECT_TRUE(std::filesystem::exists(hook_ / "vgpu/limits/uid-p1_c0.limits"));
}

TEST_F(AllocatorTest, TwoPodsBoundAtTheSameMomentEachGetTheirOwnLimits) {
  // Same GPU, same bind time: only the lock tells them apart.
  cluster_.AddPod(MakePod("p1", "GPU-0,NVIDIA,1000,10:;", 100));
  cluster_.AddPod(MakePod("p2", "GPU-0,NVIDIA,2000,20:;", 100));
  Lock("p2");
  auto r2 = allocator_.Allocate(Request({{"GPU-0-1"}}));
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->container_responses(0).envs().at("CUDA_DEVICE_MEMORY_LIMIT_0"), "2000m");
  Lock("p1");
  auto r1 = allocator_.Allocate(Request({{"GPU-0-2"}}));
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->container_responses(0).envs().at("CUDA_DEVICE_MEMORY_LIMIT_0"), "1000m");
}

TEST_F(AllocatorTest, FallbackWithoutLockMatchesKubeletsGpus) {
  cluster_.AddPod(MakePod("p1", "GPU-0,NVIDIA,1000,10:;", 100));
  cluster_.AddPod(MakePod("p2", "GPU-1,NVIDIA,2000,20:;", 50));
  auto r = allocator_.Allocate(Request({{"GPU-0-4"}}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->container_responses(0).envs().at("CUDA_DEVICE_MEMORY_LIMIT_0"), "1000m");
  EXPECT_EQ(cluster_.Pod("default/p2").annotations.at(kToAllocate), "GPU-1,NVIDIA,2000,20:;");
}

TEST_F(AllocatorTest, StaleLockOwnerFallsBack) {
  cluster_.AddPod(MakePod("p1", "GPU-0,NVIDIA,1000,10:;"));
  Lock("gone");
  ASSERT_TRUE(allocator_.Allocate(Request({{"GPU-0-0"}})).ok());
}

TEST_F(AllocatorTest, MultiContainerPodIsErasedOneEntryAtATime) {
  PodInfo p = MakePod("p1", ";GPU-0,NVIDIA,1000,10:;GPU-1,NVIDIA,2000,20:GPU-2,NVIDIA,2000,20:;", 100, 0);
  p.init_containers = {{"init", {}}};
  p.containers = {{"a", {{"CUDA_DISABLE_CONTROL", "true"}}}, {"b", {}}};
  cluster_.AddPod(p);
  Lock("p1");
  auto r = allocator_.Allocate(Request({{"GPU-0-0"}}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const auto& m : r->container_responses(0).mounts()) EXPECT_NE(m.container_path(), "/etc/ld.so.preload");
  PodInfo after = cluster_.Pod("default/p1");
  EXPECT_EQ(after.annotations.at(kToAllocate), ";;GPU-1,NVIDIA,2000,20:GPU-2,NVIDIA,2000,20:;");
  EXPECT_EQ(after.annotations.at("hami.io/bind-phase"), "allocating");
  EXPECT_TRUE(cluster_.nodes[kNode].contains(kLock));  // held until the last container
  auto r2 = allocator_.Allocate(Request({{"GPU-1-0", "GPU-2-0"}}));
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->container_responses(0).envs().at("NVIDIA_VISIBLE_DEVICES"), "GPU-1,GPU-2");
  EXPECT_EQ(r2->container_responses(0).envs().at("CUDA_DEVICE_MEMORY_LIMIT_1"), "2000m");
  EXPECT_TRUE(std::filesystem::exists(hook_ / "vgpu/containers/uid-p1_b"));
  after = cluster_.Pod("default/p1");
  EXPECT_EQ(after.annotations.at(kToAllocate), ";;;");
  EXPECT_EQ(after.annotations.at("hami.io/bind-phase"), "success");
  EXPECT_FALSE(cluster_.nodes[kNode].contains(kLock));
}

TEST_F(AllocatorTest, MalformedAnnotationFailsThePodOnlyWithEventAndLockRelease) {
  PodInfo bad = MakePod("bad", "GPU-0,NVIDIA,lots,10:;");
  cluster_.AddPod(bad);
  cluster_.AddPod(MakePod("good", "GPU-1,NVIDIA,1000,10:;", 200));
  Lock("bad");
  auto r = allocator_.Allocate(Request({{"GPU-0-0"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("default/bad"));
  EXPECT_THAT(r.status().message(), HasSubstr("usedmem"));
  EXPECT_EQ(cluster_.Pod("default/bad").annotations.at("hami.io/bind-phase"), "failed");
  EXPECT_FALSE(cluster_.nodes[kNode].contains(kLock));
  ASSERT_EQ(cluster_.events.size(), 1u);
  EXPECT_EQ(cluster_.events[0].pod, "default/bad");
  EXPECT_EQ(cluster_.events[0].reason, "AllocateFailed");
  // The other pod is untouched and still allocatable.
  EXPECT_EQ(cluster_.Pod("default/good").annotations.at("hami.io/bind-phase"), "allocating");
  Lock("good");
  EXPECT_TRUE(allocator_.Allocate(Request({{"GPU-1-0"}})).ok());
}

TEST_F(AllocatorTest, DeviceCountMismatchFails) {
  cluster_.AddPod(MakePod("p1", "GPU-0,NVIDIA,1000,10:;"));
  Lock("p1");
  auto r = allocator_.Allocate(Request({{"GPU-0-0", "GPU-1-0"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("device count mismatch"));
  EXPECT_EQ(cluster_.Pod("default/p1").annotations.at("hami.io/bind-phase"), "failed");
}

TEST_F(AllocatorTest, NoPendingPodIsNotFoundAndTouchesNothing) {
  PodInfo p = MakePod("p1", "GPU-0,NVIDIA,1000,10:;");
  p.annotations.erase("hami.io/bind-time");  // not bound by hami-scheduler
  cluster_.AddPod(p);
  PodInfo q = MakePod("p2", "");  // no devices
  cluster_.AddPod(q);
  auto r = allocator_.Allocate(Request({{"GPU-0-0"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(cluster_.pod_patches, 0);
  EXPECT_TRUE(cluster_.events.empty());
}

TEST_F(AllocatorTest, PodPatchFailureIsReported) {
  cluster_.AddPod(MakePod("p1", "GPU-0,NVIDIA,1000,10:;"));
  Lock("p1");
  cluster_.fail_pod_patch = true;
  auto r = allocator_.Allocate(Request({{"GPU-0-0"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("injected"));
  EXPECT_FALSE(cluster_.nodes[kNode].contains(kLock));
}

TEST_F(AllocatorTest, PreferredAllocationAlignsToAnnotatedGpus) {
  cluster_.AddPod(MakePod("p1", "GPU-1,NVIDIA,1000,10:GPU-2,NVIDIA,1000,10:;"));
  Lock("p1");
  v1beta1::PreferredAllocationRequest req;
  auto* c = req.add_container_requests();
  for (const char* id : {"GPU-0-0", "GPU-0-1", "GPU-1-0", "GPU-1-1", "GPU-2-0"}) c->add_available_deviceids(id);
  c->set_allocation_size(2);
  auto r = allocator_.GetPreferredAllocation(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->container_responses_size(), 1);
  EXPECT_THAT(r->container_responses(0).deviceids(), ::testing::ElementsAre("GPU-1-0", "GPU-2-0"));
  EXPECT_EQ(cluster_.pod_patches, 0);
}

}  // namespace
}  // namespace hami::deviceplugin
