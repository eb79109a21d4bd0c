#include "cmd/hami-scheduler/lock_judge.h"

#include <string>

#include "api/annotations.h"

namespace hami::schedulerd {
namespace {

std::string Field(const k8s::Json& obj, const char* section, const char* key) {
  auto s = obj.find(section);
  if (s == obj.end() || !s->is_object()) return "";
  auto v = s->find(key);
  return v != s->end() && v->is_string() ? v->get<std::string>() : "";
}

scheduler::LockOwnerState OwnerState(const std::optional<k8s::Json>& pod) {
  scheduler::LockOwnerState st;
  if (!pod) return st;  // exists = false
  st.exists = true;
  st.uid = k8s::Uid(*pod);
  st.phase = Field(*pod, "status", "phase");
  st.node_name = Field(*pod, "spec", "nodeName");
  st.bind_phase = k8s::Annotation(*pod, api::kBindPhase);
  st.vgpu_node = k8s::Annotation(*pod, api::kVgpuNode);
  st.deleting = !Field(*pod, "metadata", "deletionTimestamp").empty();
  return st;
}

}  // namespace

k8s::NodeLockJudge JudgeWithPolicy(scheduler::NodeLockPolicy policy, const Clock* clock) {
  return [policy, clock](std::string_view node, const api::NodeLock& lock,
                         const std::optional<k8s::Json>& owner) -> std::string {
    // The requester is never the owner here (NodeLocker handles re-entry).
    scheduler::LockJudgement j = scheduler::JudgeNodeLock(lock, node, "", "", OwnerState(owner),
                                                          clock->Now(), policy);
    return j.verdict == scheduler::LockVerdict::kStale ? j.reason : "";
  };
}

}  // namespace hami::schedulerd
