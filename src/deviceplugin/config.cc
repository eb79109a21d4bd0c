#include "deviceplugin/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <nlohmann/json.hpp>
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

Status ApplyYaml(const std::string& text, PluginConfig* c) {
  if (text.empty()) return OkStatus();
  try {
    YAML::Node root = YAML::Load(text);
    YAML::Node n = root["nvidia"];
    if (!n) return OkStatus();
    if (n["resourceCountName"]) c->resource_name = n["resourceCountName"].as<std::string>();
    if (n["deviceSplitCount"]) c->device_split_count = n["deviceSplitCount"].as<int32_t>();
    if (n["deviceMemoryScaling"]) c->device_memory_scaling = n["deviceMemoryScaling"].as<double>();
    if (n["deviceCoreScaling"]) c->device_core_scaling = n["deviceCoreScaling"].as<double>();
    if (n["preConfiguredDeviceMemory"]) {
      c->preconfigured_device_memory_mib = n["preConfiguredDeviceMemory"].as<int64_t>();
    }
    if (n["libCudaLogLevel"]) c->lib_cuda_log_level = n["libCudaLogLevel"].as<std::string>();
    if (n["enableNumaTopology"]) c->enable_numa_topology = n["enableNumaTopology"].as<bool>();
    if (n["disableCoreLimit"]) c->disable_core_limit = n["disableCoreLimit"].as<bool>();
    if (n["gpuCorePolicy"]) c->gpu_core_policy = n["gpuCorePolicy"].as<std::string>();
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string("device config yaml: ") + e.what());
  }
  return OkStatus();
}

Status ApplyNodeJson(const std::string& text, const std::string& node_name, PluginConfig* c) {
  if (text.empty()) return OkStatus();
  try {
    auto root = nlohmann::json::parse(text);
    if (!root.contains("nodeconfig")) return OkStatus();
    for (const auto& e : root.at("nodeconfig")) {
      if (e.value("name", std::string()) != node_name) continue;
      if (e.contains("operatingmode")) c->operating_mode = e["operatingmode"].get<std::string>();
      if (e.contains("devicesplitcount")) c->device_split_count = e["devicesplitcount"].get<int32_t>();
      if (e.contains("devicememoryscaling")) {
        c->device_memory_scaling = e["devicememoryscaling"].get<double>();
      }
      if (e.contains("devicecorescaling")) c->device_core_scaling = e["devicecorescaling"].get<double>();
      if (e.contains("preconfigureddevicememory")) {
        c->preconfigured_device_memory_mib = e["preconfigureddevicememory"].get<int64_t>();
      }
      if (e.contains("libcudaloglevel")) c->lib_cuda_log_level = e["libcudaloglevel"].get<std::string>();
      if (e.contains("enablenumatopology")) c->enable_numa_topology = e["enablenumatopology"].get<bool>();
      if (e.contains("enablegetpreferredallocation")) {
        c->enable_preferred_allocation = e["enablegetpreferredallocation"].get<bool>();
      }
      if (e.contains("filterdevices")) {
        const auto& f = e["filterdevices"];
        if (f.contains("uuid") && !f["uuid"].is_null()) {
          c->filter_uuids = f["uuid"].get<std::vector<std::string>>();
        }
        if (f.contains("index") && !f["index"].is_null()) {
          c->filter_indices = f["index"].get<std::vector<int32_t>>();
        }
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string("node config json: ") + e.what());
  }
  return OkStatus();
}

}  // namespace

StatusOr<PluginConfig> ParsePluginConfig(const std::string& yaml_text, const std::string& json_text,
                                         const std::string& node_name) {
  PluginConfig c;
  RETURN_IF_ERROR(ApplyYaml(yaml_text, &c));
  RETURN_IF_ERROR(ApplyNodeJson(json_text, node_name, &c));
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
