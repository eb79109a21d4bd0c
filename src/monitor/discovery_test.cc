#include "monitor/discovery.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "monitor/pods.h"
#include "monitor/testing/temp_dir.h"

namespace hami::monitor {
namespace {
namespace fs = std::filesystem;

void Touch(const fs::path& p) { std::ofstream(p) << "x"; }

TEST(DiscoveryTest, FindsContainersAndRejectsBadDirs) {
  testing::TempDir tmp;
  fs::path root = fs::path(tmp.path()) / "vgpu" / "containers";
  fs::create_directories(root / "uid-1_main");
  Touch(root / "uid-1_main" / "b.cache");
  Touch(root / "uid-1_main" / "a.cache");
  fs::create_directories(root / "uid-2_side");  // no cache yet
  fs::create_directories(root / "uid-3_many");
  for (const char* f : {"a.cache", "b.cache", "libvgpu.so"}) Touch(root / "uid-3_many" / f);
  fs::create_directories(root / "noname");
  Touch(root / "stray-file_x");
  auto found = DiscoverContainers(root.string());
  ASSERT_EQ(found.containers.size(), 2u);
  EXPECT_EQ(found.containers[0].pod_uid, "uid-1");
  EXPECT_EQ(found.containers[0].container, "main");
  EXPECT_EQ(found.containers[0].region_path, (root / "uid-1_main" / "a.cache").string());
  EXPECT_EQ(found.containers[1].region_path, "");
  EXPECT_EQ(found.rejected.size(), 2u);
  EXPECT_TRUE(DiscoverContainers((root / "absent").string()).containers.empty());
}

TEST(DiscoveryTest, CleansUpOnlyOldDirsOfGonePods) {
  testing::TempDir tmp;
  fs::path root = fs::path(tmp.path());
  for (const char* d : {"live_c", "gone_c", "fresh_c"}) fs::create_directories(root / d);
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(1);
  fs::last_write_time(root / "live_c", old);
  fs::last_write_time(root / "gone_c", old);
  auto removed = CleanupStaleDirs(root.string(), {"live"}, std::chrono::seconds(300));
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0], (root / "gone_c").string());
  EXPECT_TRUE(fs::exists(root / "live_c"));
  EXPECT_TRUE(fs::exists(root / "fresh_c"));
}

TEST(DiscoveryTest, CleansUpOnlyOldLimitFilesOfGonePods) {
  testing::TempDir tmp;
  fs::path root = fs::path(tmp.path());
  for (const char* f : {"live_c.limits", "gone_c.limits", "fresh_c.limits", "gone_c.other", "nounderscore.limits"}) {
    std::ofstream(root / f) << "version=1\n";
  }
  fs::create_directories(root / "gone_dir.limits");
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (const char* f : {"live_c.limits", "gone_c.limits", "gone_c.other", "nounderscore.limits", "gone_dir.limits"}) {
    fs::last_write_time(root / f, old);
  }
  auto removed = CleanupStaleLimitFiles(root.string(), {"live"}, std::chrono::seconds(300));
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0], (root / "gone_c.limits").string());
  for (const char* f : {"live_c.limits", "fresh_c.limits", "gone_c.other", "nounderscore.limits", "gone_dir.limits"}) {
    EXPECT_TRUE(fs::exists(root / f)) << f;
  }
  EXPECT_TRUE(CleanupStaleLimitFiles((root / "absent").string(), {}, std::chrono::seconds(0)).empty());
}

TEST(PodsTest, PodInfoFromJson) {
  auto pod = nlohmann::json::parse(R"({"metadata":{"uid":"u1","name":"p","namespace":"ns"},
      "spec":{"containers":[{"name":"a"},{"name":"b"}]}})");
  auto info = PodInfoFromJson(pod);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->uid, "u1");
  EXPECT_EQ(info->ns, "ns");
  EXPECT_EQ(info->containers, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(info->allocated.empty());
  EXPECT_FALSE(PodInfoFromJson(nlohmann::json::parse(R"({"metadata":{"name":"p"}})")).ok());
  EXPECT_FALSE(PodInfoFromJson(nlohmann::json::parse(R"([1,2])")).ok());
  EXPECT_FALSE(PodInfoFromJson(nlohmann::json::parse(
      R"({"metadata":{"uid":"u","name":"p"},"spec":{"containers":[{"name":3}]}})")).ok());
}

TEST(PodsTest, AllocatedDevicesMappedToContainerNames) {
  auto pod = nlohmann::json::parse(R"({"metadata":{"uid":"u1","name":"p","namespace":"ns",
      "annotations":{"hami.io/vgpu-devices-allocated":";GPU-a,NVIDIA,1024,30:;;"}},
      "spec":{"initContainers":[{"name":"init"}],"containers":[{"name":"a"},{"name":"b"}]}})");
  auto info = PodInfoFromJson(pod);
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(info->allocated.size(), 1u);
  ASSERT_EQ(info->allocated.count("a"), 1u);
  EXPECT_EQ(info->allocated["a"][0].uuid, "GPU-a");
  EXPECT_EQ(info->allocated["a"][0].used_mem_mib, 1024);
  EXPECT_EQ(info->containers, (std::vector<std::string>{"a", "b"}));
  pod["metadata"]["annotations"]["hami.io/vgpu-devices-allocated"] = "garbage,,;";
  info = PodInfoFromJson(pod);
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->allocated.empty());
}

}  // namespace
}  // namespace hami::monitor
