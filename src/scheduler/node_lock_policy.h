// Pure decisions about the node lock annotation `hami.io/mutex.lock`: when a
// lock may be taken over at once (stale) and how long a binder waits before
// giving up. The API side (GET/patch with resourceVersion) lives in src/k8s.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "api/node_lock.h"

namespace hami::scheduler {

struct NodeLockPolicy {
  std::chrono::seconds expiry{300};            // --node-lock-timeout
  std::chrono::seconds no_bind_phase_grace{30}; // owner never reached bind-phase
  std::chrono::milliseconds wait_budget{2000};  // bind waits this long for a live lock
  std::chrono::milliseconds poll_initial{10};
  std::chrono::milliseconds poll_max{200};
};

// What is known about the pod named in the lock (from the informer cache or a
// GET). nullopt in JudgeNodeLock = not looked up.
struct LockOwnerState {
  bool exists = false;  // false: NotFound
  std::string uid;
  std::string phase;       // status.phase
  std::string node_name;   // spec.nodeName
  std::string bind_phase;  // hami.io/bind-phase annotation
  std::string vgpu_node;   // hami.io/vgpu-node annotation
  bool deleting = false;
};

enum class LockVerdict {
  kFree,       // no lock: take it
  kOwnedByUs,  // re-entrant
  kStale,      // take over now (release + set)
  kHeld,       // live owner: wait and retry within the budget
};

struct LockJudgement {
  LockVerdict verdict = LockVerdict::kFree;
  std::string reason;  // why stale/held, for logs and events
};

// lock_node: the node carrying the lock; requester: the pod that wants it.
LockJudgement JudgeNodeLock(const std::optional<api::NodeLock>& lock, std::string_view lock_node,
                            std::string_view requester_namespace, std::string_view requester_name,
                            const std::optional<LockOwnerState>& owner,
                            std::chrono::system_clock::time_point now, const NodeLockPolicy& policy);

// Delay before retry number `attempt` (0-based): doubling from poll_initial
// to poll_max, with deterministic jitter from `salt` in [50%, 100%].
std::chrono::milliseconds LockRetryDelay(int attempt, uint64_t salt, const NodeLockPolicy& policy);

}  // namespace hami::scheduler
