// Scheduler-side vendor configuration (the vendor sections of
// device-config.yaml). Plain structs with HAMi's chart defaults; the YAML is
// parsed by api/ and copied into these by the binary's main.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/config_sections.h"
#include "api/device_config.h"

namespace hami::vendors {

struct NvidiaConfig {
  std::string resource_count_name = "nvidia.com/gpu";
  std::string resource_memory_name = "nvidia.com/gpumem";
  std::string resource_memory_percentage_name = "nvidia.com/gpumem-percentage";
  std::string resource_core_name = "nvidia.com/gpucores";
  std::string resource_priority_name = "nvidia.com/priority";
  bool overwrite_env = false;
  int64_t default_memory_mib = 0;
  int32_t default_cores = 0;
  int32_t default_gpu_num = 1;
  int64_t memory_factor = 1;
  std::string gpu_core_policy = "default";  // default | force | disable
  std::string runtime_class_name;
};

struct DevicesConfig {
  bool nvidia_enabled = true;
  NvidiaConfig nvidia;
  // Vendors HAMi only registers behind a flag (--enable-iluvatar, --enable-ascend).
  bool enable_iluvatar = false;
  bool enable_ascend = false;
  // Other vendors' sections by top-level key ("hygon", "iluvatars", ...):
  // scalar fields, one entry per list item. A vendor reads its own with
  // Field(); an absent section means HAMi's defaults.
  std::map<std::string, std::vector<api::SectionFields>, std::less<>> sections;
  // sections[section][0][key], or `fallback` when absent.
  std::string Field(std::string_view section, std::string_view key, std::string_view fallback) const;
  int64_t IntField(std::string_view section, std::string_view key, int64_t fallback) const;
};

// From the parsed device-config.yaml (api/device_config.h). NVIDIA stays
// enabled when the section is absent (chart defaults), as HAMi does. A vendor
// section that is not YAML is left out (its vendor keeps the defaults).
DevicesConfig DevicesConfigFrom(const api::DeviceConfig& config);

}  // namespace hami::vendors
