// Ascend chip configuration: the `vnpus` section of device-config.yaml
// (`hamiVnpuCore` plus the `configs` list; the older layout, a bare list of
// chips, is read too) or, when the section is absent, the seven chips HAMi
// v2.10's chart ships (910A, 910B2, 910B3, 910B4-1, 910B4, 310P3, 910C).
// Templates are kept sorted by memory, as HAMi sorts them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vendors/config.h"

namespace hami::vendors::ascend {

struct Template {
  std::string name;
  int64_t memory_mib = 0;
  int32_t ai_core = 0, ai_cpu = 0;
};

struct Chip {
  std::string chip_name, common_word, resource_name, memory_name, core_name;
  int64_t memory_allocatable_mib = 0, memory_capacity_mib = 0;
  int64_t memory_factor = 1;
  int32_t ai_core = 0, ai_cpu = 0;
  std::string runtime_class;
  bool overwrite_env = false;
  bool super_pod = false;
  std::vector<Template> templates;

  // HAMi's trimMemory: the smallest template holding `mib` (its memory and
  // name); else the whole card (memoryAllocatable, no name) when `mib` is
  // within memoryCapacity; else 0.
  struct Trimmed {
    int64_t memory_mib = 0;
    std::string_view name;
  };
  Trimmed Trim(int64_t mib) const;
};

struct AscendConfig {
  bool hami_vnpu_core = false;  // global soft split (vnpus.hamiVnpuCore)
  std::vector<Chip> chips;
};

AscendConfig ReadAscendConfig(const DevicesConfig& config);

}  // namespace hami::vendors::ascend
