// kube-scheduler extender handlers as pure functions over JSON text: decode
// ExtenderArgs / ExtenderBindingArgs with case-insensitive keys (as Go does),
// answer in PascalCase. Never throw; problems go into the `Error` field.
// The API calls (pod patch after filter, node lock + Binding for bind) are
// done by the caller (src/k8s) with what these functions return.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "scheduler/scheduler.h"

namespace hami::extender {

struct FilterOutcome {
  nlohmann::json response;  // ExtenderFilterResult to send
  // Set when a node was chosen in cache mode: the caller must merge-patch
  // decision->annotations and decision->labels onto the pod *before* sending
  // `response`; if that fails call scheduler.Unreserve(pod_uid) and send
  // FilterErrorResponse(...) instead.
  std::optional<scheduler::FilterDecision> decision;
  std::string pod_uid, pod_namespace, pod_name;
};

FilterOutcome HandleFilter(scheduler::Scheduler& scheduler, std::string_view body);
nlohmann::json FilterErrorResponse(std::string_view message);

struct BindArgs {
  std::string pod_name, pod_namespace, pod_uid, node;
};
StatusOr<BindArgs> ParseBindArgs(std::string_view body);

// What the binder must do (the decision part of /bind).
struct BindPlan {
  bool needs_node_lock = false;  // a kHami-locking vendor's resources in regular containers
  // Annotation keys of kTimeOnly node locks (bare RFC3339 time) to take, in
  // vendor order, for vendors whose resources are in regular containers.
  std::vector<std::string> time_locks;
  scheduler::AnnotationMap annotations;  // bind-phase=allocating, bind-time=<unix s>
};
// Checks the bind against the scheduler's reservation for the pod (pod as
// read from the cache; its annotations carry the filter decision).
StatusOr<BindPlan> PlanBind(const scheduler::Scheduler& scheduler, const BindArgs& args,
                            const scheduler::Pod& pod, int64_t now_unix_seconds);

// ExtenderBindingResult: {} on success, {"Error": msg} otherwise.
nlohmann::json BindResponse(const Status& status);

}  // namespace hami::extender
