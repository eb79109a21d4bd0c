#include "scheduler/node_lock_policy.h"

#include <algorithm>

#include "api/annotations.h"

namespace hami::scheduler {

LockJudgement JudgeNodeLock(const std::optional<api::NodeLock>& lock, std::string_view lock_node,
                            std::string_view requester_namespace, std::string_view requester_name,
                            const std::optional<LockOwnerState>& owner,
                            std::chrono::system_clock::time_point now, const NodeLockPolicy& policy) {
  if (!lock) return {LockVerdict::kFree, "no lock"};
  const auto age = now - lock->time;
  if (age > policy.expiry) return {LockVerdict::kStale, "lock expired"};
  if (lock->legacy()) return {LockVerdict::kHeld, "legacy lock without owner"};
  if (lock->pod_namespace == requester_namespace && lock->pod_name == requester_name) {
    return {LockVerdict::kOwnedByUs, "re-entrant"};
  }
  if (!owner) return {LockVerdict::kHeld, "owner not looked up"};
  if (!owner->exists) return {LockVerdict::kStale, "owner pod not found"};
  if (owner->deleting) return {LockVerdict::kStale, "owner pod is terminating"};
  if (owner->phase == "Running" || owner->phase == "Succeeded" || owner->phase == "Failed") {
    return {LockVerdict::kStale, "owner pod is " + owner->phase};
  }
  if (owner->bind_phase == api::kBindPhaseSuccess || owner->bind_phase == api::kBindPhaseFailed) {
    return {LockVerdict::kStale, "owner bind-phase " + owner->bind_phase};
  }
  if (!owner->node_name.empty() && owner->node_name != lock_node) {
    return {LockVerdict::kStale, "owner bound to another node"};
  }
  if (!owner->vgpu_node.empty() && owner->vgpu_node != lock_node) {
    return {LockVerdict::kStale, "owner scheduled to another node"};
  }
  if (owner->bind_phase.empty() && age > policy.no_bind_phase_grace) {
    return {LockVerdict::kStale, "owner never reached bind-phase"};
  }
  return {LockVerdict::kHeld, "owner allocating"};
}

std::chrono::milliseconds LockRetryDelay(int attempt, uint64_t salt, const NodeLockPolicy& policy) {
  int64_t base = policy.poll_initial.count();
  for (int i = 0; i < attempt && base < policy.poll_max.count(); ++i) base *= 2;
  base = std::min<int64_t>(base, policy.poll_max.count());
  // splitmix64 for jitter.
  uint64_t z = salt + 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(attempt + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  int64_t jittered = base / 2 + static_cast<int64_t>(z % static_cast<uint64_t>(base / 2 + 1));
  return std::chrono::milliseconds(std::max<int64_t>(1, jittered));
}

}  // namespace hami::scheduler
