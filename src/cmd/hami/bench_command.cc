// `hami bench scheduler --nodes N --gpus-per-node G --occupancy P`: runs the
// scheduler benchmark in-process; the figures are the last lines printed.
#include <iostream>
#include <memory>

#include "bench/scheduler_bench.h"
#include "cmd/hami/command.h"

namespace hami::cli {

std::function<int()> DefineBenchCommand(CLI::App& command) {
  auto options = std::make_shared<bench::SchedulerBenchOptions>();
  command.require_subcommand(1);
  CLI::App* sched = command.add_subcommand("scheduler", "Filter latency, reserve throughput and RSS on a synthetic cluster");
  sched->add_option("--nodes", options->nodes, "Nodes in the generated cluster")->capture_default_str();
  sched->add_option("--gpus-per-node", options->gpus_per_node, "GPUs per node")->capture_default_str();
  sched->add_option("--occupancy", options->occupancy_percent, "Percent of every GPU's memory and cores in use")
      ->capture_default_str();
  sched->add_option("--pods-per-node", options->pods_per_node, "Existing pods per node making up the occupancy")
      ->capture_default_str();
  sched->add_option("--samples", options->filter_samples, "Timed filter calls")->capture_default_str();
  sched->add_option("--reserve-pods", options->reserve_pods, "Pods reserved for the throughput figure")
      ->capture_default_str();
  sched->add_option("--threads", options->threads, "Concurrent filter threads in the throughput run")
      ->capture_default_str();
  sched->add_option("--filter-threads", options->filter_threads, "Threads fitting nodes inside one filter")
      ->capture_default_str();
  return [options] {
    auto result = bench::RunSchedulerBench(*options);
    if (!result.ok()) {
      PrintError("bench scheduler", result.status().message());
      return 1;
    }
    bench::PrintSchedulerBench(*options, *result, std::cout);
    return 0;
  };
}

}  // namespace hami::cli
