// Kubelet-facing tests with an in-process fake kubelet registration server on
// a temporary plugin directory: registration, ListAndWatch (initial list and
// pushed health change), Allocate over gRPC, and re-registration after a
// kubelet restart (kubelet.sock recreated) driven by Plugin::Run.
#include "deviceplugin/server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "deviceplugin/container_response.h"
#include "deviceplugin/plugin.h"
#include "deviceplugin/testing/fakes.h"

namespace hami::deviceplugin {
namespace {

using namespace std::chrono_literals;
using testing::FakeCluster;
using testing::FakeNvml;
using testing::MakeGpu;

class FakeRegistration final : public v1beta1::Registration::Service {
 public:
  grpc::Status Register(grpc::ServerContext*, const v1beta1::RegisterRequest* req, v1beta1::Empty*) override {
    std::lock_guard l(mu);
    requests.push_back(*req);
    return grpc::Status::OK;
  }
  size_t count() {
    std::lock_guard l(mu);
    return requests.size();
  }
  std::mutex mu;
  std::vector<v1beta1::RegisterRequest> requests;
};

class FakeKubelet {
 public:
  explicit FakeKubelet(const std::string& dir) : dir_(dir) {}
  ~FakeKubelet() { Stop(); }
  void Start() {
    grpc::ServerBuilder b;
    b.AddListeningPort("unix://" + dir_ + "/kubelet.sock", grpc::InsecureServerCredentials());
    b.RegisterService(&reg);
    server_ = b.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  // Like a kubelet restart: stop serving, remove every socket in the dir.
  void Stop() {
    if (server_ == nullptr) return;
    server_->Shutdown();
    server_.reset();
    for (const auto& e : std::filesystem::directory_iterator(dir_)) std::filesystem::remove(e.path());
  }
  FakeRegistration reg;

 private:
  std::string dir_;
  std::unique_ptr<grpc::Server> server_;
};

template <typename F>
bool WaitFor(F pred, std::chrono::milliseconds timeout = 10s) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest()
      : dir_(std::filesystem::temp_directory_path() / ("dp-srv-" + RandomUuid().substr(0, 8))),
        allocator_(&cluster_, {"node-a", (dir_ / "hook").string(), PluginConfig{}}) {
    std::filesystem::create_directories(dir_ / "plugins");
    cluster_.nodes["node-a"] = {};
    nvml_.gpus = {MakeGpu(0), MakeGpu(1)};
  }
  ~ServerTest() override { std::filesystem::remove_all(dir_); }

  ServerOptions Options() {
    ServerOptions o;
    o.plugin_dir = (dir_ / "plugins").string();
    o.numa_topology = true;
    return o;
  }
  std::unique_ptr<v1beta1::DevicePlugin::Stub> Dial(const PluginServer& s) {
    return v1beta1::DevicePlugin::NewStub(
        grpc::CreateChannel("unix://" + s.socket_path(), grpc::InsecureChannelCredentials()));
  }

  std::filesystem::path dir_;
  FakeCluster cluster_;
  FakeNvml nvml_;
  Allocator allocator_;
};

TEST_F(ServerTest, RegistersAndStreamsDevicesAndHealthChanges) {
  FakeKubelet kubelet((dir_ / "plugins").string());
  kubelet.Start();
  PluginServer server(&allocator_, Options());
  PluginConfig config;
  config.device_split_count = 2;
  PluginOptions po{"node-a", config};
  Plugin plugin(&nvml_, &cluster_, &server, po);
  ASSERT_TRUE(plugin.Refresh().ok());
  ASSERT_TRUE(server.Start().ok());
  ASSERT_TRUE(server.Register().ok());
  ASSERT_EQ(kubelet.reg.count(), 1u);
  EXPECT_EQ(kubelet.reg.requests[0].version(), "v1beta1");
  EXPECT_EQ(kubelet.reg.requests[0].endpoint(), "nvidia-gpu.sock");
  EXPECT_EQ(kubelet.reg.requests[0].resource_name(), "nvidia.com/gpu");

  auto stub = Dial(server);
  grpc::ClientContext octx;
  v1beta1::Empty empty;
  v1beta1::DevicePluginOptions opts;
  ASSERT_TRUE(stub->GetDevicePluginOptions(&octx, empty, &opts).ok());
  EXPECT_TRUE(opts.get_preferred_allocation_available());

  grpc::ClientContext ctx;
  auto stream = stub->ListAndWatch(&ctx, empty);
  v1beta1::ListAndWatchResponse msg;
  ASSERT_TRUE(stream->Read(&msg));
  ASSERT_EQ(msg.devices_size(), 4);
  EXPECT_EQ(msg.devices(3).id(), "GPU-1-1");
  EXPECT_EQ(msg.devices(3).health(), "Healthy");
  EXPECT_EQ(msg.devices(3).topology().nodes(0).id(), 1);

  nvml_.SetHealthy("GPU-1", false);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(plugin.Refresh().ok());
  ASSERT_TRUE(stream->Read(&msg));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);  // pushed, not polled by kubelet
  EXPECT_EQ(msg.devices(0).health(), "Healthy");
  EXPECT_EQ(msg.devices(2).health(), "Unhealthy");
  EXPECT_EQ(msg.devices(3).health(), "Unhealthy");

  // NVML failing as a whole: every device unhealthy.
  nvml_.fail = true;
  EXPECT_FALSE(plugin.Refresh().ok());
  ASSERT_TRUE(stream->Read(&msg));
  EXPECT_EQ(msg.devices(0).health(), "Unhealthy");
  nvml_.fail = false;
  ASSERT_TRUE(plugin.Refresh().ok());
  ASSERT_TRUE(stream->Read(&msg));
  EXPECT_EQ(msg.devices(0).health(), "Healthy");

  // Node registration: published once, then only on change.
  ASSERT_TRUE(plugin.PublishNode().ok());
  ASSERT_TRUE(plugin.PublishNode().ok());
  EXPECT_EQ(cluster_.node_patches, 1);
  EXPECT_NE(cluster_.nodes["node-a"]["hami.io/node-nvidia-register"].find("\"count\":2"), std::string::npos);
  ctx.TryCancel();
  server.Stop();
  EXPECT_FALSE(std::filesystem::exists(server.socket_path()));
}

TEST_F(ServerTest, AllocateOverGrpcAndClearErrorForBadPod) {
  PluginServer server(&allocator_, Options());
  ASSERT_TRUE(server.Start().ok());
  PodInfo p;
  p.ns = "default";
  p.name = "p1";
  p.uid = "u1";
  p.phase = "Pending";
  p.node_name = "node-a";
  p.containers = {{"main", {}}};
  p.annotations = {{"hami.io/vgpu-node", "node-a"}, {"hami.io/bind-phase", "allocating"},
                   {"hami.io/bind-time", "1"}, {"hami.io/vgpu-devices-to-allocate", "GPU-0,NVIDIA,500,5:;"}};
  cluster_.AddPod(p);
  auto stub = Dial(server);
  v1beta1::AllocateRequest req;
  req.add_container_requests()->add_devices_ids("GPU-0-0");
  {
    grpc::ClientContext ctx;
    v1beta1::AllocateResponse resp;
    grpc::Status s = stub->Allocate(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.container_responses(0).envs().at("CUDA_DEVICE_MEMORY_LIMIT_0"), "500m");
  }
  p.name = "p2";
  p.annotations["hami.io/vgpu-devices-to-allocate"] = "GPU-0,NVIDIA,5x0,5:;";
  cluster_.AddPod(p);
  {
    grpc::ClientContext ctx;
    v1beta1::AllocateResponse resp;
    grpc::Status s = stub->Allocate(&ctx, req, &resp);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error_message().find("default/p2"), std::string::npos) << s.error_message();
    EXPECT_EQ(cluster_.EventCount(), 1u);
  }
  grpc::ClientContext ctx;
  v1beta1::PreStartContainerRequest pre;
  v1beta1::PreStartContainerResponse pre_resp;
  EXPECT_TRUE(stub->PreStartContainer(&ctx, pre, &pre_resp).ok());
}

TEST_F(ServerTest, ReRegistersWhenKubeletRestarts) {
  const std::string plugins = (dir_ / "plugins").string();
  auto kubelet = std::make_unique<FakeKubelet>(plugins);
  kubelet->Start();
  PluginServer server(&allocator_, Options());
  PluginOptions po{"node-a", PluginConfig{}};
  po.retry_interval = 100ms;
  Plugin plugin(&nvml_, &cluster_, &server, po);
  std::atomic<bool> stop{false};
  Status run_status;
  std::thread runner([&] { run_status = plugin.Run(stop); });
  ASSERT_TRUE(WaitFor([&] { return kubelet->reg.count() == 1; }));
  kubelet.reset();  // kubelet goes away, deleting every socket
  kubelet = std::make_unique<FakeKubelet>(plugins);
  kubelet->Start();  // kubelet.sock recreated
  ASSERT_TRUE(WaitFor([&] { return kubelet->reg.count() >= 1; }));
  EXPECT_TRUE(WaitFor([&] { return std::filesystem::exists(server.socket_path()); }));
  stop = true;
  runner.join();
  EXPECT_TRUE(run_status.ok()) << run_status.ToString();
  EXPECT_FALSE(std::filesystem::exists(server.socket_path()));
}

}  // namespace
}  // namespace hami::deviceplugin
