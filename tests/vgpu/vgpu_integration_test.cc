// Cross-process tests of libvgpu.so through the fake libcuda/NVML: every
// allocation path stops at the limit, queries agree, lookups via dlsym and
// cuGetProcAddress stay hooked, races never overshoot, a SIGKILLed process's
// memory is reclaimed in < 1 s, and the compute limiter tracks its cap.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "vgpu/shared_region.h"

extern char** environ;

namespace {

constexpr uint64_t kMiB = 1ull << 20;
const char* kUuid = "GPU-11111111-2222-3333-4444-555555555555";

struct Proc {
  pid_t pid = -1;
  int out = -1;
};

class VgpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hami-vgpu-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(dir_ + "/gpus.json")
        << R"({"driverVersion":"550.54.15","cudaDriverVersion":12040,"gpus":[{"uuid":")" << kUuid
        << R"(","name":"NVIDIA A100-SXM4-80GB","memoryMiB":81920,"smCount":108,"contextMiB":256}]})";
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  // Writes a limits file for container `name` and returns its path.
  std::string Limits(const std::string& name, uint64_t mem_bytes, int sm = 0,
                     uint64_t ctx_bytes = 0) {
    std::string path = dir_ + "/" + name + ".limits";
    std::ofstream(path) << "version=1\nshared_region=" << dir_ << "/" << name
                        << ".cache\ncore_policy=force\ndevice.0.uuid=" << kUuid
                        << "\ndevice.0.memory_limit_bytes=" << mem_bytes
                        << "\ndevice.0.sm_limit_percent=" << sm
                        << "\ncontext_overhead_bytes=" << ctx_bytes << "\n";
    return path;
  }

  Proc Spawn(const std::string& limits, std::vector<std::string> args,
             std::vector<std::string> extra_env = {}) {
    std::vector<std::string> env = {
        "LD_PRELOAD=" HAMI_LIBVGPU, "LD_LIBRARY_PATH=" HAMI_FAKES_DIR,
        "HAMI_SIM_GPUS=" + dir_ + "/gpus.json", "HAMI_SIM_STATE=" + dir_ + "/gpus.state",
        "HAMI_VGPU_LIMITS_FILE=" + limits,
        "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"};
    env.insert(env.begin(), extra_env.begin(), extra_env.end());  // first wins
    std::vector<char*> envp, argv;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    args.insert(args.begin(), HAMI_PROBE);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    Proc p;
    EXPECT_EQ(posix_spawn(&p.pid, HAMI_PROBE, &fa, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    p.out = fds[0];
    return p;
  }

  static std::string ReadLine(const Proc& p) {
    std::string s;
    char c;
    while (read(p.out, &c, 1) == 1 && c != '\n') s += c;
    return s;
  }

  static std::string Finish(Proc& p) {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = read(p.out, buf, sizeof(buf))) > 0) s.append(buf, size_t(n));
    close(p.out);
    int st = 0;
    waitpid(p.pid, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << s;
    return s;
  }

  std::map<std::string, std::string> Run(const std::string& limits,
                                         std::vector<std::string> args,
                                         std::vector<std::string> extra_env = {}) {
    Proc p = Spawn(limits, std::move(args), std::move(extra_env));
    std::istringstream in(Finish(p));
    std::map<std::string, std::string> kv;
    std::string tok;
    while (in >> tok) {
      auto eq = tok.find('=');
      if (eq != std::string::npos) kv[tok.substr(0, eq)] = tok.substr(eq + 1);
    }
    return kv;
  }

  // Sum of used[0].total over all slots of a container's region.
  uint64_t RegionUsage(const std::string& name) {
    int fd = open((dir_ + "/" + name + ".cache").c_str(), O_RDONLY);
    if (fd < 0) return ~0ull;
    void* m = mmap(nullptr, HAMI_VGPU_REGION_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    auto* r = static_cast<hami_vgpu_region*>(m);
    uint64_t sum = 0;
    for (int i = 0; i < HAMI_VGPU_MAX_PROCS; ++i) sum += r->v1.procs[i].used[0].total;
    EXPECT_EQ(r->v1.initialized_flag, HAMI_VGPU_MAGIC);
    EXPECT_EQ(r->v1.limit[0], 1024 * kMiB);
    munmap(m, HAMI_VGPU_REGION_SIZE);
    return sum;
  }

  std::string dir_;
};

TEST_F(VgpuTest, EveryAllocationPathStopsAtTheLimitWithOutOfMemory) {
  for (const char* path : {"memalloc", "pitch", "managed", "vmm", "async", "pool", "array"}) {
    auto kv = Run(Limits(std::string("c_") + path, 1024 * kMiB), {"fill", path, "67108864"});
    EXPECT_EQ(kv["obtained"], std::to_string(1024 * kMiB)) << path;
    EXPECT_EQ(kv["rc"], "2") << path;  // CUDA_ERROR_OUT_OF_MEMORY
  }
}

TEST_F(VgpuTest, DeviceIdentityIsTheUuidWhateverCudaVisibleDevicesSays) {
  // Physical GPU 0 (2 GiB, not ours) and GPU 1 (ours, limited to 1 GiB).
  const std::string other = "GPU-99999999-8888-7777-6666-555555555555";
  std::ofstream(dir_ + "/two.json") << R"({"gpus":[{"uuid":")" << other
      << R"(","memoryMiB":2048},{"uuid":")" << kUuid << R"(","memoryMiB":81920}]})";
  std::string limits = Limits("cvd", 1024 * kMiB);
  std::vector<std::string> sim = {"HAMI_SIM_GPUS=" + dir_ + "/two.json",
                                  "HAMI_SIM_STATE=" + dir_ + "/two.state"};
  for (const std::string& cvd : std::vector<std::string>{"1", kUuid, "1,0"}) {
    auto env = sim;
    env.push_back("CUDA_VISIBLE_DEVICES=" + cvd);
    auto kv = Run(limits, {"fill", "memalloc", "67108864"}, env);
    EXPECT_EQ(kv["obtained"], std::to_string(1024 * kMiB)) << cvd;
  }
  auto env = sim;
  env.push_back("CUDA_VISIBLE_DEVICES=0");  // not the container's GPU: not limited
  EXPECT_EQ(Run(limits, {"fill", "memalloc", "67108864"}, env)["obtained"],
            std::to_string(2048 * kMiB));
}

TEST_F(VgpuTest, ContextsAreCharged) {
  // Primary context + extra contexts at 256 MiB each under a 1 GiB limit.
  auto kv = Run(Limits("ctx", 1024 * kMiB, 0, 256 * kMiB), {"fill", "ctx", "1"});
  EXPECT_EQ(kv["obtained"], "3");
  EXPECT_EQ(kv["rc"], "2");
}

TEST_F(VgpuTest, MemoryQueriesAgree) {
  auto kv = Run(Limits("info", 1024 * kMiB), {"info", std::to_string(100 * kMiB)});
  EXPECT_EQ(kv["cu_total"], std::to_string(1024 * kMiB));
  EXPECT_EQ(kv["dev_total"], std::to_string(1024 * kMiB));
  EXPECT_EQ(kv["nvml_total"], std::to_string(1024 * kMiB));
  EXPECT_EQ(kv["cu_free"], std::to_string(924 * kMiB));
  EXPECT_EQ(kv["nvml_free"], std::to_string(924 * kMiB));
  EXPECT_EQ(kv["nvml_used"], std::to_string(100 * kMiB));
  EXPECT_EQ(kv["null_rc"], "0");
  auto un = Run(Limits("info2", 0), {"info"});
  EXPECT_EQ(un["cu_total"], std::to_string(81920 * kMiB));
  EXPECT_EQ(un["dev_total"], std::to_string(81920 * kMiB));
}

TEST_F(VgpuTest, DlsymAndCuGetProcAddressReturnHooks) {
  auto kv = Run(Limits("gpa", 1024 * kMiB), {"procaddr", "67108864"});
  EXPECT_EQ(kv["dlsym_is_hook"], "1");
  EXPECT_EQ(kv["gpa_is_hook"], "1");
  EXPECT_EQ(kv["launch_ptsz_is_hook"], "1");
  EXPECT_EQ(kv["launch_is_hook"], "1");
  EXPECT_EQ(kv["distinct"], "1");
  EXPECT_EQ(kv["obtained"], std::to_string(1024 * kMiB));
  EXPECT_EQ(kv["rc"], "2");
}

TEST_F(VgpuTest, ChurnReturnsToBaselineAndUnknownFreesReachTheDriver) {
  auto kv = Run(Limits("churn", 1024 * kMiB), {"churn", "3000"});
  EXPECT_EQ(kv.count("free_failed"), 0u);
  EXPECT_EQ(kv["unknown_free_rc"], "1");  // the fake driver's INVALID_VALUE
  EXPECT_EQ(RegionUsage("churn"), 0u);
}

TEST_F(VgpuTest, RacingProcessesNeverOvershoot) {
  std::string limits = Limits("race", 1024 * kMiB);
  int total_ok = 0;
  for (int round = 0; round < 8; ++round) {
    std::string barrier = dir_ + "/go" + std::to_string(round);
    std::vector<Proc> ps;
    for (int i = 0; i < 6; ++i) ps.push_back(Spawn(limits, {"race", barrier, "629145600"}));
    usleep(150000);
    std::ofstream(barrier) << "go";
    int ok = 0;
    for (auto& p : ps) ok += ReadLine(p) == "rc=0";
    std::ofstream(barrier + ".done") << "done";
    for (auto& p : ps) Finish(p);
    EXPECT_LE(ok, 1) << "round " << round;
    total_ok += ok;
  }
  EXPECT_GE(total_ok, 4);  // no livelock: most rounds admit one
}

TEST_F(VgpuTest, KilledProcessMemoryIsReclaimedWithinOneSecond) {
  std::string limits = Limits("crash", 1024 * kMiB);
  Proc a = Spawn(limits, {"hold", std::to_string(900 * kMiB)});
  ASSERT_EQ(ReadLine(a), "held rc=0");
  kill(a.pid, SIGKILL);
  waitpid(a.pid, nullptr, 0);
  close(a.out);
  auto t0 = std::chrono::steady_clock::now();
  Proc b = Spawn(limits, {"hold", std::to_string(900 * kMiB)});
  std::string line = ReadLine(b);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  kill(b.pid, SIGKILL);
  waitpid(b.pid, nullptr, 0);
  close(b.out);
  EXPECT_EQ(line, "held rc=0");
  EXPECT_LT(s, 1.0);
  // The next query in the container clears the dead slots for the monitor.
  auto kv = Run(limits, {"info"});
  EXPECT_EQ(kv["nvml_used"], "0");
  EXPECT_EQ(RegionUsage("crash"), 0u);
  printf("reclaim_seconds=%.3f (threshold 1.0)\n", s);
}

TEST_F(VgpuTest, PriorityBlockHoldsLaunchesUntilReleased) {
  // Launches wait while the monitor has set recent_kernel = -1, even without
  // any SM limit, and mark the container active (2) once released.
  std::string limits = Limits("prio", 0, 0);
  Run(limits, {"info"});  // creates the region
  int fd = open((dir_ + "/prio.cache").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  auto* r = static_cast<hami_vgpu_region*>(
      mmap(nullptr, HAMI_VGPU_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  close(fd);
  __atomic_store_n(&r->v1.recent_kernel, -1, __ATOMIC_SEQ_CST);
  auto t0 = std::chrono::steady_clock::now();
  Proc p = Spawn(limits, {"launch", "0.2", "0", "k100us"});
  usleep(600000);
  EXPECT_EQ(__atomic_load_n(&r->v1.recent_kernel, __ATOMIC_SEQ_CST), -1);  // still blocked
  __atomic_store_n(&r->v1.recent_kernel, 0, __ATOMIC_SEQ_CST);
  Finish(p);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(s, 0.6);
  EXPECT_EQ(__atomic_load_n(&r->v1.recent_kernel, __ATOMIC_SEQ_CST), 2);
  EXPECT_GT(__atomic_load_n(&r->v1.last_kernel_time, __ATOMIC_SEQ_CST), 0);
  munmap(r, HAMI_VGPU_REGION_SIZE);
}

double Share(const std::map<std::string, std::string>& kv) {
  auto it = kv.find("busy_share");
  return it == kv.end() ? -1 : std::stod(it->second);
}

TEST_F(VgpuTest, ComputeCapTracksThirtyPercentOnEveryPath) {
  for (const char* path : {"kernel", "graph", "coop"}) {
    auto kv = Run(Limits(std::string("sm_") + path, 0, 30), {"launch", "3", "1.5", "k500us", path});
    double share = Share(kv);
    printf("path=%s busy_share=%.3f (target 0.30 +- 0.05)\n", path, share);
    EXPECT_NEAR(share, 0.30, 0.05) << path;
  }
}

TEST_F(VgpuTest, ComputeCapTracksTenAndNinetyPercent) {
  for (int cap : {10, 90}) {
    auto kv = Run(Limits("cap" + std::to_string(cap), 0, cap), {"launch", "3", "1.5", "k500us"});
    double share = Share(kv);
    printf("cap=%d busy_share=%.3f (target %.2f +- 0.05)\n", cap, share, cap / 100.0);
    EXPECT_NEAR(share, cap / 100.0, 0.05) << cap;
  }
}

TEST_F(VgpuTest, TwoContainersSplitThirtySeventy) {
  Proc a = Spawn(Limits("a", 0, 30), {"launch", "4", "2", "k500us"});
  Proc b = Spawn(Limits("b", 0, 70), {"launch", "4", "2", "k500us"});
  std::string oa = Finish(a), ob = Finish(b);
  double sa = std::stod(oa.substr(oa.find("busy_share=") + 11));
  double sb = std::stod(ob.substr(ob.find("busy_share=") + 11));
  printf("split a=%.3f b=%.3f (targets 0.30/0.70 +- 0.05)\n", sa, sb);
  EXPECT_NEAR(sa, 0.30, 0.05);
  EXPECT_NEAR(sb, 0.70, 0.05);
}

}  // namespace
