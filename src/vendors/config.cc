#include "vendors/config.h"

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
  return out;
}

}  // namespace hami::vendors
