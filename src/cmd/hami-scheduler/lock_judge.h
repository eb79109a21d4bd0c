// Adapts the scheduling core's node-lock policy (scheduler::JudgeNodeLock:
// owner gone, terminating, running or finished, bound or re-placed elsewhere,
// allocation settled, never reached bind-phase) to the API client's NodeLocker.
#pragma once

#include "common/clock.h"
#include "k8s/node_lock.h"
#include "scheduler/node_lock_policy.h"

namespace hami::schedulerd {

k8s::NodeLockJudge JudgeWithPolicy(scheduler::NodeLockPolicy policy, const Clock* clock);

}  // namespace hami::schedulerd
