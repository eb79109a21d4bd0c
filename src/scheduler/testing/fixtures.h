// Test and benchmark fixtures: synthetic nodes (NVIDIA registration
// annotation) and pods (container requests), built through the real codecs.
#pragma once

#include <string>
#include <vector>

#include "api/annotations.h"
#include "api/node_devices.h"
#include "api/quantity.h"
#include "scheduler/model.h"

namespace hami::scheduler::testing {

struct GpuSpec {
  int64_t memory_mib = 16384;
  int32_t split = 10;
  int32_t numa = 0;
  std::string type = "NVIDIA-Tesla V100-PCIE-16GB";
  bool healthy = true;
};

inline std::string GpuUuid(const std::string& node, int i) { return "GPU-" + node + "-" + std::to_string(i); }

inline Node MakeNode(const std::string& name, const std::vector<GpuSpec>& gpus) {
  std::vector<api::DeviceInfo> infos;
  for (size_t i = 0; i < gpus.size(); ++i) {
    api::DeviceInfo d;
    d.id = GpuUuid(name, static_cast<int>(i));
    d.index = static_cast<int32_t>(i);
    d.count = gpus[i].split;
    d.devmem_mib = gpus[i].memory_mib;
    d.devcore = 100;
    d.type = gpus[i].type;
    d.numa = gpus[i].numa;
    d.mode = "hami-core";
    d.health = gpus[i].healthy;
    infos.push_back(std::move(d));
  }
  Node n;
  n.name = name;
  n.annotations[std::string(api::kNodeNvidiaRegister)] = api::EncodeNodeDevicesJson(infos);
  return n;
}

inline Node MakeUniformNode(const std::string& name, int gpus, GpuSpec spec = {}) {
  return MakeNode(name, std::vector<GpuSpec>(gpus, spec));
}

struct Gpu {
  int count = 1;
  int64_t mem_mib = 0;  // 0 = not given
  int cores = -1;       // -1 = not given
  int mem_percent = -1;
};

inline vendors::ContainerResources GpuContainer(const std::string& name, Gpu g) {
  vendors::ContainerResources c;
  c.name = name;
  if (g.count > 0) c.limits.emplace("nvidia.com/gpu", api::Quantity::FromInteger(g.count));
  if (g.mem_mib > 0) c.limits.emplace("nvidia.com/gpumem", api::Quantity::FromInteger(g.mem_mib));
  if (g.cores >= 0) c.limits.emplace("nvidia.com/gpucores", api::Quantity::FromInteger(g.cores));
  if (g.mem_percent >= 0) {
    c.limits.emplace("nvidia.com/gpumem-percentage", api::Quantity::FromInteger(g.mem_percent));
  }
  return c;
}

inline Pod MakePod(const std::string& uid, std::vector<Gpu> containers, std::vector<Gpu> init = {},
                   const std::string& ns = "default") {
  Pod p;
  p.uid = uid;
  p.name = "pod-" + uid;
  p.namespace_name = ns;
  p.phase = "Pending";
  for (size_t i = 0; i < init.size(); ++i) p.init_containers.push_back(GpuContainer("init" + std::to_string(i), init[i]));
  for (size_t i = 0; i < containers.size(); ++i) {
    p.containers.push_back(GpuContainer("c" + std::to_string(i), containers[i]));
  }
  return p;
}

}  // namespace hami::scheduler::testing
