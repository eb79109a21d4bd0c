// Overload test: starts the hami-scheduler binary against the in-memory fake
// API server with small limits, sends the normal rate (kNormalRps on one
// connection: kube-scheduler's loop filters one pod at a time), then floods
// /filter and /webhook from many keep-alive connections sending back to back
// (at least 10x the normal rate) while a prober calls /healthz. Asserts: health answers within 1 s throughout, every
// request gets an answer (served or an "overloaded" answer; no reset, no
// timeout), some are shed, peak RSS (VmHWM) stays under kMaxRssMib, and after
// the flood normal requests are served again at normal latency. Prints an
// `overload-summary` line with the figures (docs/reliability.md).
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
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
using Steady = std::chrono::steady_clock;

constexpr int kNodes = 100;  // a filter fits every one: real work per request
// A busy cluster: kube-scheduler filtering 100 pods/s and the API server
// admitting 100 pods/s through the webhook.
constexpr double kNormalRps = 200;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;  // slower, and shadow memory counts in RSS
#else
constexpr bool kSanitized = false;
#endif
constexpr double kMaxRssMib = kSanitized ? 2048 : 128;
// Sanitized builds (CI runs them in parallel with other tests) get a lighter
// flood: the same checks, not the figures.
constexpr int kFloodConnections = kSanitized ? 64 : 200;
constexpr auto kBaselineTime = 2s;
constexpr auto kFloodTime = kSanitized ? 5s : 10s;

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

json GpuPod(const std::string& name, const std::string& gpumem) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "ns"}, {"uid", "uid-" + name}}},
          {"spec",
           {{"schedulerName", "hami-scheduler"},
            {"containers",
             {{{"name", "c"},
               {"image", "x"},
               {"resources", {{"limits", {{"nvidia.com/gpu", "1"}, {"nvidia.com/gpumem", gpumem}}}}}}}}}}};
}

// Filter of a pod that fits no node: every node is fitted, nothing is patched.
std::string FilterBody() {
  json names = json::array();
  for (int i = 0; i < kNodes; ++i) names.push_back("n" + std::to_string(i));
  return json{{"Pod", GpuPod("big", "900000")}, {"NodeNames", names}}.dump();
}

std::string WebhookBody() {
  json pod = GpuPod("w", "2000");
  pod["spec"].erase("schedulerName");
  return json{{"apiVersion", "admission.k8s.io/v1"},
              {"kind", "AdmissionReview"},
              {"request", {{"uid", "r1"}, {"operation", "CREATE"}, {"namespace", "ns"}, {"object", pod}}}}
      .dump();
}

enum class Outcome { kServed, kShed, kOtherError, kTransport };

// Classifies an answer of /filter or /webhook.
Outcome Classify(const httplib::Result& r, bool webhook) {
  if (!r) return Outcome::kTransport;
  if (r->status != 200) return Outcome::kOtherError;
  json out = json::parse(r->body, nullptr, false);
  if (!out.is_object()) return Outcome::kOtherError;
  if (webhook) {
    const json& resp = out.value("response", json::object());
    if (resp.value("allowed", false) && resp.contains("patch")) return Outcome::kServed;
    std::string msg = resp.value("status", json::object()).value("message", "");
    return msg.find("overloaded") != std::string::npos ? Outcome::kShed : Outcome::kOtherError;
  }
  std::string err = out.value("Error", "");
  if (err.empty() && out.contains("FailedNodes")) return Outcome::kServed;
  return err.find("overloaded") != std::string::npos ? Outcome::kShed : Outcome::kOtherError;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double StatusKib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1));
  }
  return -1;
}

struct Tally {
  std::mutex mu;
  std::vector<double> latency_ms;
  uint64_t served = 0, shed = 0, other = 0, transport = 0;
  std::string first_other, first_transport;
  void Add(Outcome o, double ms, const httplib::Result& r) {
    std::lock_guard lock(mu);
    latency_ms.push_back(ms);
    if (o == Outcome::kServed) ++served;
    if (o == Outcome::kShed) ++shed;
    if (o == Outcome::kTransport) {
      ++transport;
      if (first_transport.empty()) first_transport = httplib::to_string(r.error());
    }
    if (o == Outcome::kOtherError) {
      ++other;
      if (first_other.empty()) first_other = r ? r->body.substr(0, 300) : "no response";
    }
  }
  uint64_t total() const { return served + shed + other + transport; }
};

// Sends alternately /filter and /webhook on one keep-alive connection, paced
// at `interval` (0: back to back), until `stop`.
void Client(int port, std::chrono::microseconds interval, const std::atomic<bool>* stop,
            Tally* tally) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_keep_alive(true);
  cli.set_tcp_nodelay(true);  // as Go's clients (kube-scheduler, kube-apiserver)
  cli.set_connection_timeout(10);
  cli.set_read_timeout(15);
  static const std::string filter = FilterBody(), webhook = WebhookBody();
  auto next = Steady::now();
  for (int i = 0; !stop->load(); ++i) {
    bool hook = i % 2 == 1;
    auto start = Steady::now();
    auto r = cli.Post(hook ? "/webhook" : "/filter", hook ? webhook : filter, "application/json");
    double ms = std::chrono::duration<double, std::milli>(Steady::now() - start).count();
    tally->Add(Classify(r, hook), ms, r);
    if (interval.count() > 0) {
      next += interval;
      std::this_thread::sleep_until(next);
    }
  }
}

class OverloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < kNodes; ++i) {
      std::string name = "n" + std::to_string(i);
      auto node = hami::scheduler::testing::MakeUniformNode(name, 8);
      json annotations = json::object();
      for (const auto& [k, v] : node.annotations) annotations[k] = v;
      api_.Put("/api/v1/nodes", {{"apiVersion", "v1"}, {"kind", "Node"},
                                 {"metadata", {{"name", name}, {"annotations", annotations}}}});
    }
    api_.Put("/api/v1/pods", GpuPod("p", "2000"));
    dir_ = std::filesystem::temp_directory_path() /
           ("hami-overload-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::string kubeconfig = (dir_ / "kubeconfig").string();
    std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\ncurrent-context: t\n"
                              << "clusters:\n- name: c\n  cluster:\n    server: " << api_.url()
                              << "\ncontexts:\n- name: t\n  context:\n    cluster: c\n    user: u\n"
                              << "users:\n- name: u\n  user:\n    token: x\n";
    port_ = FreePort();
    metrics_port_ = FreePort();
    // HAMI_OVERLOAD_TEST_BINARY: another build to compare (e.g. one before
    // load shedding, through a wrapper that drops the flags it lacks).
    const char* binary = std::getenv("HAMI_OVERLOAD_TEST_BINARY");
    std::vector<std::string> args = {
        binary != nullptr && *binary != '\0' ? binary : HAMI_SCHEDULER_BINARY, "--kubeconfig", kubeconfig,
        "--http-bind", "127.0.0.1:" + std::to_string(port_),
        "--metrics-bind-address", "127.0.0.1:" + std::to_string(metrics_port_),
        "--max-inflight-filter", "2", "--max-inflight-webhook", "2", "--max-inflight-bind", "2",
        "--max-queued", "8", "--queue-timeout", "1s",
        "--success-events=false", "--log-level", "warning"};
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      std::_Exit(127);
    }
    httplib::Client cli("127.0.0.1", port_);
    cli.set_connection_timeout(2);
    for (int i = 0; i < 100; ++i) {
      if (auto r = cli.Get("/readyz"); r && r->status == 200) {
        // And the node informer has the nodes: a filter answers FailedNodes for all.
        for (int j = 0; j < 100; ++j) {
          auto f = cli.Post("/filter", FilterBody(), "application/json");
          json out = f ? json::parse(f->body, nullptr, false) : json();
          if (out.is_object() && out.contains("FailedNodes") && out["FailedNodes"].size() == kNodes) return;
          std::this_thread::sleep_for(100ms);
        }
      }
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

  // One client at the normal rate for `d`.
  void RunNormal(std::chrono::seconds d, Tally* t) {
    std::atomic<bool> stop{false};
    std::thread c(Client, port_, std::chrono::microseconds(static_cast<int64_t>(1e6 / kNormalRps)),
                  &stop, t);
    std::this_thread::sleep_for(d);
    stop = true;
    c.join();
  }

  hami::k8s::testing::FakeApiServer api_;
  std::filesystem::path dir_;
  int port_ = 0, metrics_port_ = 0;
  pid_t pid_ = -1;
};

TEST_F(OverloadTest, ShedsUnderTenTimesTheNormalRateAndRecovers) {
  Tally baseline;
  RunNormal(kBaselineTime, &baseline);
  ASSERT_GT(baseline.served, 10u);
  ASSERT_EQ(baseline.shed + baseline.other + baseline.transport, 0u) << baseline.first_other;
  const double normal_rps = static_cast<double>(baseline.total()) /
                            std::chrono::duration<double>(kBaselineTime).count();
  const double flood_rps = 10 * kNormalRps;
  const double baseline_p99 = Percentile(baseline.latency_ms, 0.99);

  // Health prober: a fresh connection every 50 ms, as a kubelet probe.
  std::atomic<bool> stop{false};
  std::atomic<int> health_failures{0};
  std::atomic<int64_t> health_max_us{0};
  std::thread prober([&] {
    while (!stop.load()) {
      httplib::Client cli("127.0.0.1", port_);
      cli.set_connection_timeout(2);
      cli.set_read_timeout(2);
      auto start = Steady::now();
      auto r = cli.Get("/healthz");
      int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - start).count();
      if (!r || r->status != 200) ++health_failures;
      int64_t prev = health_max_us.load();
      while (us > prev && !health_max_us.compare_exchange_weak(prev, us)) {
      }
      std::this_thread::sleep_for(50ms);
    }
  });

  // The flood: every connection back to back.
  Tally flood;
  std::atomic<bool> stop_flood{false};
  std::vector<std::thread> clients;
  auto flood_start = Steady::now();
  for (int i = 0; i < kFloodConnections; ++i) {
    clients.emplace_back(Client, port_, std::chrono::microseconds(0), &stop_flood, &flood);
  }
  double peak_rss_kib = 0;
  while (Steady::now() - flood_start < kFloodTime) {
    std::this_thread::sleep_for(200ms);
    peak_rss_kib = std::max(peak_rss_kib, StatusKib(pid_, "VmRSS"));
  }
  stop_flood = true;
  for (auto& c : clients) c.join();
  const double flood_s = std::chrono::duration<double>(Steady::now() - flood_start).count();
  const double offered_rps = static_cast<double>(flood.total()) / flood_s;

  // Recovery: normal traffic again, and a real filter that patches a pod.
  Tally after;
  RunNormal(2s, &after);
  stop = true;
  prober.join();
  const double hwm_mib = StatusKib(pid_, "VmHWM") / 1024;
  const double after_p99 = Percentile(after.latency_ms, 0.99);

  httplib::Client cli("127.0.0.1", port_);
  auto real = cli.Post("/filter", json{{"Pod", GpuPod("p", "2000")}, {"NodeNames", {"n0"}}}.dump(),
                       "application/json");
  ASSERT_TRUE(real);
  json real_out = json::parse(real->body, nullptr, false);
  EXPECT_EQ(real_out.value("NodeNames", json()), json::array({"n0"})) << real->body;

  httplib::Client metrics("127.0.0.1", metrics_port_);
  auto scrape = metrics.Get("/metrics");
  ASSERT_TRUE(scrape);
  EXPECT_NE(scrape->body.find("hami_scheduler_requests_shed_total{endpoint=\"filter\""),
            std::string::npos);

  std::printf(
      "overload-summary normal_rps=%.0f ten_x_rps=%.0f offered_rps=%.0f connections=%d served_rps=%.0f "
      "requests=%llu served=%llu shed=%llu other_errors=%llu transport_errors=%llu "
      "flood_p99_ms=%.1f baseline_p99_ms=%.1f after_p99_ms=%.1f health_max_ms=%.1f "
      "health_failures=%d peak_rss_mib=%.1f vmhwm_mib=%.1f\n",
      normal_rps, flood_rps, offered_rps, kFloodConnections, static_cast<double>(flood.served) / flood_s,
      static_cast<unsigned long long>(flood.total()), static_cast<unsigned long long>(flood.served),
      static_cast<unsigned long long>(flood.shed), static_cast<unsigned long long>(flood.other),
      static_cast<unsigned long long>(flood.transport), Percentile(flood.latency_ms, 0.99),
      baseline_p99, after_p99, static_cast<double>(health_max_us.load()) / 1000,
      health_failures.load(), peak_rss_kib / 1024, hwm_mib);
  std::fflush(stdout);

  EXPECT_EQ(flood.transport, 0u) << "connections reset or timed out: " << flood.first_transport;
  EXPECT_EQ(flood.other, 0u) << flood.first_other;
  EXPECT_GT(flood.shed, 0u) << "the flood did not overload the limits";
  if (!kSanitized) {
    EXPECT_GE(offered_rps, flood_rps) << "the flood was not 10x the normal rate";
  }
  EXPECT_EQ(health_failures.load(), 0);
  EXPECT_LT(health_max_us.load(), 1'000'000) << "/healthz slower than 1 s";
  EXPECT_LT(hwm_mib, kMaxRssMib);
  EXPECT_EQ(after.shed + after.other + after.transport, 0u) << after.first_other;
  EXPECT_GT(after.served, 10u);
  EXPECT_LT(after_p99, std::max(100.0, 5 * baseline_p99)) << "latency did not recover";
}

}  // namespace
