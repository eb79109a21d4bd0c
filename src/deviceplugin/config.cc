#include "deviceplugin/config.h"

#include "api/device_config.h"

#include <fstream>
#include <sstream>

namespace hami::deviceplugin {
namespace {

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

StatusOr<PluginConfig> ParsePluginConfig(const std::string& yaml_text, const std::string& json_text,
                                         const std::string& node_name) {
  api::NvidiaConfig nvidia;
  if (!yaml_text.empty()) {
    auto dc = api::ParseDeviceConfigYaml(yaml_text);
    if (!dc.ok()) return dc.status().WithContext("device config yaml");
    nvidia = dc->nvidia;
  }
  std::vector<api::NodeConfigOverride> overrides;
  if (!json_text.empty()) {
    auto nc = api::ParseNodeConfigJson(json_text);
    if (!nc.ok()) return nc.status().WithContext("node config json");
    overrides = std::move(nc).value();
  }
  api::NvidiaNodeSettings n = api::ResolveNodeSettings(nvidia, overrides, node_name);
  PluginConfig c;
  c.resource_name = nvidia.resource_count_name;
  c.device_split_count = n.device_split_count;
  c.device_memory_scaling = n.device_memory_scaling;
  c.device_core_scaling = n.device_core_scaling;
  c.preconfigured_device_memory_mib = n.preconfigured_device_memory_mib;
  c.lib_cuda_log_level = n.lib_cuda_log_level;
  c.enable_numa_topology = n.enable_numa_topology;
  c.enable_preferred_allocation = n.enable_get_preferred_allocation;
  c.disable_core_limit = nvidia.disable_core_limit;
  c.gpu_core_policy = nvidia.gpu_core_policy;
  c.operating_mode = n.operating_mode;
  c.filter_uuids = n.filter_device_uuids;
  c.filter_indices = n.filter_device_indices;
  if (c.device_split_count < 1 || c.device_split_count > 1000) {
    return InvalidArgumentError("deviceSplitCount must be in 1..1000, got " +
                                std::to_string(c.device_split_count));
  }
  if (!(c.device_memory_scaling > 0) || !(c.device_core_scaling > 0)) {
    return InvalidArgumentError("deviceMemoryScaling and deviceCoreScaling must be > 0");
  }
  return c;
}

StatusOr<PluginConfig> LoadPluginConfig(const std::string& yaml_path, const std::string& json_path,
                                        const std::string& node_name) {
  std::string yaml_text, json_text;
  if (!yaml_path.empty()) {
    ASSIGN_OR_RETURN(yaml_text, ReadFile(yaml_path));
  }
  if (!json_path.empty()) {
    ASSIGN_OR_RETURN(json_text, ReadFile(json_path));
  }
  auto c = ParsePluginConfig(yaml_text, json_text, node_name);
  if (!c.ok()) return c.status().WithContext(yaml_path + "/" + json_path);
  return c;
}

}  // namespace hami::deviceplugin
