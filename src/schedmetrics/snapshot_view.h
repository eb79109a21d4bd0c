// Converts the scheduling core's read-only snapshot (scheduler::Scheduler::
// Snapshot()) and its quotas into the ClusterView that SchedulerMetrics
// renders. Built only when the scheduling core (hami_scheduler) is.
#pragma once

#include <vector>

#include "scheduler/scheduler.h"
#include "schedmetrics/scheduler_metrics.h"

namespace hami::schedmetrics {

// Pods reserved by Filter but not yet annotated are left out (as HAMi, which
// reports from the pod cache). `quotas` may be empty.
ClusterView ViewFromSnapshot(const scheduler::ClusterSnapshot& snapshot,
                             std::vector<QuotaView> quotas = {});

}  // namespace hami::schedmetrics
