#include "deviceplugin/container_response.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace hami::deviceplugin {
namespace {

using ::testing::HasSubstr;

ContainerAllocation TwoGpus() {
  ContainerAllocation a;
  a.pod_uid = "uid-1";
  a.container_name = "main";
  a.devices = {{"GPU-a", "NVIDIA", 3000, 30}, {"GPU-b", "NVIDIA", 4000, 30}};
  return a;
}

std::map<std::string, std::pair<std::string, bool>> Mounts(const v1beta1::ContainerAllocateResponse& r) {
  std::map<std::string, std::pair<std::string, bool>> out;
  for (const auto& m : r.mounts()) out[m.container_path()] = {m.host_path(), m.read_only()};
  return out;
}

TEST(ContainerResponse, EnvForLibvgpu) {
  PluginConfig c;
  auto plan = PlanContainer(TwoGpus(), c, "/usr/local", "cache-1");
  const auto& env = plan.response.envs();
  EXPECT_EQ(env.at("NVIDIA_VISIBLE_DEVICES"), "GPU-a,GPU-b");
  EXPECT_EQ(env.at("CUDA_DEVICE_MEMORY_LIMIT_0"), "3000m");
  EXPECT_EQ(env.at("CUDA_DEVICE_MEMORY_LIMIT_1"), "4000m");
  EXPECT_EQ(env.at("CUDA_DEVICE_SM_LIMIT"), "30");
  EXPECT_EQ(env.at("CUDA_DEVICE_MEMORY_SHARED_CACHE"), "/usr/local/vgpu/cache-1.cache");
  EXPECT_EQ(env.at("LIBCUDA_LOG_LEVEL"), "1");
  EXPECT_FALSE(env.contains("HAMI_VGPU_LIMITS_FILE"));
  EXPECT_FALSE(env.contains("CUDA_OVERSUBSCRIBE"));
  EXPECT_FALSE(env.contains("GPU_CORE_UTILIZATION_POLICY"));
  // CDI-free: no CDI devices, no device specs, no annotations.
  EXPECT_EQ(plan.response.cdi_devices_size(), 0);
  EXPECT_EQ(plan.response.devices_size(), 0);
  EXPECT_EQ(plan.response.annotations_size(), 0);
}

TEST(ContainerResponse, OversubscribeAndCoreLimitKnobs) {
  PluginConfig c;
  c.device_memory_scaling = 2;
  c.disable_core_limit = true;
  c.lib_cuda_log_level = "";
  auto plan = PlanContainer(TwoGpus(), c, "/usr/local", "x");
  EXPECT_EQ(plan.response.envs().at("CUDA_OVERSUBSCRIBE"), "true");
  EXPECT_EQ(plan.response.envs().at("GPU_CORE_UTILIZATION_POLICY"), "disable");
  EXPECT_FALSE(plan.response.envs().contains("LIBCUDA_LOG_LEVEL"));
}

TEST(ContainerResponse, Mounts) {
  auto plan = PlanContainer(TwoGpus(), PluginConfig{}, "/hook", "x");
  auto m = Mounts(plan.response);
  EXPECT_EQ(m.at("/hook/vgpu/libvgpu.so"), std::make_pair(std::string("/hook/vgpu/libvgpu.so"), true));
  EXPECT_EQ(m.at("/hook/vgpu"), std::make_pair(std::string("/hook/vgpu/containers/uid-1_main"), false));
  EXPECT_EQ(m.at("/tmp/vgpulock"), std::make_pair(std::string("/tmp/vgpulock"), false));
  EXPECT_EQ(m.at("/etc/ld.so.preload"), std::make_pair(std::string("/hook/vgpu/ld.so.preload"), true));
  EXPECT_EQ(m.at("/etc/hami/vgpu/limits.conf"),
            std::make_pair(std::string("/hook/vgpu/limits/uid-1_main.limits"), true));
}

TEST(ContainerResponse, DisableControlSkipsPreload) {
  auto a = TwoGpus();
  a.disable_control = true;
  auto m = Mounts(PlanContainer(a, PluginConfig{}, "/hook", "x").response);
  EXPECT_FALSE(m.contains("/etc/ld.so.preload"));
  EXPECT_TRUE(m.contains("/hook/vgpu/libvgpu.so"));
}

TEST(ContainerResponse, LimitsFileContent) {
  auto a = TwoGpus();
  a.task_priority = "0";
  std::string t = RenderLimitsFile(a, PluginConfig{}, "/usr/local/vgpu/x.cache");
  EXPECT_THAT(t, HasSubstr("\nversion=1\n"));
  EXPECT_THAT(t, HasSubstr("\nshared_region=/usr/local/vgpu/x.cache\n"));
  EXPECT_THAT(t, HasSubstr("\ndevice.1.uuid=GPU-b\n"));
  EXPECT_THAT(t, HasSubstr("\ndevice.0.memory_limit_bytes=3145728000\n"));
  EXPECT_THAT(t, HasSubstr("\ndevice.1.sm_limit_percent=30\n"));
  EXPECT_THAT(t, HasSubstr("\npriority=0\n"));
}

TEST(ContainerResponse, MaterializeWritesReadOnlyLimitsFile) {
  auto dir = std::filesystem::temp_directory_path() / ("dp-test-" + RandomUuid());
  auto plan = PlanContainer(TwoGpus(), PluginConfig{}, dir.string(), "x");
  ASSERT_TRUE(MaterializeContainer(plan).ok());
  struct stat st{};
  ASSERT_EQ(::stat(plan.container_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0777u);
  ASSERT_EQ(::stat(plan.limits_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0444u);
  std::ifstream in(plan.limits_path);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), plan.limits_text);
  // Rewriting (container restart) replaces the read-only file atomically.
  ASSERT_TRUE(MaterializeContainer(plan).ok());
  std::filesystem::remove_all(dir);
}

TEST(ContainerResponse, RandomUuidShape) {
  std::string u = RandomUuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(u, RandomUuid());
}

}  // namespace
}  // namespace hami::deviceplugin
