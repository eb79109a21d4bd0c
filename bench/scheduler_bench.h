// Scheduler scaling benchmark driver (used by `hami bench scheduler`, the
// Google Benchmark binary and the short test): builds a synthetic cluster of
// N nodes x G GPUs at a given occupancy through the real annotation path,
// then measures filter latency, reserve throughput and peak RSS.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "common/status.h"

namespace hami::bench {

struct SchedulerBenchOptions {
  int nodes = 1000;
  int gpus_per_node = 8;
  int occupancy_percent = 50;  // memory and cores used on every GPU
  int pods_per_node = 10;      // pods that make up the occupancy
  int filter_samples = 500;    // timed Filter calls (each unreserved after)
  int reserve_pods = 2000;     // Filter+reserve calls kept, for throughput
  int threads = 1;             // concurrent filter threads for the throughput run
  int filter_threads = 1;      // SchedulerOptions::filter_threads
};

struct SchedulerBenchResult {
  int64_t existing_pods = 0;
  double build_seconds = 0;
  double filter_p50_ms = 0, filter_p99_ms = 0, filter_max_ms = 0;  // wall clock
  // Thread CPU time per call: what the call costs when it is not preempted.
  double filter_cpu_p50_ms = 0, filter_cpu_p99_ms = 0;
  double reserve_per_second = 0;
  int64_t reserved = 0;
  int64_t peak_rss_mib = 0;
};

StatusOr<SchedulerBenchResult> RunSchedulerBench(const SchedulerBenchOptions& options);

// The figures as `key: value` lines (printed last by the CLI).
void PrintSchedulerBench(const SchedulerBenchOptions& options, const SchedulerBenchResult& result,
                         std::ostream& out);

}  // namespace hami::bench
