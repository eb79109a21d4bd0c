// Object builders and checks for hami-cluster-load, the scale-run load tool
// (scripts/scale-run.sh): simulated GPU nodes, fractional or whole-GPU pods,
// the over-commit check over the allocations the extender wrote, and latency
// percentiles. Pure functions; the API traffic lives in cluster_load.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace hami::bench::cluster_load {

using Json = nlohmann::json;

// extender: fractional pods for schedulerName hami-scheduler, nodes carry the
// HAMi registration annotation. baseline: whole nvidia.com/gpu pods for the
// default scheduler, no annotation.
enum class Mode { kExtender, kBaseline };
bool ParseMode(std::string_view text, Mode* out);
std::string_view ModeName(Mode mode);

struct NodeSpec {
  std::string prefix = "sim-";
  int gpus = 8;              // physical GPUs per node
  int split = 10;            // registration "count" per GPU
  int64_t devmem_mib = 81920;
  int devcore = 100;
  // nvidia.com/gpu capacity in baseline mode. Default gpus*split so both modes
  // have room for the same number of pods (the extended resource then counts
  // slices, which costs kube-scheduler the same as counting whole GPUs).
  int baseline_gpu = 0;      // 0 = gpus * split
  int max_pods = 1000;
  std::string gpu_type = "NVIDIA A100-SXM4-80GB";
};

std::string NodeName(const NodeSpec& spec, int index);
// Unique per (node, gpu): GPU-<node index hex>-5c41-4000-8000-<gpu index hex>.
std::string GpuUuid(int node_index, int gpu);
int BaselineGpus(const NodeSpec& spec);
// The Node object, status (capacity/allocatable, Ready condition) included.
Json NodeObject(const NodeSpec& spec, Mode mode, int index);

struct PodSpec {
  std::string ns = "hami-load";
  std::string prefix = "load-";
  int64_t gpumem_mib = 8000;
  int cores_min = 10, cores_max = 30;  // gpucores cycles through [min, max]
  std::string extender_scheduler = "hami-scheduler";
  std::string baseline_scheduler = "default-scheduler";
};

std::string PodName(const PodSpec& spec, int index);
// Index from a pod name made by PodName; -1 when it is not one of ours.
int PodIndex(const PodSpec& spec, std::string_view name);
int PodCores(const PodSpec& spec, int index);
Json PodObject(const PodSpec& spec, Mode mode, int index);

// Per-GPU sums over the allocation annotations of bound pods.
struct OvercommitReport {
  int pods_checked = 0;       // pods with spec.nodeName
  int pods_allocated = 0;     // of those, with a decodable allocation
  int devices_used = 0;       // distinct GPU UUIDs in the allocations
  int64_t max_mem_mib = 0;    // the fullest GPU's memory sum
  int max_count = 0, max_cores = 0;
  std::vector<std::string> problems;  // first few, human-readable
  int problem_count = 0;
  bool ok() const { return problem_count == 0; }
};
// extender mode: every bound pod must carry hami.io/vgpu-devices-allocated (or
// -to-allocate) naming GPUs of its own node (checked against the UUIDs of
// `node_count` nodes built from `spec`), and per GPU the sums must stay within
// split / devmem / devcore; hami.io/vgpu-node must equal spec.nodeName.
// baseline mode: pods per node <= BaselineGpus(spec).
OvercommitReport CheckOvercommit(const std::vector<Json>& pods, const NodeSpec& spec,
                                 int node_count, Mode mode);

// Nearest-rank percentile (p in [0, 100]) of `values`; 0 when empty.
double Percentile(std::vector<double> values, double p);

}  // namespace hami::bench::cluster_load
