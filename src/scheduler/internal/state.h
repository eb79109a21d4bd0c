// Sharded scheduler state: node table (shared_mutex, read-mostly) of
// NodeState objects, each with its own mutex; pod index and namespace quota
// in hash shards. No lock is held across nodes.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "scheduler/internal/node_fit.h"
#include "scheduler/scheduler.h"

namespace hami::scheduler::internal {

struct PodRecord {
  std::string uid, namespace_name, name, node;
  bool reserved_only = false;
  std::map<std::string, api::PodDevices> devices;
  std::vector<DeviceCharge> charges;
};

struct NodeState {
  mutable std::shared_mutex mu;
  std::string name;
  bool registered = false;
  std::vector<vendors::DeviceUsage> devices;  // inventory + usage
  std::vector<std::shared_ptr<std::deque<std::string>>> strings;  // owns devices' views
  NodeExtras extras;
  // uid -> charges applied to `devices`
  std::unordered_map<std::string, std::vector<DeviceCharge>> pods;

  void Apply(const std::vector<DeviceCharge>& charges, int sign);
};

template <typename V>
struct Shards {
  static constexpr size_t kCount = 32;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, V> map;
  };
  std::array<Shard, kCount> shards;
  Shard& For(std::string_view key) { return shards[std::hash<std::string_view>{}(key) % kCount]; }
  const Shard& For(std::string_view key) const {
    return shards[std::hash<std::string_view>{}(key) % kCount];
  }
};

struct NamespaceQuota {
  // quota name -> (resource -> limit)
  std::map<std::string, std::map<std::string, int64_t>> hard;
  std::map<std::string, int64_t> used;  // resource -> used
  std::optional<int64_t> Limit(const std::string& resource) const;
};

class State {
 public:
  State(vendors::VendorList vendors, SchedulerOptions options, const Clock& clock);

  Status UpsertNode(const Node& node);
  void RemoveNode(std::string_view name);
  Status UpsertPod(const Pod& pod);
  void RemovePodRecord(std::string_view uid);
  void UpsertQuota(const ResourceQuota& q);
  void RemoveQuota(std::string_view ns, std::string_view name);
  std::vector<std::vector<vendors::DeviceRequest>> PodRequests(const Pod& pod) const;
  StatusOr<FilterResult> Filter(const Pod& pod, std::span<const std::string> names);
  StatusOr<FilterResult> Simulate(const Pod& pod, std::span<const Node> nodes) const;
  std::optional<std::string> PodNode(std::string_view uid) const;
  std::shared_ptr<NodeState> FindNode(std::string_view name) const;
  Status CheckQuota(const Pod& pod) const;
  ClusterSnapshot Snapshot() const;

  vendors::VendorList vendors;

 private:
  StatusOr<PodPlan> MakePlan(const Pod& pod) const;
  std::shared_ptr<NodeState> GetOrCreateNode(std::string_view name);
  // Installs a pod record (replacing any previous one) and charges usage.
  void Install(PodRecord record);
  void ChargeQuota(const std::string& ns, const std::vector<DeviceCharge>& charges, int sign);
  struct Inventory {
    std::vector<vendors::DeviceUsage> devices;
    std::vector<std::shared_ptr<std::deque<std::string>>> strings;
  };
  StatusOr<Inventory> DecodeInventory(const Node& node, NodeExtras* extras) const;
  // `node_devices`: the chosen node's devices, for the vendors' annotators.
  FilterDecision MakeDecision(const Pod& pod, const std::string& node, const NodeFit& fit,
                              std::span<const vendors::DeviceUsage> node_devices) const;

  SchedulerOptions options_;
  const Clock& clock_;
  mutable std::shared_mutex nodes_mu_;
  std::unordered_map<std::string, std::shared_ptr<NodeState>> nodes_;
  Shards<PodRecord> pods_;
  Shards<NamespaceQuota> quotas_;
};

}  // namespace hami::scheduler::internal
