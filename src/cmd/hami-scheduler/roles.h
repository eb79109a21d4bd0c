// The leader labels hami-scheduler's own pods hami.io/scheduler-role=leader
// (itself) or follower (the others), as HAMi does: the chart's Service
// selects the leader, so the webhook is answered by the replica whose caches
// the kube-scheduler is filling.
#pragma once

#include <string_view>

#include "common/status.h"
#include "k8s/client.h"

namespace hami::schedulerd {

inline constexpr std::string_view kSchedulerRoleLabel = "hami.io/scheduler-role";
inline constexpr std::string_view kSchedulerPodSelector = "app.kubernetes.io/component=hami-scheduler";

// Lists the scheduler pods of `ns` and patches the role label where it is
// wrong. Returns the first failure (the others are still attempted).
Status LabelSchedulerPods(k8s::Client* client, std::string_view ns, std::string_view self_pod);

}  // namespace hami::schedulerd
