// Leader election on a coordination.k8s.io/v1 Lease. One elector per process;
// Run() loops until stopped: acquires when the lease is free or expired,
// renews every retry period, reports leadership changes through a callback.
// IsLeader() is lock-free and safe from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "k8s/client.h"

namespace hami::k8s {

struct LeaderElectionOptions {
  std::string lease_namespace = "kube-system";
  std::string lease_name = "hami-scheduler";
  std::string identity;  // unique per replica (hostname_uuid)
  std::chrono::seconds lease_duration{15};
  std::chrono::seconds retry_period{2};
};

class LeaderElector {
 public:
  LeaderElector(Client* client, const Clock* clock, LeaderElectionOptions options,
                std::function<void(bool leader)> on_change = nullptr);
  ~LeaderElector();
  void Start();  // background thread
  void Stop();   // gives the lease up (holderIdentity cleared) if held
  bool IsLeader() const { return leader_.load(std::memory_order_acquire); }
  // One acquire/renew attempt (exposed for tests). Returns the new leadership.
  bool TryAcquireOrRenew();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> leader_{false};
};

}  // namespace hami::k8s
