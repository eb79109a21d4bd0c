// Allocate and GetPreferredAllocation for the NVIDIA plugin (reference 2.5,
// 8.3, 8.4; pod identification in docs/scheduler.md "Allocate: identifying the
// pod"). The pod is the owner named by the node lock hami.io/mutex.lock; only
// without a usable lock it falls back to the pending pod on this node whose
// next to-allocate entry matches kubelet's devices. Calls are serialized.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "deviceplugin/cluster.h"
#include "deviceplugin/config.h"
#include "api/pod_devices.h"
#include "deviceplugin/v1beta1/api.pb.h"

namespace hami::deviceplugin {

struct AllocatorOptions {
  std::string node_name;
  std::string hook_path = "/usr/local";
  PluginConfig config;
};

// What the kubelet-facing server (server.h) asks of a plugin: answers to
// Allocate and GetPreferredAllocation. Implementations serialize as they need.
class AllocateHandler {
 public:
  virtual ~AllocateHandler() = default;
  virtual StatusOr<v1beta1::AllocateResponse> Allocate(const v1beta1::AllocateRequest& request) = 0;
  virtual StatusOr<v1beta1::PreferredAllocationResponse> GetPreferredAllocation(
      const v1beta1::PreferredAllocationRequest& request) = 0;
};

class Allocator final : public AllocateHandler {
 public:
  Allocator(ClusterApi* api, AllocatorOptions options);

  // On failure the pod (when known) gets bind-phase=failed, the node lock is
  // released and a Warning event "AllocateFailed" is recorded.
  StatusOr<v1beta1::AllocateResponse> Allocate(const v1beta1::AllocateRequest& request) override;

  StatusOr<v1beta1::PreferredAllocationResponse> GetPreferredAllocation(
      const v1beta1::PreferredAllocationRequest& request) override;

  // The pod whose devices kubelet is allocating now. `hint_uuids`: physical
  // GPU UUIDs of kubelet's first container request (may be empty).
  StatusOr<PodInfo> FindPendingPod(const std::vector<std::string>& hint_uuids);

 private:
  Status Fail(const PodInfo& pod, const Status& error);
  bool IsCandidate(const PodInfo& pod) const;

  ClusterApi* api_;
  AllocatorOptions options_;
  std::mutex mu_;
};

}  // namespace hami::deviceplugin
