// Integration: hami's device plugin (in process: Plugin loop, gRPC server,
// Allocator over the real k8s client) against the Go fake kubelet (a separate
// process using the official k8s.io/kubelet device-plugin package), both
// talking to an in-memory API server (src/k8s test double). The test plays
// the scheduler: for each pod it takes the node lock, writes the HAMi
// annotations and binds, like hami-scheduler's Filter+Bind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "common/clock.h"
#include "deviceplugin/allocator.h"
#include "deviceplugin/container_response.h"
#include "deviceplugin/kube_cluster.h"
#include "deviceplugin/plugin.h"
#include "deviceplugin/server.h"
#include "deviceplugin/testing/fakes.h"
#include "k8s/client.h"
#include "k8s/internal/fake_apiserver.h"

namespace hami::deviceplugin {
namespace {

using namespace std::chrono_literals;
using k8s::Json;
namespace fs = std::filesystem;

constexpr char kNode[] = "sim-node-0";
constexpr int kGpus = 2;
constexpr int kSplit = 50;

std::string FakeKubeletBinary() {
  if (const char* p = std::getenv("HAMI_FAKEKUBELET")) return p;
  const char* cache = std::getenv("HAMI_CACHE");
  std::string base = cache != nullptr ? cache : std::string(std::getenv("HOME")) + "/.cache/hami";
  return base + "/bin/fakekubelet";
}

template <typename F>
bool WaitFor(F pred, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::string& log_path) {
    pid_ = fork();
    if (pid_ == 0) {
      // Die with the test: a test process that aborts (a failed assertion in a
      // helper, a sanitizer's halt_on_error) must not leave a kubelet behind.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      FILE* f = std::freopen(log_path.c_str(), "a", stdout);
      (void)f;
      dup2(fileno(stdout), 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Process() { Stop(); }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(50ms);
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

class FakeKubeletIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = FakeKubeletBinary();
    if (!fs::exists(binary_)) GTEST_SKIP() << "fake kubelet not built: run tests/fakekubelet/build.sh";
    dir_ = fs::temp_directory_path() / ("dp-it-" + RandomUuid().substr(0, 8));
    fs::create_directories(dir_ / "plugins");
    kubeconfig_ = (dir_ / "kubeconfig").string();
    std::ofstream(kubeconfig_) << "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
                               << "    server: " << api_.url() << "\nusers:\n- name: u\n  user:\n"
                               << "    token: test\ncontexts:\n- name: x\n  context:\n    cluster: c\n"
                               << "    user: u\ncurrent-context: x\n";
    k8s::ClientConfig cc;
    cc.server = api_.url();
    client_ = std::move(k8s::Client::Create(cc)).value();
    cluster_ = std::make_unique<KubeCluster>(client_.get(), &clock_);
    for (int i = 0; i < kGpus; ++i) nvml_.gpus.push_back(testing::MakeGpu(i));
    PluginConfig config;
    config.device_split_count = kSplit;
    config.enable_preferred_allocation = true;
    allocator_ = std::make_unique<Allocator>(cluster_.get(),
                                             AllocatorOptions{kNode, (dir_ / "hook").string(), config});
    ServerOptions so;
    so.plugin_dir = (dir_ / "plugins").string();
    so.preferred_allocation = true;
    server_ = std::make_unique<PluginServer>(allocator_.get(), so);
    PluginOptions po{kNode, config};
    po.retry_interval = 200ms;
    po.health_interval = 200ms;
    plugin_ = std::make_unique<Plugin>(&nvml_, cluster_.get(), server_.get(), po);
    StartKubelet();
    // Start the plugin once kubelet serves (kubelet cleans the socket dir at start).
    ASSERT_TRUE(WaitFor([&] { return fs::exists(dir_ / "plugins/kubelet.sock"); }, 30s)) << Log();
    runner_ = std::thread([this] { run_status_ = plugin_->Run(stop_); });
    ASSERT_TRUE(WaitFor([&] { return Allocatable() == kGpus * kSplit; }, 30s))
        << "node never showed " << kGpus * kSplit << " nvidia.com/gpu; log: " << Log();
  }
  void TearDown() override {
    stop_ = true;
    if (runner_.joinable()) runner_.join();
    kubelet_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void StartKubelet() {
    kubelet_ = std::make_unique<Process>(
        std::vector<std::string>{binary_, "--kubeconfig", kubeconfig_, "--node-name", kNode, "--plugin-dir",
                                 (dir_ / "plugins").string(), "--plain-http-client"},
        (dir_ / "fakekubelet.log").string());
  }
  std::string Log() {
    std::ifstream in(dir_ / "fakekubelet.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  int64_t Allocatable() {
    Json n = api_.Object("/api/v1/nodes", kNode);
    if (!n.is_object() || !n.contains("status") || !n["status"].contains("allocatable") ||
        !n["status"]["allocatable"].is_object()) {
      return -1;
    }
    auto v = n["status"]["allocatable"].value("nvidia.com/gpu", "");
    return v.empty() ? -1 : std::stoll(v);
  }
  // Plays hami-scheduler for one pod: annotations of Filter, lock + bind of Bind.
  bool SchedulePod(const std::string& name, const std::string& to_allocate) {
    if (!WaitFor([&] { return !Node()["metadata"]["annotations"].contains("hami.io/mutex.lock"); }, 10s)) {
      ADD_FAILURE() << "node lock never released before " << name << "; fake kubelet log:\n" << Log();
      return false;
    }
    Json node = Node();
    node["metadata"]["annotations"]["hami.io/mutex.lock"] = "2026-11-28T18:00:00Z,default," + name;
    api_.Put("/api/v1/nodes", node);
    Json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata",
                 {{"name", name},
                  {"namespace", "default"},
                  {"uid", "uid-" + name},
                  {"labels", {{"hami.io/vgpu-node", kNode}}},
                  {"annotations",
                   {{"hami.io/vgpu-node", kNode},
                    {"hami.io/vgpu-time", "1764352800"},
                    {"hami.io/bind-time", "1764352800"},
                    {"hami.io/bind-phase", "allocating"},
                    {"hami.io/vgpu-devices-to-allocate", to_allocate},
                    {"hami.io/vgpu-devices-allocated", to_allocate}}}}},
                {"spec",
                 {{"nodeName", kNode},
                  {"schedulerName", "hami-scheduler"},
                  {"containers",
                   {{{"name", "main"},
                     {"image", "cuda"},
                     {"resources", {{"limits", {{"nvidia.com/gpu", "1"}}}}}}}}}},
                {"status", {{"phase", "Pending"}}}};
    api_.Put("/api/v1/pods", pod);
    return true;
  }
  Json Node() { return api_.Object("/api/v1/nodes", kNode); }
  Json Pod(const std::string& name) { return api_.Object("/api/v1/pods", "default/" + name); }
  std::string Phase(const std::string& name) {
    Json p = Pod(name);
    return p.is_null() ? "" : p["status"].value("phase", "");
  }
  Json Env(const std::string& name) {
    auto a = Pod(name)["metadata"]["annotations"].value("hami.dev/fake-kubelet-env", "");
    return a.empty() ? Json() : Json::parse(a);
  }

  k8s::testing::FakeApiServer api_;
  SystemClock clock_;
  std::string binary_, kubeconfig_;
  fs::path dir_;
  std::unique_ptr<k8s::Client> client_;
  std::unique_ptr<KubeCluster> cluster_;
  testing::FakeNvml nvml_;
  std::unique_ptr<Allocator> allocator_;
  std::unique_ptr<PluginServer> server_;
  std::unique_ptr<Plugin> plugin_;
  std::unique_ptr<Process> kubelet_;
  std::atomic<bool> stop_{false};
  Status run_status_;
  std::thread runner_;
};

TEST_F(FakeKubeletIntegration, HundredFractionalPodsOnOneNodeReachRunningWithTheirLimits) {
  constexpr int kPods = 100;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kPods; ++i) {
    std::string gpu = "GPU-" + std::to_string(i % kGpus);
    ASSERT_TRUE(SchedulePod("p" + std::to_string(i), gpu + ",NVIDIA," + std::to_string(100 + i) + "," +
                                                         std::to_string(i % 50) + ":;"));
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        for (int i = 0; i < kPods; ++i) {
          if (Phase("p" + std::to_string(i)) != "Running") return false;
        }
        return true;
      },
      120s))
      << Log();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "[figure] 100 fractional pods bound to one node -> Running in " << seconds << " s\n";
  for (int i = 0; i < kPods; ++i) {
    std::string name = "p" + std::to_string(i);
    Json env = Env(name)["main"];
    EXPECT_EQ(env.value("CUDA_DEVICE_MEMORY_LIMIT_0", ""), std::to_string(100 + i) + "m") << name;
    EXPECT_EQ(env.value("CUDA_DEVICE_SM_LIMIT", ""), std::to_string(i % 50)) << name;
    EXPECT_EQ(env.value("NVIDIA_VISIBLE_DEVICES", ""), "GPU-" + std::to_string(i % kGpus)) << name;
    Json pod = Pod(name);
    EXPECT_EQ(pod["metadata"]["annotations"].value("hami.io/bind-phase", ""), "success") << name;
    EXPECT_EQ(pod["metadata"]["annotations"].value("hami.io/vgpu-devices-to-allocate", ""), ";") << name;
    std::ifstream limits(dir_ / "hook/vgpu/limits" / ("uid-" + name + "_main.limits"));
    std::stringstream s;
    s << limits.rdbuf();
    const uint64_t limit_bytes = static_cast<uint64_t>(100 + i) << 20;
    EXPECT_NE(s.str().find("device.0.memory_limit_bytes=" + std::to_string(limit_bytes) + "\n"),
              std::string::npos);
  }
  EXPECT_FALSE(Node()["metadata"]["annotations"].contains("hami.io/mutex.lock"));
  EXPECT_NE(Node()["metadata"]["annotations"].value("hami.io/node-nvidia-register", "").find("\"count\":50"),
            std::string::npos);
}

TEST_F(FakeKubeletIntegration, MalformedAnnotationFailsOnlyThatPod) {
  ASSERT_TRUE(SchedulePod("bad", "GPU-0,NVIDIA,notanumber,10:;"));
  ASSERT_TRUE(WaitFor([&] { return Phase("bad") == "Failed"; }, 30s)) << Log();
  Json bad = Pod("bad");
  EXPECT_NE(bad["status"].value("message", "").find("default/bad"), std::string::npos) << bad.dump();
  EXPECT_EQ(bad["metadata"]["annotations"].value("hami.io/bind-phase", ""), "failed");
  ASSERT_TRUE(SchedulePod("good", "GPU-1,NVIDIA,1000,10:;"));
  ASSERT_TRUE(WaitFor([&] { return Phase("good") == "Running"; }, 30s)) << Log();
  EXPECT_EQ(Env("good")["main"].value("CUDA_DEVICE_MEMORY_LIMIT_0", ""), "1000m");
}

TEST_F(FakeKubeletIntegration, KubeletRestartReRegistersThePlugin) {
  kubelet_.reset();  // kubelet gone
  StartKubelet();    // new kubelet: cleans sockets, recreates kubelet.sock
  ASSERT_TRUE(WaitFor([&] { return Log().find("plugin registered") != Log().rfind("plugin registered"); }, 30s))
      << Log();
  // Like the scheduler, place pods only on a node that advertises devices.
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(WaitFor([&] { return Allocatable() == kGpus * kSplit; }, 30s)) << Log();
  ASSERT_TRUE(SchedulePod("after-restart", "GPU-0,NVIDIA,2000,20:;"));
  ASSERT_TRUE(WaitFor([&] { return Phase("after-restart") == "Running"; }, 30s)) << Log();
  EXPECT_EQ(Env("after-restart")["main"].value("CUDA_DEVICE_MEMORY_LIMIT_0", ""), "2000m");
}

}  // namespace
}  // namespace hami::deviceplugin
