#include "api/device_config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <limits>
#include <sstream>

#include "api/config_sections.h"
#include "api/internal/text.h"

namespace hami::api {
namespace {

Status KeyError(const YAML::Node& node, std::string_view key, std::string_view problem) {
  std::string at;
  if (node.Mark().line >= 0) at = " (line " + std::to_string(node.Mark().line + 1) + ")";
  return InvalidArgumentError("device config: nvidia." + std::string(key) + at + ": " +
                              std::string(problem));
}

// Reads nvidia.<key> into *out when present and not null.
template <typename T>
Status Read(const YAML::Node& section, const char* key, T* out) {
  YAML::Node node = section[key];
  if (!node.IsDefined() || node.IsNull()) return OkStatus();
  if (!node.IsScalar()) return KeyError(node, key, "expected a scalar");
  try {
    *out = node.as<T>();
  } catch (const YAML::Exception&) {
    return KeyError(node, key, internal::Quote(node.Scalar()) + " has the wrong type");
  }
  return OkStatus();
}

Status ReadNonNegative(const YAML::Node& section, const char* key, int32_t* out) {
  RETURN_IF_ERROR(Read(section, key, out));
  if (*out < 0) return KeyError(section[key], key, "must be >= 0");
  return OkStatus();
}

Status ReadStringList(const YAML::Node& node, std::string_view key,
                      std::vector<std::string>* out) {
  if (!node.IsDefined() || node.IsNull()) return OkStatus();
  if (!node.IsSequence()) return KeyError(node, key, "expected a list");
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return KeyError(item, key, "expected a list of strings");
    out->push_back(item.Scalar());
  }
  return OkStatus();
}

bool IsMigProfileName(std::string_view p) {
  size_t g = p.find("g.");
  if (g == 0 || g == std::string_view::npos || g + 2 >= p.size()) return false;
  for (size_t i = 0; i < g; ++i) {
    if (p[i] < '0' || p[i] > '9') return false;
  }
  return true;
}

Status ParseNvidia(const YAML::Node& s, NvidiaConfig* c) {
  if (!s.IsMap()) return KeyError(s, "", "the nvidia section must be a map");
  RETURN_IF_ERROR(Read(s, "resourceCountName", &c->resource_count_name));
  RETURN_IF_ERROR(Read(s, "resourceMemoryName", &c->resource_memory_name));
  RETURN_IF_ERROR(Read(s, "resourceMemoryPercentageName", &c->resource_memory_percentage_name));
  RETURN_IF_ERROR(Read(s, "resourceCoreName", &c->resource_core_name));
  RETURN_IF_ERROR(Read(s, "resourcePriorityName", &c->resource_priority_name));
  RETURN_IF_ERROR(Read(s, "overwriteEnv", &c->overwrite_env));
  RETURN_IF_ERROR(ReadNonNegative(s, "defaultMemory", &c->default_memory_mib));
  RETURN_IF_ERROR(ReadNonNegative(s, "defaultCores", &c->default_core_percent));
  RETURN_IF_ERROR(ReadNonNegative(s, "defaultGPUNum", &c->default_gpu_num));
  RETURN_IF_ERROR(Read(s, "preConfiguredDeviceMemory", &c->preconfigured_device_memory_mib));
  if (c->preconfigured_device_memory_mib < 0) {
    return KeyError(s["preConfiguredDeviceMemory"], "preConfiguredDeviceMemory", "must be >= 0");
  }
  RETURN_IF_ERROR(ReadNonNegative(s, "memoryFactor", &c->memory_factor));
  RETURN_IF_ERROR(ReadNonNegative(s, "deviceSplitCount", &c->device_split_count));
  RETURN_IF_ERROR(Read(s, "deviceMemoryScaling", &c->device_memory_scaling));
  RETURN_IF_ERROR(Read(s, "deviceCoreScaling", &c->device_core_scaling));
  if (!(c->device_memory_scaling > 0) || !(c->device_core_scaling > 0)) {
    return KeyError(s, "deviceMemoryScaling/deviceCoreScaling", "must be > 0");
  }
  RETURN_IF_ERROR(Read(s, "enableNumaTopology", &c->enable_numa_topology));
  RETURN_IF_ERROR(Read(s, "gpuCorePolicy", &c->gpu_core_policy));
  if (c->gpu_core_policy.empty()) c->gpu_core_policy = "default";
  if (c->gpu_core_policy != "default" && c->gpu_core_policy != "force" &&
      c->gpu_core_policy != "disable") {
    return KeyError(s["gpuCorePolicy"], "gpuCorePolicy",
                    internal::Quote(c->gpu_core_policy) + " is not default, force or disable");
  }
  RETURN_IF_ERROR(Read(s, "libCudaLogLevel", &c->lib_cuda_log_level));
  RETURN_IF_ERROR(Read(s, "runtimeClassName", &c->runtime_class_name));
  RETURN_IF_ERROR(Read(s, "disableCoreLimit", &c->disable_core_limit));
  YAML::Node allow = s["migProfileAllowlist"];
  if (allow.IsDefined() && !allow.IsNull()) {
    if (!allow.IsSequence()) return KeyError(allow, "migProfileAllowlist", "expected a list");
    for (const YAML::Node& item : allow) {
      if (!item.IsMap()) return KeyError(item, "migProfileAllowlist", "expected a list of maps");
      MigProfileAllowlistEntry entry;
      RETURN_IF_ERROR(ReadStringList(item["models"], "migProfileAllowlist.models", &entry.models));
      RETURN_IF_ERROR(
          ReadStringList(item["profiles"], "migProfileAllowlist.profiles", &entry.profiles));
      for (const std::string& p : entry.profiles) {
        if (!IsMigProfileName(p)) {
          return KeyError(item["profiles"], "migProfileAllowlist.profiles",
                          internal::Quote(p) + " is not shaped <N>g.<suffix>");
        }
      }
      c->mig_profile_allowlist.push_back(std::move(entry));
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<DeviceConfig> ParseDeviceConfigYaml(std::string_view text) {
  DeviceConfig config;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("device config: invalid YAML at line " +
                                std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root.IsDefined() || root.IsNull()) return InvalidArgumentError("device config: empty");
  if (!root.IsMap()) return InvalidArgumentError("device config: top level must be a map");
  try {
    for (auto it = root.begin(); it != root.end(); ++it) {
      std::string key = it->first.as<std::string>();
      YAML::Node value = it->second;  // a copy: it-> yields a temporary proxy
      if (value.IsNull()) continue;
      if (key == "nvidia") {
        config.has_nvidia_section = true;
        RETURN_IF_ERROR(ParseNvidia(value, &config.nvidia));
        continue;
      }
      YAML::Emitter emitter;
      emitter << value;
      config.vendor_sections[key] = emitter.c_str();
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("device config: " + e.msg);
  }
  if (!config.has_nvidia_section && config.vendor_sections.empty()) {
    return InvalidArgumentError("device config: no vendor section (nvidia, cambricon, ...)");
  }
  return config;
}

StatusOr<std::vector<SectionFields>> ParseSectionFields(std::string_view section_yaml) {
  std::vector<SectionFields> out;
  try {
    YAML::Node root = YAML::Load(std::string(section_yaml));
    // Scalars under their key; nested maps and lists flattened as
    // "<key>.<child>" and "<key>.<i>" (e.g. "configs.0.templates.1.name"),
    // at most kMaxDepth levels down.
    constexpr int kMaxDepth = 8;
    auto flatten = [](auto& self, const YAML::Node& node, const std::string& key, SectionFields& into,
                      int depth = 0) -> void {
      if (depth > kMaxDepth) return;
      auto child = [&](const std::string& name) { return key.empty() ? name : key + "." + name; };
      if (node.IsScalar()) {
        if (!key.empty()) into[key] = node.as<std::string>();
      } else if (node.IsMap()) {
        for (auto it = node.begin(); it != node.end(); ++it) self(self, it->second, child(it->first.as<std::string>()), into, depth + 1);
      } else if (node.IsSequence()) {
        for (size_t i = 0; i < node.size(); ++i) self(self, node[i], child(std::to_string(i)), into, depth + 1);
      }
    };
    auto scalars = [&](const YAML::Node& map) {
      SectionFields fields;
      if (map.IsMap()) flatten(flatten, map, "", fields);
      return fields;
    };
    if (root.IsSequence()) {
      for (const YAML::Node& item : root) out.push_back(scalars(item));
    } else if (root.IsMap()) {
      out.push_back(scalars(root));
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("device config section: " + e.msg);
  }
  return out;
}

StatusOr<DeviceConfig> LoadDeviceConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError("device config: cannot open " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto config = ParseDeviceConfigYaml(buffer.str());
  if (!config.ok()) return config.status().WithContext(path);
  return config;
}

NvidiaNodeSettings ResolveNodeSettings(const NvidiaConfig& config,
                                       const std::vector<NodeConfigOverride>& overrides,
                                       std::string_view node_name) {
  NvidiaNodeSettings s;
  s.device_split_count = config.device_split_count;
  s.device_memory_scaling = config.device_memory_scaling;
  s.device_core_scaling = config.device_core_scaling;
  s.preconfigured_device_memory_mib = config.preconfigured_device_memory_mib;
  s.lib_cuda_log_level = config.lib_cuda_log_level;
  s.enable_numa_topology = config.enable_numa_topology;
  for (const NodeConfigOverride& o : overrides) {
    if (o.name != node_name) continue;
    if (o.operating_mode) s.operating_mode = *o.operating_mode;
    if (o.device_split_count) s.device_split_count = *o.device_split_count;
    if (o.device_memory_scaling) s.device_memory_scaling = *o.device_memory_scaling;
    if (o.device_core_scaling) s.device_core_scaling = *o.device_core_scaling;
    if (o.preconfigured_device_memory_mib) {
      s.preconfigured_device_memory_mib = *o.preconfigured_device_memory_mib;
    }
    if (o.lib_cuda_log_level) s.lib_cuda_log_level = *o.lib_cuda_log_level;
    if (o.enable_numa_topology) s.enable_numa_topology = *o.enable_numa_topology;
    if (o.mig_strategy) s.mig_strategy = *o.mig_strategy;
    if (o.filter_device_uuids) s.filter_device_uuids = *o.filter_device_uuids;
    if (o.filter_device_indices) s.filter_device_indices = *o.filter_device_indices;
    if (o.enable_get_preferred_allocation) {
      s.enable_get_preferred_allocation = *o.enable_get_preferred_allocation;
    }
    break;
  }
  return s;
}

}  // namespace hami::api
