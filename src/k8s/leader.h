// Leadership on a coordination.k8s.io/v1 Lease, two ways:
//  - LeaderElector takes part in the election: acquires the lease when it is
//    free or expired, renews it every retry period.
//  - LeaseObserver only watches a lease someone else holds (HAMi's extender
//    follows the co-located kube-scheduler's lease): this replica leads while
//    the lease's holderIdentity starts with its identity and the lease has been
//    renewed within leaseDurationSeconds, measured on the local monotonic clock
//    from when a renewal was last observed (no trust in clock skew).
// Both report changes through a callback; IsLeader() is lock-free and safe
// from any thread.
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

struct LeaseObserverOptions {
  std::string lease_namespace = "kube-system";
  std::string lease_name = "hami-scheduler";
  std::string identity;  // holderIdentity prefix that means "us" (the hostname)
  std::chrono::milliseconds poll_period{2000};
};

class LeaseObserver {
 public:
  LeaseObserver(Client* client, const Clock* clock, LeaseObserverOptions options,
                std::function<void(bool leader)> on_change = nullptr);
  ~LeaseObserver();
  void Start();  // background thread polling the lease
  void Stop();
  bool IsLeader() const { return leader_.load(std::memory_order_acquire); }
  // One observation of the lease (a GET's result; exposed for tests).
  // Returns the new leadership.
  bool Observe(const StatusOr<Json>& lease);
  // One GET + Observe.
  bool PollOnce();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> leader_{false};
};

}  // namespace hami::k8s
