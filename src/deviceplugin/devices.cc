#include "deviceplugin/devices.h"

#include <algorithm>
#include <cmath>

#include "api/node_devices.h"
#include "api/pair_scores.h"

#include "common/log.h"

namespace hami::deviceplugin {

std::vector<PluginGpu> SelectGpus(const std::vector<GpuInfo>& gpus, const PluginConfig& config) {
  std::vector<PluginGpu> out;
  for (const GpuInfo& g : gpus) {
    if (std::ranges::find(config.filter_uuids, g.uuid) != config.filter_uuids.end()) continue;
    if (std::ranges::find(config.filter_indices, g.index) != config.filter_indices.end()) continue;
    int64_t memory = g.memory_mib > 0 ? g.memory_mib : config.preconfigured_device_memory_mib;
    if (memory <= 0) {
      log::Warn("deviceplugin", "GPU reports no memory and no preConfiguredDeviceMemory; skipped",
                {{"uuid", g.uuid}});
      continue;
    }
    PluginGpu p;
    p.gpu = g;
    p.devmem_mib = static_cast<int64_t>(std::floor(static_cast<double>(memory) *
                                                   config.device_memory_scaling));
    p.devcore = static_cast<int32_t>(std::lround(100.0 * config.device_core_scaling));
    p.type = g.name.starts_with("NVIDIA") ? g.name : "NVIDIA-" + g.name;
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<Replica> BuildReplicas(const std::vector<PluginGpu>& gpus, int32_t split_count) {
  std::vector<Replica> out;
  out.reserve(gpus.size() * static_cast<size_t>(std::max(split_count, 1)));
  for (const PluginGpu& g : gpus) {
    for (int32_t n = 0; n < split_count; ++n) {
      out.push_back({g.gpu.uuid + "-" + std::to_string(n), g.gpu.healthy, g.gpu.numa_node});
    }
  }
  return out;
}

std::string PhysicalUuid(std::string_view id) {
  if (auto pos = id.find("::"); pos != std::string_view::npos) return std::string(id.substr(0, pos));
  auto dash = id.rfind('-');
  if (dash == std::string_view::npos || dash + 1 == id.size()) return std::string(id);
  for (size_t i = dash + 1; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9') return std::string(id);
  }
  return std::string(id.substr(0, dash));
}

std::string EncodeRegistration(const std::vector<PluginGpu>& gpus, const PluginConfig& config) {
  std::vector<api::DeviceInfo> infos;
  for (const PluginGpu& g : gpus) {
    api::DeviceInfo d;
    d.id = g.gpu.uuid;
    d.index = g.gpu.index;
    d.count = config.device_split_count;
    d.devmem_mib = g.devmem_mib;
    d.devcore = g.devcore;
    d.type = g.type;
    d.numa = g.gpu.numa_node;
    d.mode = config.operating_mode.empty() ? "hami-core" : config.operating_mode;
    d.health = g.gpu.healthy;
    infos.push_back(std::move(d));
  }
  return api::EncodeNodeDevicesJson(infos);
}

std::string EncodePairScores(const std::vector<PairScore>& scores) {
  std::vector<api::DevicePairScore> out;
  for (const PairScore& s : scores) {
    api::DevicePairScore d;
    d.uuid = s.uuid;
    for (const auto& [other, score] : s.scores) d.scores[other] = score;
    out.push_back(std::move(d));
  }
  return api::EncodePairScores(out);
}

}  // namespace hami::deviceplugin
