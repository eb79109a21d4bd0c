// Device plugin configuration: the `nvidia` section of device-config.yaml
// (reference 12.1) with the per-node overrides of config.json (12.2) applied
// for this node (parsed by src/api). Missing files/keys keep the chart defaults; malformed
// files are an InvalidArgument error naming the file and key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace hami::deviceplugin {

struct PluginConfig {
  std::string resource_name = "nvidia.com/gpu";
  int32_t device_split_count = 10;
  double device_memory_scaling = 1.0;
  double device_core_scaling = 1.0;
  int64_t preconfigured_device_memory_mib = 0;
  std::string lib_cuda_log_level = "1";  // empty = do not set LIBCUDA_LOG_LEVEL
  bool enable_numa_topology = false;
  bool enable_preferred_allocation = false;  // RegisterRequest options
  bool disable_core_limit = false;
  std::string gpu_core_policy = "default";
  std::string operating_mode = "hami-core";
  std::vector<std::string> filter_uuids;
  std::vector<int32_t> filter_indices;
};

// `yaml_path` / `json_path` may be empty (= not given). A given but missing
// file is an error; the node entry of config.json is the one named `node_name`.
StatusOr<PluginConfig> LoadPluginConfig(const std::string& yaml_path,
                                        const std::string& json_path,
                                        const std::string& node_name);

// Same, from text (for tests).
StatusOr<PluginConfig> ParsePluginConfig(const std::string& yaml_text,
                                         const std::string& json_text,
                                         const std::string& node_name);

}  // namespace hami::deviceplugin
