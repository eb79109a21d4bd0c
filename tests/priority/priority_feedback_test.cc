// The monitor's priority feedback loop against real libvgpu.so processes on
// the fake driver: while a priority-0 task launches kernels, the priority-1
// task on the same GPU is blocked (its launches wait, counted as throttled
// time); once the high-priority task exits, the low one is released.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "monitor/feedback.h"
#include "monitor/node_monitor.h"
#include "monitor/testing/temp_dir.h"

extern char** environ;

namespace hami::monitor {
namespace {
namespace fs = std::filesystem;
using std::chrono::milliseconds;

const char* kUuid = "GPU-11111111-2222-3333-4444-555555555555";

class PriorityFeedbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path() + "/hook/vgpu/containers";
    std::ofstream(tmp_.path() + "/gpus.json")
        << R"({"driverVersion":"550.54.15","cudaDriverVersion":12040,"gpus":[{"uuid":")" << kUuid
        << R"(","name":"NVIDIA A100-SXM4-80GB","memoryMiB":81920,"smCount":108}]})";
  }

  // Starts `vgpu_probe launch <seconds>` as container <uid>_main with `priority`.
  pid_t Start(const std::string& uid, int priority, double seconds) {
    std::string dir = root_ + "/" + uid + "_main";
    fs::create_directories(dir);
    std::string limits = tmp_.path() + "/" + uid + ".limits";
    std::ofstream(limits) << "version=1\nshared_region=" << dir << "/0.cache\n"
                          << "priority=" << priority << "\ndevice.0.uuid=" << kUuid
                          << "\ndevice.0.memory_limit_bytes=1073741824\n"
                          << "device.0.sm_limit_percent=0\n";
    std::vector<std::string> env = {"LD_PRELOAD=" HAMI_LIBVGPU,
                                    "LD_LIBRARY_PATH=" HAMI_FAKES_DIR,
                                    "HAMI_SIM_GPUS=" + tmp_.path() + "/gpus.json",
                                    "HAMI_SIM_STATE=" + tmp_.path() + "/gpus.state",
                                    "HAMI_VGPU_LIMITS_FILE=" + limits,
                                    "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"};
    std::vector<std::string> args = {HAMI_PROBE, "launch", std::to_string(seconds), "0",
                                     "k1000us", "kernel"};
    std::vector<char*> envp, argv;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, (tmp_.path() + "/" + uid + ".out").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    EXPECT_EQ(posix_spawn(&pid, HAMI_PROBE, &fa, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
  }

  static bool Exited(pid_t pid, int* status) { return waitpid(pid, status, WNOHANG) == pid; }

  const ContainerState* Find(const std::vector<ContainerState>& cs, const std::string& uid) {
    for (const auto& c : cs) {
      if (c.dir.pod_uid == uid) return &c;
    }
    return nullptr;
  }

  testing::TempDir tmp_;
  std::string root_;
};

TEST_F(PriorityFeedbackTest, HighPriorityBlocksThenReleasesLowPriority) {
  pid_t low = Start("low", 1, 9.0);
  pid_t high = Start("high", 0, 3.0);
  ASSERT_GT(low, 0);
  ASSERT_GT(high, 0);
  FakeClock clock;
  NodeMonitor monitor({"node", root_}, nullptr, nullptr, &clock);
  FeedbackLoop loop("");
  bool saw_blocked = false, released_after_high = false, high_done = false;
  uint64_t low_throttled_ns = 0;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool low_done = false;
  // A fast loop (0.5 s ticks instead of 5 s) keeps the test short.
  while (!low_done && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(500));
    monitor.Refresh();
    monitor.FeedbackTick(&loop);
    monitor.Refresh();
    auto cs = monitor.containers();
    const ContainerState* l = Find(cs, "low");
    if (l != nullptr) {
      if (!l->region.devices.empty() && l->region.devices[0].throttled_ns) {
        low_throttled_ns = *l->region.devices[0].throttled_ns;
      }
      if (!high_done && l->region.recent_kernel < 0) saw_blocked = true;
      if (high_done && l->region.recent_kernel > 0) released_after_high = true;
    }
    if (!high_done && Exited(high, &status)) {
      high_done = true;
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    if (Exited(low, &status)) {
      low_done = true;
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
  }
  if (!high_done) kill(high, SIGKILL), waitpid(high, nullptr, 0);
  if (!low_done) kill(low, SIGKILL), waitpid(low, nullptr, 0);
  EXPECT_TRUE(high_done);
  EXPECT_TRUE(low_done) << "low-priority task never finished (not released?)";
  EXPECT_TRUE(saw_blocked) << "low-priority task was never blocked";
  EXPECT_TRUE(released_after_high) << "low-priority task did not launch again after release";
  EXPECT_GT(low_throttled_ns, 1000000000ull) << "blocked time not recorded";
  std::printf("low-priority task blocked for %.2f s while the high-priority task ran 3 s\n",
              static_cast<double>(low_throttled_ns) / 1e9);
}

}  // namespace
}  // namespace hami::monitor
