#include "deviceplugin/devices.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

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
  // Field order and omitempty as HAMi emits them (reference 4.1).
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const PluginGpu& g : gpus) {
    nlohmann::ordered_json d;
    d["id"] = g.gpu.uuid;
    if (g.gpu.index != 0) d["index"] = g.gpu.index;
    if (config.device_split_count != 0) d["count"] = config.device_split_count;
    if (g.devmem_mib != 0) d["devmem"] = g.devmem_mib;
    if (g.devcore != 0) d["devcore"] = g.devcore;
    if (!g.type.empty()) d["type"] = g.type;
    if (g.gpu.numa_node > 0) d["numa"] = g.gpu.numa_node;
    d["mode"] = config.operating_mode.empty() ? "hami-core" : config.operating_mode;
    if (g.gpu.healthy) d["health"] = true;
    arr.push_back(std::move(d));
  }
  return arr.dump();
}

std::string EncodePairScores(const std::vector<PairScore>& scores) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const PairScore& s : scores) {
    nlohmann::ordered_json e;
    e["uuid"] = s.uuid;
    nlohmann::ordered_json m = nlohmann::ordered_json::object();
    for (const auto& [other, score] : s.scores) m[other] = score;
    e["score"] = std::move(m);
    arr.push_back(std::move(e));
  }
  return arr.dump();
}

}  // namespace hami::deviceplugin
