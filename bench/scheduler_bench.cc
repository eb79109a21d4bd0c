#include "bench/scheduler_bench.h"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iomanip>
#include <thread>

#include "api/annotations.h"
#include "api/pod_devices.h"
#include "scheduler/scheduler.h"
#include "scheduler/testing/fixtures.h"

namespace hami::bench {
namespace {

using Clock = std::chrono::steady_clock;
using scheduler::testing::Gpu;

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

int64_t PeakRssMib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;  // KiB on Linux
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

StatusOr<SchedulerBenchResult> RunSchedulerBench(const SchedulerBenchOptions& o) {
  if (o.nodes <= 0 || o.gpus_per_node <= 0 || o.occupancy_percent < 0 || o.occupancy_percent > 100 ||
      o.pods_per_node < 0 || o.filter_samples < 0 || o.reserve_pods < 0 || o.threads <= 0) {
    return InvalidArgumentError("bench: nodes and gpus-per-node must be > 0, occupancy 0..100");
  }
  SchedulerBenchResult r;
  SystemClock clock;
  scheduler::SchedulerOptions so;
  so.filter_threads = o.filter_threads;
  scheduler::Scheduler sched(vendors::MakeVendors({}), so, clock);
  constexpr int64_t kGpuMemMib = 81920;
  scheduler::testing::GpuSpec spec;
  spec.memory_mib = kGpuMemMib;
  spec.type = "NVIDIA A100-SXM4-80GB";
  std::vector<std::string> names;
  names.reserve(o.nodes);
  auto t0 = Clock::now();
  for (int n = 0; n < o.nodes; ++n) {
    names.push_back("node-" + std::to_string(n));
    std::vector<scheduler::testing::GpuSpec> gpus(o.gpus_per_node, spec);
    for (int g = 0; g < o.gpus_per_node; ++g) gpus[g].numa = g * 2 / o.gpus_per_node;
    RETURN_IF_ERROR(sched.UpsertNode(scheduler::testing::MakeNode(names.back(), gpus)));
    if (o.occupancy_percent == 0 || o.pods_per_node == 0) continue;
    // pods_per_node pods spread round-robin over the GPUs; their shares add
    // up to the occupancy on each GPU.
    std::vector<int> per_gpu(o.gpus_per_node, 0);
    for (int p = 0; p < o.pods_per_node; ++p) per_gpu[p % o.gpus_per_node]++;
    for (int p = 0; p < o.pods_per_node; ++p) {
      int g = p % o.gpus_per_node;
      int64_t mem = kGpuMemMib * o.occupancy_percent / 100 / per_gpu[g];
      int cores = o.occupancy_percent / per_gpu[g];
      std::string uid = names.back() + "-pod-" + std::to_string(p);
      scheduler::Pod pod = scheduler::testing::MakePod(uid, {Gpu{1, mem, cores}});
      pod.annotations[std::string(api::kVgpuNode)] = names.back();
      api::PodDevices devs = {{{scheduler::testing::GpuUuid(names.back(), g), "NVIDIA",
                                static_cast<int32_t>(mem), cores}}};
      pod.annotations[std::string(api::kNvidiaDevicesAllocated)] = api::EncodePodDevices(devs);
      (void)sched.UpsertPod(pod);
      ++r.existing_pods;
    }
  }
  r.build_seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  // Filter latency: each probe is reserved then released, so the cluster
  // stays at the requested occupancy.
  std::vector<double> lat_ms, cpu_ms;
  lat_ms.reserve(o.filter_samples);
  cpu_ms.reserve(o.filter_samples);
  for (int i = 0; i < o.filter_samples; ++i) {
    scheduler::Pod probe = scheduler::testing::MakePod("probe-" + std::to_string(i), {Gpu{1, 4096, 5}});
    auto s = Clock::now();
    double c0 = ThreadCpuMs();
    auto res = sched.Filter(probe, names);
    cpu_ms.push_back(ThreadCpuMs() - c0);
    lat_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
    if (!res.ok()) return res.status();
    sched.Unreserve(probe.uid);
  }
  r.filter_p50_ms = Percentile(lat_ms, 0.50);
  r.filter_p99_ms = Percentile(lat_ms, 0.99);
  r.filter_cpu_p50_ms = Percentile(cpu_ms, 0.50);
  r.filter_cpu_p99_ms = Percentile(cpu_ms, 0.99);
  r.filter_max_ms = lat_ms.empty() ? 0 : *std::max_element(lat_ms.begin(), lat_ms.end());

  // Reserve throughput: Filter decisions that stay reserved, from `threads`.
  std::atomic<int64_t> reserved{0};
  std::atomic<int> next{0};
  auto s = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < o.threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < o.reserve_pods; i = next++) {
        scheduler::Pod pod = scheduler::testing::MakePod("burst-" + std::to_string(i), {Gpu{1, 1024, 1}});
        auto res = sched.Filter(pod, names);
        if (res.ok() && res->decision) reserved++;
      }
    });
  }
  for (auto& th : pool) th.join();
  double secs = std::chrono::duration<double>(Clock::now() - s).count();
  r.reserved = reserved.load();
  r.reserve_per_second = secs > 0 ? static_cast<double>(r.reserved) / secs : 0;
  r.peak_rss_mib = PeakRssMib();
  return r;
}

void PrintSchedulerBench(const SchedulerBenchOptions& o, const SchedulerBenchResult& r, std::ostream& out) {
  out << std::fixed << std::setprecision(3);
  out << "cluster: " << o.nodes << " nodes x " << o.gpus_per_node << " GPUs, occupancy " << o.occupancy_percent
      << "%, " << r.existing_pods << " existing pods (built in " << r.build_seconds << " s)\n";
  out << "filter_samples: " << o.filter_samples << "\n";
  out << "filter_p50_ms: " << r.filter_p50_ms << "\n";
  out << "filter_p99_ms: " << r.filter_p99_ms << "\n";
  out << "filter_max_ms: " << r.filter_max_ms << "\n";
  out << "filter_cpu_p50_ms: " << r.filter_cpu_p50_ms << "\n";
  out << "filter_cpu_p99_ms: " << r.filter_cpu_p99_ms << "\n";
  out << std::setprecision(0);
  out << "reserve_per_s: " << r.reserve_per_second << " (" << r.reserved << " pods, " << o.threads
      << " threads)\n";
  out << "peak_rss_mib: " << r.peak_rss_mib << "\n";
}

}  // namespace hami::bench
