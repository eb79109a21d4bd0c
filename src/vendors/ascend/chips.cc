#include "vendors/ascend/chips.h"

#include <algorithm>
#include <charconv>

#include "vendors/common/text.h"

namespace hami::vendors::ascend {
namespace {

// The chart's chips: chip, commonWord, memoryAllocatable, memoryCapacity,
// aiCore, aiCPU, superPod, templates {name, memory, aiCore, aiCPU}.
struct DefaultChip {
  const char *chip, *word;
  int64_t allocatable, capacity;
  int32_t ai_core, ai_cpu;
  bool super_pod;
  std::vector<Template> templates;
};

std::vector<DefaultChip> Defaults() {
  const std::vector<Template> b3 = {{"vir05_1c_16g", 16384, 5, 1}, {"vir10_3c_32g", 32768, 10, 3}};
  return {
      {"910A", "Ascend910A", 32768, 32768, 30, 0, false,
       {{"vir02", 2184, 2, 0}, {"vir04", 4369, 4, 0}, {"vir08", 8738, 8, 0}, {"vir16", 17476, 16, 0}}},
      {"910B2", "Ascend910B2", 65536, 65536, 24, 6, false,
       {{"vir03_1c_8g", 8192, 3, 1}, {"vir06_1c_16g", 16384, 6, 1}, {"vir12_3c_32g", 32768, 12, 3}}},
      {"910B3", "Ascend910B3", 65536, 65536, 20, 7, false, b3},
      {"910B4-1", "Ascend910B4-1", 65536, 65536, 20, 7, false, b3},
      {"910B4", "Ascend910B4", 32768, 32768, 20, 7, false,
       {{"vir05_1c_8g", 8192, 5, 1}, {"vir10_3c_16g", 16384, 10, 3}}},
      {"310P3", "Ascend310P", 21527, 24576, 8, 7, false,
       {{"vir01", 3072, 1, 1}, {"vir02", 6144, 2, 2}, {"vir04", 12288, 4, 4}}},
      {"Ascend910", "Ascend910C", 65536, 65536, 20, 7, true, b3},
  };
}

int64_t Int(const api::SectionFields& f, const std::string& key, int64_t fallback = 0) {
  auto it = f.find(key);
  if (it == f.end()) return fallback;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  return ec == std::errc() && p == it->second.data() + it->second.size() ? v : fallback;
}

std::string Str(const api::SectionFields& f, const std::string& key) {
  auto it = f.find(key);
  return it == f.end() ? std::string() : it->second;
}

bool Bool(const api::SectionFields& f, const std::string& key) {
  return common::ParseBool(Str(f, key)).value_or(false);
}

// One chip whose keys start with `prefix` ("" or "configs.<i>.").
Chip ReadChip(const api::SectionFields& f, const std::string& prefix) {
  auto key = [&](const char* k) { return prefix + k; };
  Chip c;
  c.chip_name = Str(f, key("chipName"));
  c.common_word = Str(f, key("commonWord"));
  c.resource_name = Str(f, key("resourceName"));
  c.memory_name = Str(f, key("resourceMemoryName"));
  c.core_name = Str(f, key("resourceCoreName"));
  c.memory_allocatable_mib = Int(f, key("memoryAllocatable"));
  c.memory_capacity_mib = Int(f, key("memoryCapacity"));
  c.memory_factor = std::max<int64_t>(1, Int(f, key("memoryFactor"), 1));
  c.ai_core = static_cast<int32_t>(Int(f, key("aiCore")));
  c.ai_cpu = static_cast<int32_t>(Int(f, key("aiCPU")));
  c.runtime_class = Str(f, key("runtimeClassName"));
  c.overwrite_env = Bool(f, key("overwriteEnv"));
  c.super_pod = Bool(f, key("superPod"));
  for (int j = 0;; ++j) {
    const std::string t = prefix + "templates." + std::to_string(j) + ".";
    if (!f.contains(t + "name") && !f.contains(t + "memory")) break;
    c.templates.push_back({Str(f, t + "name"), Int(f, t + "memory"), static_cast<int32_t>(Int(f, t + "aiCore")),
                           static_cast<int32_t>(Int(f, t + "aiCPU"))});
  }
  return c;
}

void Finish(AscendConfig& out, Chip c) {
  if (c.common_word.empty() || c.resource_name.empty()) return;
  std::stable_sort(c.templates.begin(), c.templates.end(),
                   [](const Template& a, const Template& b) { return a.memory_mib < b.memory_mib; });
  out.chips.push_back(std::move(c));
}

}  // namespace

Chip::Trimmed Chip::Trim(int64_t mib) const {
  for (const Template& t : templates) {
    if (mib <= t.memory_mib) return {t.memory_mib, t.name};
  }
  if (mib <= memory_capacity_mib) return {memory_allocatable_mib, {}};
  return {};
}

AscendConfig ReadAscendConfig(const DevicesConfig& config) {
  AscendConfig out;
  auto it = config.sections.find("vnpus");
  if (it == config.sections.end()) {
    for (DefaultChip& d : Defaults()) {
      const std::string base = std::string("huawei.com/") + d.word;
      Chip c{d.chip, d.word, base, base + "-memory", base + "-core", d.allocatable, d.capacity, 1,
             d.ai_core, d.ai_cpu, "", false, d.super_pod, std::move(d.templates)};
      Finish(out, std::move(c));
    }
    return out;
  }
  const auto& items = it->second;
  if (items.size() == 1 && !items[0].contains("commonWord")) {  // {hamiVnpuCore, configs: [...]}
    out.hami_vnpu_core = Bool(items[0], "hamiVnpuCore");
    for (int i = 0;; ++i) {
      const std::string prefix = "configs." + std::to_string(i) + ".";
      if (!items[0].contains(prefix + "commonWord") && !items[0].contains(prefix + "chipName")) break;
      Finish(out, ReadChip(items[0], prefix));
    }
    return out;
  }
  for (const auto& item : items) Finish(out, ReadChip(item, ""));  // older layout: a list of chips
  return out;
}

}  // namespace hami::vendors::ascend
