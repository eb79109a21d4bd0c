// The device configuration: `device-config.yaml` (ConfigMap of the scheduler
// and device plugin) and the per-node overrides in `config.json`. The `nvidia`
// section is parsed into a typed struct with HAMi's defaults; every other
// vendor section is kept as raw YAML text under its top-level key, for the
// vendor's own parser. Parsing never throws; errors name the key and line.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hami::api {

struct MigProfileAllowlistEntry {
  std::vector<std::string> models;    // substrings of the NVML device name
  std::vector<std::string> profiles;  // "<N>g.<suffix>", e.g. "1g.10gb"
  friend bool operator==(const MigProfileAllowlistEntry&,
                         const MigProfileAllowlistEntry&) = default;
};

// `nvidia:` section; defaults are the chart's (hami-protocol.md 12.1).
struct NvidiaConfig {
  std::string resource_count_name = "nvidia.com/gpu";
  std::string resource_memory_name = "nvidia.com/gpumem";
  std::string resource_memory_percentage_name = "nvidia.com/gpumem-percentage";
  std::string resource_core_name = "nvidia.com/gpucores";
  std::string resource_priority_name = "nvidia.com/priority";
  bool overwrite_env = false;
  int32_t default_memory_mib = 0;   // defaultMemory; 0 = 100% of the device
  int32_t default_core_percent = 0;  // defaultCores
  int32_t default_gpu_num = 1;       // defaultGPUNum
  int64_t preconfigured_device_memory_mib = 0;
  int32_t memory_factor = 1;
  int32_t device_split_count = 10;
  double device_memory_scaling = 1.0;
  double device_core_scaling = 1.0;
  bool enable_numa_topology = false;
  std::string gpu_core_policy = "default";  // default | force | disable
  std::string lib_cuda_log_level = "1";
  std::string runtime_class_name;
  bool disable_core_limit = false;
  std::vector<MigProfileAllowlistEntry> mig_profile_allowlist;
  friend bool operator==(const NvidiaConfig&, const NvidiaConfig&) = default;
};

struct DeviceConfig {
  NvidiaConfig nvidia;               // defaults when the section is absent
  bool has_nvidia_section = false;
  // Other top-level sections (cambricon, hygon, iluvatars, vnpus, ...) as YAML text.
  std::map<std::string, std::string> vendor_sections;
};

// Parses device-config.yaml. Unknown keys inside `nvidia` are ignored (as Go's
// yaml decoding does); wrong types, negative counts, a bad gpuCorePolicy or a
// MIG profile not shaped `<N>g.<suffix>` are InvalidArgument. An empty document
// or one with no section at all is InvalidArgument (HAMi requires one).
StatusOr<DeviceConfig> ParseDeviceConfigYaml(std::string_view text);
StatusOr<DeviceConfig> LoadDeviceConfigFile(const std::string& path);

// One entry of config.json's `nodeconfig` list: only keys present override.
struct NodeConfigOverride {
  std::string name;
  std::optional<std::string> operating_mode;  // "hami-core" | "mig"
  std::optional<int32_t> device_split_count;
  std::optional<double> device_memory_scaling;
  std::optional<double> device_core_scaling;
  std::optional<int64_t> preconfigured_device_memory_mib;
  std::optional<std::string> lib_cuda_log_level;
  std::optional<bool> enable_numa_topology;
  std::optional<std::string> mig_strategy;  // parsed, unused (as HAMi)
  std::optional<std::vector<std::string>> filter_device_uuids;
  std::optional<std::vector<int32_t>> filter_device_indices;
  std::optional<bool> enable_get_preferred_allocation;
};

// Parses `{"nodeconfig":[{...}]}`. Keys match case-insensitively (Go JSON).
StatusOr<std::vector<NodeConfigOverride>> ParseNodeConfigJson(std::string_view text);

// The device plugin's effective settings for one node.
struct NvidiaNodeSettings {
  std::string operating_mode = "hami-core";
  int32_t device_split_count = 10;
  double device_memory_scaling = 1.0;
  double device_core_scaling = 1.0;
  int64_t preconfigured_device_memory_mib = 0;
  std::string lib_cuda_log_level = "1";
  bool enable_numa_topology = false;
  std::string mig_strategy = "none";
  std::vector<std::string> filter_device_uuids;
  std::vector<int32_t> filter_device_indices;
  bool enable_get_preferred_allocation = false;
};

// YAML node defaults, overridden by the first entry whose name is `node_name`.
NvidiaNodeSettings ResolveNodeSettings(const NvidiaConfig& config,
                                       const std::vector<NodeConfigOverride>& overrides,
                                       std::string_view node_name);

}  // namespace hami::api
