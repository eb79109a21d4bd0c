// From discovered GPUs to what the plugin advertises: the filtered GPU set
// (config filters, memory/core scaling), the kubelet device list (split-count
// replicas `<UUID>-<n>`), the node registration JSON (hami.io/node-nvidia-register,
// reference 4.1) and pair scores JSON (hami.io/node-nvidia-score, 4.6).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "deviceplugin/config.h"
#include "deviceplugin/gpu_discovery.h"

namespace hami::deviceplugin {

// One physical GPU as the plugin publishes it.
struct PluginGpu {
  GpuInfo gpu;
  int64_t devmem_mib = 0;  // after memory scaling (or preconfigured memory)
  int32_t devcore = 100;   // 100 x core scaling
  std::string type;        // "NVIDIA-..." registration type
};

// One replica advertised to kubelet.
struct Replica {
  std::string id;  // "<UUID>-<n>"
  bool healthy = true;
  int32_t numa_node = 0;
};

// Applies filters and scaling. GPUs without memory info and no preconfigured
// memory are skipped (logged).
std::vector<PluginGpu> SelectGpus(const std::vector<GpuInfo>& gpus, const PluginConfig& config);

std::vector<Replica> BuildReplicas(const std::vector<PluginGpu>& gpus, int32_t split_count);

// "<UUID>-<n>" -> "<UUID>"; "<UUID>::<n>" -> "<UUID>"; anything else unchanged.
std::string PhysicalUuid(std::string_view replica_id);

std::string EncodeRegistration(const std::vector<PluginGpu>& gpus, const PluginConfig& config);

struct PairScore {
  std::string uuid;
  std::vector<std::pair<std::string, int32_t>> scores;
};
std::string EncodePairScores(const std::vector<PairScore>& scores);

}  // namespace hami::deviceplugin
