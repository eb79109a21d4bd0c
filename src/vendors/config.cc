#include "vendors/config.h"

#include <charconv>

namespace hami::vendors {

DevicesConfig DevicesConfigFrom(const api::DeviceConfig& config) {
  DevicesConfig out;
  const api::NvidiaConfig& n = config.nvidia;
  out.nvidia.resource_count_name = n.resource_count_name;
  out.nvidia.resource_memory_name = n.resource_memory_name;
  out.nvidia.resource_memory_percentage_name = n.resource_memory_percentage_name;
  out.nvidia.resource_core_name = n.resource_core_name;
  out.nvidia.resource_priority_name = n.resource_priority_name;
  out.nvidia.overwrite_env = n.overwrite_env;
  out.nvidia.default_memory_mib = n.default_memory_mib;
  out.nvidia.default_cores = n.default_core_percent;
  out.nvidia.default_gpu_num = n.default_gpu_num;
  out.nvidia.memory_factor = n.memory_factor;
  out.nvidia.gpu_core_policy = n.gpu_core_policy;
  out.nvidia.runtime_class_name = n.runtime_class_name;
  for (const auto& [key, yaml] : config.vendor_sections) {
    auto fields = api::ParseSectionFields(yaml);
    if (fields.ok()) out.sections[key] = std::move(*fields);
  }
  return out;
}

std::string DevicesConfig::Field(std::string_view section, std::string_view key,
                                 std::string_view fallback) const {
  auto it = sections.find(section);
  if (it == sections.end() || it->second.empty()) return std::string(fallback);
  auto f = it->second.front().find(key);
  return f == it->second.front().end() || f->second.empty() ? std::string(fallback) : f->second;
}

int64_t DevicesConfig::IntField(std::string_view section, std::string_view key, int64_t fallback) const {
  std::string v = Field(section, key, "");
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && p == v.data() + v.size() ? out : fallback;
}

}  // namespace hami::vendors
