// Starts the hami-scheduler binary against the in-memory fake API server and
// drives its HTTP endpoints: probes, malformed bodies, webhook, filter + bind.
#include <gtest/gtest.h>
#include <httplib.h>

#include <csignal>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "k8s/internal/fake_apiserver.h"
#include "scheduler/testing/fixtures.h"

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// A port that was free a moment ago (bound to 0, read back, closed).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string Unbase64(const std::string& in) {
  static const std::string kTable =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  for (char c : in) {
    size_t p = kTable.find(c);
    if (c == '=' || p == std::string::npos) break;
    val = (val << 6) + static_cast<int>(p);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

json GpuPod() {
  return json::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"p","namespace":"ns","uid":"u1"},
    "spec":{"schedulerName":"hami-scheduler","containers":[{"name":"c","image":"x",
      "resources":{"limits":{"nvidia.com/gpu":"1","nvidia.com/gpumem":"2000"}}}]}})");
}

class SchedulerBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto node = hami::scheduler::testing::MakeUniformNode("n0", 1);
    json annotations = json::object();
    for (const auto& [k, v] : node.annotations) annotations[k] = v;
    api_.Put("/api/v1/nodes", {{"apiVersion", "v1"}, {"kind", "Node"},
                               {"metadata", {{"name", "n0"}, {"annotations", annotations}}}});
    api_.Put("/api/v1/pods", GpuPod());

    dir_ = std::filesystem::temp_directory_path() /
           ("hami-sched-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::string kubeconfig = (dir_ / "kubeconfig").string();
    std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\ncurrent-context: t\n"
                              << "clusters:\n- name: c\n  cluster:\n    server: " << api_.url()
                              << "\ncontexts:\n- name: t\n  context:\n    cluster: c\n    user: u\n"
                              << "users:\n- name: u\n  user:\n    token: x\n";
    port_ = FreePort();
    metrics_port_ = FreePort();
    std::vector<std::string> args = {
        HAMI_SCHEDULER_BINARY, "--kubeconfig", kubeconfig,
        "--http-bind", "127.0.0.1:" + std::to_string(port_),
        "--metrics-bind-address", "127.0.0.1:" + std::to_string(metrics_port_),
        "--leader-elect=true", "--node-lock-timeout", "5m", "--log-level", "warning"};
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      std::_Exit(127);
    }
    cli_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    cli_->set_connection_timeout(2);
    cli_->set_read_timeout(10);
    for (int i = 0; i < 100; ++i) {  // /readyz: up and caches synced
      if (auto r = cli_->Get("/readyz"); r && r->status == 200) return;
      std::this_thread::sleep_for(100ms);
    }
    FAIL() << "hami-scheduler did not come up";
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  json PostJson(const std::string& path, const std::string& body) {
    auto r = cli_->Post(path.c_str(), body, "application/json");
    if (!r) return json("no response");
    EXPECT_EQ(r->status, 200) << path;
    return json::parse(r->body, nullptr, false);
  }

  hami::k8s::testing::FakeApiServer api_;
  std::filesystem::path dir_;
  int port_ = 0, metrics_port_ = 0;
  pid_t pid_ = -1;
  std::unique_ptr<httplib::Client> cli_;
};

TEST_F(SchedulerBinaryTest, ProbesAndBadBodies) {
  auto ready = cli_->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  for (const char* path : {"/filter", "/bind"}) {
    for (const char* body : {"", "not json", "[]", R"({"Pod":"x"})"}) {
      json out = PostJson(path, body);
      ASSERT_TRUE(out.is_object()) << path << " " << body;
      ASSERT_TRUE(out.contains("Error")) << path << " " << body << " -> " << out.dump();
      EXPECT_FALSE(out["Error"].get<std::string>().empty());
    }
  }
  json big = PostJson("/filter", std::string(2 << 20, 'x'));
  ASSERT_TRUE(big.is_object()) << big.dump();
  EXPECT_TRUE(big.contains("Error"));
  json review = PostJson("/webhook", "garbage");
  EXPECT_TRUE(review.is_object());
  // Still alive.
  auto health = cli_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(SchedulerBinaryTest, WebhookSetsSchedulerName) {
  json pod = GpuPod();
  pod["spec"].erase("schedulerName");
  json review = {{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"},
                 {"request", {{"uid", "r1"}, {"operation", "CREATE"}, {"namespace", "ns"},
                              {"object", pod}}}};
  json out = PostJson("/webhook", review.dump());
  ASSERT_TRUE(out.contains("response")) << out.dump();
  EXPECT_EQ(out["response"]["allowed"], true);
  json patch = json::parse(Unbase64(out["response"]["patch"].get<std::string>()), nullptr, false);
  bool found = false;
  for (const auto& op : patch) {
    if (op["path"] == "/spec/schedulerName" && op["value"] == "hami-scheduler") found = true;
  }
  EXPECT_TRUE(found) << patch.dump();
}

TEST_F(SchedulerBinaryTest, FilterPatchesPodThenBindBindsIt) {
  json args = {{"Pod", GpuPod()}, {"NodeNames", {"n0"}}};
  json out;
  for (int i = 0; i < 50; ++i) {  // until the node informer has synced
    out = PostJson("/filter", args.dump());
    if (out.contains("NodeNames") && out["NodeNames"] == json::array({"n0"})) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(out["NodeNames"], json::array({"n0"})) << out.dump();
  json stored = api_.Object("/api/v1/pods", "ns/p");
  EXPECT_EQ(stored["metadata"]["annotations"]["hami.io/vgpu-node"], "n0") << stored.dump();
  EXPECT_EQ(stored["metadata"]["labels"]["hami.io/vgpu-node"], "n0");

  // Wait until the pod informer has seen the patched pod, then bind.
  json bind = {{"PodName", "p"}, {"PodNamespace", "ns"}, {"PodUID", "u1"}, {"Node", "n0"}};
  json result;
  for (int i = 0; i < 50; ++i) {
    result = PostJson("/bind", bind.dump());
    if (result.is_object() && !result.contains("Error")) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(result.is_object() && !result.contains("Error")) << result.dump();
  stored = api_.Object("/api/v1/pods", "ns/p");
  EXPECT_EQ(stored["spec"]["nodeName"], "n0");
  EXPECT_EQ(stored["metadata"]["annotations"]["hami.io/bind-phase"], "allocating");
  json node = api_.Object("/api/v1/nodes", "n0");
  EXPECT_NE(node["metadata"]["annotations"].value("hami.io/mutex.lock", "").find(",ns,p"),
            std::string::npos)
      << node.dump();

  httplib::Client metrics("127.0.0.1", metrics_port_);
  auto scrape = metrics.Get("/metrics");
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->status, 200);
  EXPECT_NE(scrape->body.find("zone=\"vGPU\""), std::string::npos);
}

TEST_F(SchedulerBinaryTest, FilterPatchFailureAnswersError) {
  api_.FailNext("PATCH", 500, 1000);
  json args = {{"Pod", GpuPod()}, {"NodeNames", {"n0"}}};
  json out;
  for (int i = 0; i < 50; ++i) {  // FailedNodes until the node informer has synced
    out = PostJson("/filter", args.dump());
    if (out.contains("Error")) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(out.contains("Error")) << out.dump();
  EXPECT_NE(out["Error"].get<std::string>().find("patch"), std::string::npos) << out.dump();
  json stored = api_.Object("/api/v1/pods", "ns/p");
  EXPECT_FALSE(stored["metadata"].contains("annotations")) << stored.dump();
}

}  // namespace
