#include "bench/cluster_load/load.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "api/annotations.h"
#include "api/node_devices.h"
#include "api/node_lock.h"
#include "api/pod_devices.h"

namespace hami::bench::cluster_load {
namespace {

std::string Str(const Json& obj, std::initializer_list<const char*> path) {
  const Json* cur = &obj;
  for (const char* key : path) {
    if (!cur->is_object()) return "";
    auto it = cur->find(key);
    if (it == cur->end()) return "";
    cur = &*it;
  }
  return cur->is_string() ? cur->get<std::string>() : "";
}

void AddProblem(OvercommitReport* r, std::string text) {
  ++r->problem_count;
  if (r->problems.size() < 10) r->problems.push_back(std::move(text));
}

}  // namespace

bool ParseMode(std::string_view text, Mode* out) {
  if (text == "extender") *out = Mode::kExtender;
  else if (text == "baseline") *out = Mode::kBaseline;
  else return false;
  return true;
}

std::string_view ModeName(Mode mode) {
  return mode == Mode::kExtender ? "extender" : "baseline";
}

std::string NodeName(const NodeSpec& spec, int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%05d", index);
  return spec.prefix + buf;
}

std::string GpuUuid(int node_index, int gpu) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "GPU-%08x-5c41-4000-8000-%012x", static_cast<unsigned>(node_index),
                static_cast<unsigned>(gpu));
  return buf;
}

int BaselineGpus(const NodeSpec& spec) {
  return spec.baseline_gpu > 0 ? spec.baseline_gpu : spec.gpus * spec.split;
}

Json NodeObject(const NodeSpec& spec, Mode mode, int index) {
  std::string name = NodeName(spec, index);
  Json resources = {{"cpu", "128"},
                    {"memory", "1024Gi"},
                    {"pods", std::to_string(spec.max_pods)},
                    {"nvidia.com/gpu", std::to_string(mode == Mode::kExtender
                                                          ? spec.gpus * spec.split
                                                          : BaselineGpus(spec))}};
  Json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata",
                {{"name", name},
                 {"labels", {{"kubernetes.io/hostname", name}, {"hami.io/scale-run", "true"}}}}},
               {"status",
                {{"capacity", resources},
                 {"allocatable", resources},
                 {"conditions",
                  Json::array({{{"type", "Ready"},
                                {"status", "True"},
                                {"reason", "Simulated"},
                                {"message", "hami-cluster-load simulated node"}}})}}}};
  if (mode == Mode::kExtender) {
    std::vector<api::DeviceInfo> devices;
    for (int g = 0; g < spec.gpus; ++g) {
      api::DeviceInfo d;
      d.id = GpuUuid(index, g);
      d.index = g;
      d.count = spec.split;
      d.devmem_mib = spec.devmem_mib;
      d.devcore = spec.devcore;
      d.type = spec.gpu_type;
      d.numa = g < spec.gpus / 2 ? 0 : 1;
      d.mode = "hami-core";
      d.health = true;
      devices.push_back(std::move(d));
    }
    // A settled handshake, as on a cluster that has run for a while: the
    // scheduler's registration pass has nothing to write at start-up.
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    localtime_r(&t, &tm);
    node["metadata"]["annotations"] = {
        {std::string(api::kNodeNvidiaRegister), api::EncodeNodeDevicesJson(devices)},
        {std::string(api::kNodeHandshake),
         api::EncodeHandshakeRequesting(now + std::chrono::seconds(tm.tm_gmtoff))}};
  }
  return node;
}

std::string PodName(const PodSpec& spec, int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06d", index);
  return spec.prefix + buf;
}

int PodIndex(const PodSpec& spec, std::string_view name) {
  if (!name.starts_with(spec.prefix)) return -1;
  name.remove_prefix(spec.prefix.size());
  if (name.empty() || name.size() > 9) return -1;
  int v = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

int PodCores(const PodSpec& spec, int index) {
  int span = std::max(1, spec.cores_max - spec.cores_min + 1);
  return spec.cores_min + index % span;
}

Json PodObject(const PodSpec& spec, Mode mode, int index) {
  Json limits = {{"nvidia.com/gpu", "1"}};
  if (mode == Mode::kExtender) {
    limits["nvidia.com/gpumem"] = std::to_string(spec.gpumem_mib);
    limits["nvidia.com/gpucores"] = std::to_string(PodCores(spec, index));
  }
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", PodName(spec, index)},
            {"namespace", spec.ns},
            {"labels", {{"app", "hami-cluster-load"}}}}},
          {"spec",
           {{"schedulerName",
             mode == Mode::kExtender ? spec.extender_scheduler : spec.baseline_scheduler},
            {"terminationGracePeriodSeconds", 0},
            {"containers",
             Json::array({{{"name", "work"},
                           {"image", "busybox"},
                           {"command", Json::array({"sleep", "infinity"})},
                           {"resources", {{"limits", limits}}}}})}}}};
}

OvercommitReport CheckOvercommit(const std::vector<Json>& pods, const NodeSpec& spec,
                                 int node_count, Mode mode) {
  OvercommitReport r;
  if (mode == Mode::kBaseline) {
    std::map<std::string, int> per_node;
    for (const Json& pod : pods) {
      std::string node = Str(pod, {"spec", "nodeName"});
      if (node.empty()) continue;
      ++r.pods_checked;
      ++per_node[node];
    }
    for (const auto& [node, n] : per_node) {
      r.max_count = std::max(r.max_count, n);
      if (n > BaselineGpus(spec)) {
        AddProblem(&r, "node " + node + ": " + std::to_string(n) + " pods > " +
                           std::to_string(BaselineGpus(spec)) + " nvidia.com/gpu");
      }
    }
    r.devices_used = static_cast<int>(per_node.size());
    return r;
  }

  std::unordered_map<std::string, std::string> owner;  // uuid -> node name
  owner.reserve(static_cast<size_t>(node_count) * spec.gpus);
  for (int n = 0; n < node_count; ++n) {
    for (int g = 0; g < spec.gpus; ++g) owner.emplace(GpuUuid(n, g), NodeName(spec, n));
  }
  struct Use {
    int64_t mem = 0;
    int count = 0, cores = 0;
  };
  std::unordered_map<std::string, Use> use;
  const std::string allocated_key(api::kNvidiaDevicesAllocated);
  const std::string to_allocate_key(api::kNvidiaDevicesToAllocate);
  const std::string node_key(api::kVgpuNode);
  for (const Json& pod : pods) {
    std::string node = Str(pod, {"spec", "nodeName"});
    if (node.empty()) continue;
    ++r.pods_checked;
    std::string name = Str(pod, {"metadata", "name"});
    std::string text = Str(pod, {"metadata", "annotations", allocated_key.c_str()});
    if (text.empty()) text = Str(pod, {"metadata", "annotations", to_allocate_key.c_str()});
    if (text.empty()) {
      AddProblem(&r, "pod " + name + " on " + node + ": no device allocation annotation");
      continue;
    }
    std::string vgpu_node = Str(pod, {"metadata", "annotations", node_key.c_str()});
    if (vgpu_node != node) {
      AddProblem(&r, "pod " + name + ": hami.io/vgpu-node '" + vgpu_node + "' != nodeName " + node);
    }
    auto decoded = api::DecodePodDevices(text);
    if (!decoded.ok()) {
      AddProblem(&r, "pod " + name + ": " + decoded.status().ToString());
      continue;
    }
    ++r.pods_allocated;
    for (const api::ContainerDevices& container : *decoded) {
      for (const api::ContainerDevice& d : container) {
        auto o = owner.find(d.uuid);
        if (o == owner.end()) {
          AddProblem(&r, "pod " + name + ": unknown GPU " + d.uuid);
          continue;
        }
        if (o->second != node) {
          AddProblem(&r, "pod " + name + " on " + node + " got GPU " + d.uuid + " of " + o->second);
        }
        Use& u = use[d.uuid];
        u.mem += d.used_mem_mib;
        u.count += 1;
        u.cores += d.used_cores;
      }
    }
  }
  r.devices_used = static_cast<int>(use.size());
  for (const auto& [uuid, u] : use) {
    r.max_mem_mib = std::max(r.max_mem_mib, u.mem);
    r.max_count = std::max(r.max_count, u.count);
    r.max_cores = std::max(r.max_cores, u.cores);
    if (u.mem > spec.devmem_mib || u.count > spec.split || u.cores > spec.devcore) {
      AddProblem(&r, "GPU " + uuid + " over-committed: mem " + std::to_string(u.mem) + "/" +
                         std::to_string(spec.devmem_mib) + " MiB, count " +
                         std::to_string(u.count) + "/" + std::to_string(spec.split) +
                         ", cores " + std::to_string(u.cores) + "/" +
                         std::to_string(spec.devcore));
    }
  }
  return r;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  size_t i = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values[std::min(i, values.size() - 1)];
}

}  // namespace hami::bench::cluster_load
