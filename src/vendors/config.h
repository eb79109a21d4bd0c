// Scheduler-side vendor configuration (the vendor sections of
// device-config.yaml). Plain structs with HAMi's chart defaults; the YAML is
// parsed by api/ and copied into these by the binary's main.
#pragma once

#include <cstdint>
#include <string>

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
};

}  // namespace hami::vendors
