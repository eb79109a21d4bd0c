// The scheduling core: node inventory (from registration annotations), device
// usage (from pods' allocated annotations and in-flight reservations),
// namespace quota, and Filter = fit + choose one node + reserve. Knows nothing
// of HTTP or the API server. Thread-safe: every method may be called from any
// thread; Filter calls run in parallel (state is sharded per node).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/pod_devices.h"
#include "common/clock.h"
#include "common/status.h"
#include "scheduler/model.h"
#include "vendors/registry.h"

namespace hami::scheduler {

struct SchedulerOptions {
  std::string node_policy = "binpack";  // --node-scheduler-policy
  std::string gpu_policy = "spread";    // --gpu-scheduler-policy
  // Fit candidate nodes on this many threads (1 = caller's thread only).
  int filter_threads = 1;
};

// What Filter decided for a pod, and exactly what must be merge-patched onto
// the pod before answering kube-scheduler.
struct FilterDecision {
  std::string node;
  double score = 0;
  AnnotationMap annotations;  // vgpu-node, vgpu-time, per-vendor to-allocate + allocated
  AnnotationMap labels;       // hami.io/vgpu-node
  std::map<std::string, api::PodDevices> devices;  // vendor keyword -> devices
};

struct FilterResult {
  bool interested = false;  // false: pod asks for no HAMi resource
  std::optional<FilterDecision> decision;
  std::map<std::string, std::string> failed_nodes;  // set when nothing fits
};

// --- Read-only snapshot for metrics ----------------------------------------
struct DeviceSnapshot {
  std::string id;
  int32_t index = 0;
  std::string type;
  std::string vendor;
  int32_t numa = 0;
  bool healthy = true;
  int32_t count = 0, used = 0;
  int64_t total_mem_mib = 0, used_mem_mib = 0;
  int32_t total_cores = 0, used_cores = 0;
};
struct NodeSnapshot {
  std::string name;
  std::vector<DeviceSnapshot> devices;
};
struct PodAllocationSnapshot {
  std::string uid, namespace_name, name, node;
  bool reserved_only = false;  // reservation made by Filter, not yet seen on the pod
  std::map<std::string, api::PodDevices> devices;  // vendor -> per-container
};
struct ClusterSnapshot {
  std::vector<NodeSnapshot> nodes;
  std::vector<PodAllocationSnapshot> pods;
};

// Per-node registration health decided from the handshake annotation.
struct HandshakeDecision {
  bool healthy = true;
  std::optional<std::string> patch_value;  // write this handshake value
};
HandshakeDecision DecideHandshake(std::string_view handshake_value,
                                  std::chrono::system_clock::time_point local_now,
                                  int64_t allocatable_count);

class Scheduler {
 public:
  Scheduler(vendors::VendorList vendors, SchedulerOptions options, const Clock& clock);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  const vendors::VendorList& vendors() const;

  // Inventory. A node without any valid registration is removed; a bad
  // annotation for one vendor drops that vendor's devices (error returned).
  Status UpsertNode(const Node& node);
  void RemoveNode(std::string_view name);

  // Usage. Pods without hami.io/vgpu-node are ignored; terminal pods free.
  // A malformed allocated annotation returns InvalidArgument and leaves what
  // was recorded for the pod before untouched.
  Status UpsertPod(const Pod& pod);
  void RemovePod(std::string_view uid);

  void UpsertQuota(const ResourceQuota& quota);
  void RemoveQuota(std::string_view namespace_name, std::string_view name);

  // Per-vendor requests of every container (init first). Empty = not ours.
  std::vector<std::vector<vendors::DeviceRequest>> PodRequests(const Pod& pod) const;

  // Fits the pod on the named nodes, picks one, records the reservation.
  // Unknown names fail with "node unregistered".
  StatusOr<FilterResult> Filter(const Pod& pod, std::span<const std::string> node_names);
  // Simulation (Cluster Autoscaler): inventory from the given nodes, zero
  // usage, nothing recorded.
  StatusOr<FilterResult> Simulate(const Pod& pod, std::span<const Node> nodes) const;
  // Drops a reservation made by Filter (e.g. the pod patch failed).
  void Unreserve(std::string_view pod_uid);

  // The node a pod is reserved/allocated on, if any.
  std::optional<std::string> PodNode(std::string_view pod_uid) const;
  bool HasNode(std::string_view name) const;

  // Namespace quota check used by the webhook: OK or ResourceExhausted.
  Status CheckQuota(const Pod& pod) const;

  ClusterSnapshot Snapshot() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hami::scheduler
