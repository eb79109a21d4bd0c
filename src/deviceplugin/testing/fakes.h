// In-memory test doubles for the device plugin's interfaces: FakeCluster
// (ClusterApi over maps of nodes and pods, with call counters and injectable
// failures) and FakeNvml (a settable GPU list). Tests only.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "deviceplugin/cluster.h"
#include "deviceplugin/gpu_discovery.h"

namespace hami::deviceplugin::testing {

struct Event {
  std::string pod, type, reason, message;
};

class FakeCluster final : public ClusterApi {
 public:
  std::mutex mu;
  std::map<std::string, std::map<std::string, std::string>> nodes;  // name -> annotations
  std::map<std::string, PodInfo> pods;                               // "ns/name" -> pod
  std::vector<Event> events;
  int pod_patches = 0;
  int node_patches = 0;
  bool fail_pod_patch = false;

  void AddPod(const PodInfo& p) {
    std::lock_guard l(mu);
    pods[p.ns + "/" + p.name] = p;
  }
  PodInfo Pod(const std::string& key) {
    std::lock_guard l(mu);
    return pods.at(key);
  }

  StatusOr<std::map<std::string, std::string>> GetNodeAnnotations(const std::string& node) override {
    std::lock_guard l(mu);
    auto it = nodes.find(node);
    if (it == nodes.end()) return NotFoundError("node " + node);
    return it->second;
  }
  StatusOr<PodInfo> GetPod(const std::string& ns, const std::string& name) override {
    std::lock_guard l(mu);
    auto it = pods.find(ns + "/" + name);
    if (it == pods.end()) return NotFoundError("pod " + ns + "/" + name);
    return it->second;
  }
  StatusOr<std::vector<PodInfo>> ListPodsOnNode(const std::string& node) override {
    std::lock_guard l(mu);
    std::vector<PodInfo> out;
    for (const auto& [k, p] : pods) {
      if (p.node_name == node) out.push_back(p);
    }
    return out;
  }
  Status PatchPodAnnotations(const std::string& ns, const std::string& name,
                             const AnnotationPatch& patch) override {
    std::lock_guard l(mu);
    if (fail_pod_patch) return UnavailableError("injected pod patch failure");
    auto it = pods.find(ns + "/" + name);
    if (it == pods.end()) return NotFoundError("pod " + ns + "/" + name);
    Apply(patch, &it->second.annotations);
    ++pod_patches;
    return OkStatus();
  }
  Status PatchNodeAnnotations(const std::string& node, const AnnotationPatch& patch) override {
    std::lock_guard l(mu);
    Apply(patch, &nodes[node]);
    ++node_patches;
    return OkStatus();
  }
  Status ReleaseNodeLock(const std::string& node, const std::string& ns, const std::string& name) override {
    std::lock_guard l(mu);
    auto& a = nodes[node];
    auto it = a.find("hami.io/mutex.lock");
    if (it == a.end()) return OkStatus();
    const std::string suffix = "," + ns + "," + name;
    bool legacy = it->second.find(',') == std::string::npos;
    if (legacy || it->second.ends_with(suffix)) a.erase(it);
    return OkStatus();
  }
  void RecordPodEvent(const PodInfo& pod, const std::string& type, const std::string& reason,
                      const std::string& message) override {
    std::lock_guard l(mu);
    events.push_back({pod.ns + "/" + pod.name, type, reason, message});
  }
  // `events` is written under `mu` by the server's threads: read it this way
  // (or under `mu`) while a server runs.
  size_t EventCount() {
    std::lock_guard l(mu);
    return events.size();
  }

 private:
  static void Apply(const AnnotationPatch& patch, std::map<std::string, std::string>* a) {
    for (const auto& [k, v] : patch) {
      if (v) {
        (*a)[k] = *v;
      } else {
        a->erase(k);
      }
    }
  }
};

class FakeNvml final : public Nvml {
 public:
  std::mutex mu;
  std::vector<GpuInfo> gpus;
  bool fail = false;
  void SetHealthy(const std::string& uuid, bool healthy) {
    std::lock_guard l(mu);
    for (auto& g : gpus) {
      if (g.uuid == uuid) g.healthy = healthy;
    }
  }
  StatusOr<std::vector<GpuInfo>> ListGpus() override {
    std::lock_guard l(mu);
    if (fail) return UnavailableError("injected NVML failure");
    return gpus;
  }
  StatusOr<int32_t> PairScore(const GpuInfo& a, const GpuInfo& b) override {
    return a.numa_node == b.numa_node ? 200 : 10;
  }
  std::string DriverVersion() override { return "550.54.15"; }
};

// A GPU with predictable fields: uuid "GPU-<n>", 81920 MiB, NUMA n % 2.
inline GpuInfo MakeGpu(int n) {
  GpuInfo g;
  g.index = n;
  g.uuid = "GPU-" + std::to_string(n);
  g.name = "NVIDIA A100-SXM4-80GB";
  g.memory_mib = 81920;
  g.numa_node = n % 2;
  g.pci_bus_id = "0000:0" + std::to_string(n) + ":00.0";
  return g;
}

}  // namespace hami::deviceplugin::testing
