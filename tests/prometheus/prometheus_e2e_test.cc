// Starts hami-monitor over synthetic shared regions and Debian's prometheus
// (127.0.0.1, free port, temporary storage, 1 s scrape interval), then checks
// PromQL answers against the values written into the regions.
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "metrics/testing/promtool.h"
#include "monitor/testing/region_builder.h"
#include "monitor/testing/temp_dir.h"
#include "process.h"

namespace hami {
namespace {
namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr uint64_t kMiB = 1 << 20;
const char* kGpu0 = "GPU-7f3c2a10-0000-4000-8000-000000000001";
const char* kGpu1 = "GPU-7f3c2a10-0000-4000-8000-000000000002";

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string UrlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// Runs an instant query; returns the first sample's value, if any.
std::optional<double> Query(int prom_port, const std::string& promql) {
  httplib::Client client("127.0.0.1", prom_port);
  client.set_read_timeout(5, 0);
  auto res = client.Get("/api/v1/query?query=" + UrlEncode(promql));
  if (!res || res->status != 200) return std::nullopt;
  try {
    Json body = Json::parse(res->body);
    const Json& result = body.at("data").at("result");
    if (result.empty()) return std::nullopt;
    return std::stod(result[0].at("value")[1].get<std::string>());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<double> WaitFor(int prom_port, const std::string& promql, double want,
                              std::chrono::seconds timeout = std::chrono::seconds(45)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<double> last;
  while (std::chrono::steady_clock::now() < deadline) {
    last = Query(prom_port, promql);
    if (last && *last == want) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return last;
}

class PrometheusE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access("/usr/bin/prometheus", X_OK) != 0) GTEST_SKIP() << "prometheus not installed";
    root_ = tmp_.path() + "/hook/vgpu/containers";
    // Container A: limited (1 GiB, 30% SM), our extension block.
    monitor::testing::RegionSpec a;
    a.extension = true;
    a.uuids = {kGpu0};
    a.limits = {1024 * kMiB};
    a.sm_limits = {30};
    a.procs = {monitor::testing::ProcSpec{7, 4242, 1, {256 * kMiB}, {20}}};
    a.throttled_ns = {2000000000};
    a.oom_refusals = 5;
    Write("pod-a-uid_main", a);
    // Container B: HAMi-core v1 layout, no limits, two processes.
    monitor::testing::RegionSpec b;
    b.uuids = {kGpu1};
    b.procs = {monitor::testing::ProcSpec{8, 0, 1, {64 * kMiB}, {0}},
               monitor::testing::ProcSpec{9, 0, 1, {32 * kMiB}, {0}}};
    Write("pod-b-uid_worker", b);
    // A corrupted region: must be skipped and counted.
    fs::create_directories(root_ + "/pod-c-uid_bad");
    std::ofstream(root_ + "/pod-c-uid_bad/0.cache") << std::string(2048, 'x');
  }

  void Write(const std::string& dir, const monitor::testing::RegionSpec& spec) {
    fs::create_directories(root_ + "/" + dir);
    ASSERT_TRUE(monitor::testing::WriteFile(root_ + "/" + dir + "/0.cache",
                                            monitor::testing::BuildRegion(spec)));
  }

  monitor::testing::TempDir tmp_;
  std::string root_;
};

TEST_F(PrometheusE2ETest, ScrapesMonitorAndAnswersPromQL) {
  const int monitor_port = FreePort();
  const int prom_port = FreePort();
  const int sched_port = FreePort();
  ASSERT_GT(sched_port, 0);
  ASSERT_GT(monitor_port, 0);
  ASSERT_GT(prom_port, 0);

  std::string nvml = HAMI_FAKE_NVML;
  const bool fake_nvml = access(nvml.c_str(), R_OK) == 0;
  if (fake_nvml) {
    std::string sim = tmp_.path() + "/gpus.json";
    std::ofstream(sim) << R"({"driverVersion":"550.54.15","cudaDriverVersion":12040,"gpus":[)"
                       << R"({"uuid":")" << kGpu0 << R"(","name":"NVIDIA A100-SXM4-80GB","memoryMiB":81920,"smCount":108,"numaNode":0,"pciBusId":"0000:07:00.0","nvlinkPeers":[]},)"
                       << R"({"uuid":")" << kGpu1 << R"(","name":"NVIDIA A100-SXM4-80GB","memoryMiB":81920,"smCount":108,"numaNode":0,"pciBusId":"0000:08:00.0","nvlinkPeers":[]}]})";
    setenv("HAMI_SIM_GPUS", sim.c_str(), 1);
  } else {
    nvml = tmp_.path() + "/no-such-libnvidia-ml.so.1";
  }
  testing::ChildProcess monitor(
      {HAMI_MONITOR_BIN, "--no-kubernetes", "--node-name", "sim-node-1", "--hook-path",
       tmp_.path() + "/hook", "--nvml-library", nvml, "--metrics-bind-address",
       "127.0.0.1:" + std::to_string(monitor_port), "--refresh-interval", "0.5"},
      tmp_.path() + "/monitor.log");
  ASSERT_TRUE(monitor.started());
  testing::ChildProcess sched({HAMI_SCHED_METRICS_BIN, "127.0.0.1:" + std::to_string(sched_port)},
                              tmp_.path() + "/sched.log");
  ASSERT_TRUE(sched.started());

  // The exposition itself must pass promtool.
  std::string text;
  for (int i = 0; i < 100 && text.empty(); ++i) {
    httplib::Client client("127.0.0.1", monitor_port);
    auto res = client.Get("/metrics");
    if (res && res->status == 200) text = res->body;
    else std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(text.empty()) << "hami-monitor did not serve /metrics";
  auto check = metrics::testing::PromtoolCheck(text);
  if (check) {
    EXPECT_TRUE(check->clean()) << check->output;
  }

  std::string config = tmp_.path() + "/prometheus.yml";
  std::ofstream(config) << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                        << "scrape_configs:\n"
                        << "  - job_name: hami-monitor\n    static_configs:\n"
                        << "      - targets: ['127.0.0.1:" << monitor_port << "']\n"
                        << "  - job_name: hami-scheduler\n    static_configs:\n"
                        << "      - targets: ['127.0.0.1:" << sched_port << "']\n";
  testing::ChildProcess prometheus(
      {"/usr/bin/prometheus", "--config.file=" + config,
       "--storage.tsdb.path=" + tmp_.path() + "/tsdb",
       "--web.listen-address=127.0.0.1:" + std::to_string(prom_port), "--log.level=warn"},
      tmp_.path() + "/prometheus.log");
  ASSERT_TRUE(prometheus.started());

  EXPECT_EQ(WaitFor(prom_port, "up{job=\"hami-monitor\"}", 1), 1);
  EXPECT_EQ(WaitFor(prom_port, "hami_vgpu_memory_used_bytes{pod=\"pod-a-uid\",container=\"main\",zone=\"vGPU\"}",
                    256.0 * kMiB), 256.0 * kMiB);
  EXPECT_EQ(WaitFor(prom_port, "hami_vgpu_memory_limit_bytes{pod=\"pod-a-uid\"}", 1024.0 * kMiB),
            1024.0 * kMiB);
  EXPECT_EQ(WaitFor(prom_port, "sum(hami_vgpu_memory_used_bytes)", 352.0 * kMiB), 352.0 * kMiB);
  EXPECT_EQ(WaitFor(prom_port, "hami_container_sm_limit_ratio{pod=\"pod-a-uid\"}", 30), 30);
  EXPECT_EQ(WaitFor(prom_port, "hami_container_throttled_seconds_total{pod=\"pod-a-uid\"}", 2), 2);
  EXPECT_EQ(WaitFor(prom_port, "hami_container_memory_refused_allocations_total", 5), 5);
  EXPECT_EQ(WaitFor(prom_port, "hami_container_processes{pod=\"pod-b-uid\"}", 2), 2);
  EXPECT_EQ(WaitFor(prom_port, "count(hami_vgpu_memory_limit_bytes == 0)", 1), 1);
  auto skipped = WaitFor(prom_port, "sum(hami_monitor_region_skipped_total{reason=\"truncated\"}) > bool 0", 1);
  EXPECT_EQ(skipped, 1) << "corrupted region not counted";
  EXPECT_EQ(WaitFor(prom_port, "hami_monitor_regions", 2), 2);
  if (fake_nvml) {
    EXPECT_EQ(WaitFor(prom_port, "count(hami_host_gpu_memory_total_bytes{node=\"sim-node-1\"})", 2), 2);
    EXPECT_EQ(WaitFor(prom_port, "max(hami_host_gpu_memory_total_bytes)", 81920.0 * kMiB),
              81920.0 * kMiB);
  }

  // Scheduler side.
  EXPECT_EQ(WaitFor(prom_port, "up{job=\"hami-scheduler\"}", 1), 1);
  EXPECT_EQ(WaitFor(prom_port, "sum(hami_gpu_memory_allocated_bytes{node=\"sim-node-1\"})",
                    20480.0 * kMiB), 20480.0 * kMiB);
  EXPECT_EQ(WaitFor(prom_port, "hami_node_gpu_memory_allocated_ratio{device_index=\"0\"}", 0.25),
            0.25);
  EXPECT_EQ(WaitFor(prom_port, "sum(hami_vgpu_core_allocated_ratio{namespace=\"team\"})", 50), 50);
  EXPECT_EQ(WaitFor(prom_port, "hami_resource_quota_limit{namespace=\"team\"}", 40960), 40960);
  EXPECT_EQ(WaitFor(prom_port, "hami_scheduler_filter_duration_seconds_count{result=\"success\"}", 10), 10);
  EXPECT_EQ(WaitFor(prom_port, "histogram_quantile(0.5, sum by (le) (hami_scheduler_filter_duration_seconds_bucket)) <= bool 0.002", 1), 1);
  EXPECT_EQ(WaitFor(prom_port, "hami_scheduler_filter_errors_total{reason=\"node_unregistered\"}", 1), 1);
  // Both jobs together: GPUs the scheduler knows that the monitor sees too.
  EXPECT_EQ(WaitFor(prom_port, "count(count by (device_uuid) (hami_gpu_memory_limit_bytes) and on (device_uuid) count by (device_uuid) (hami_vgpu_memory_used_bytes))", 2), 2);

  prometheus.Stop();
  sched.Stop();
  EXPECT_FALSE(sched.Running());
  monitor.Stop();
  EXPECT_FALSE(prometheus.Running());
  EXPECT_FALSE(monitor.Running());
}

}  // namespace
}  // namespace hami
