// Converts the scheduling core's read-only snapshot (scheduler::Scheduler::
// Snapshot()) and its quotas into the ClusterView that SchedulerMetrics
// renders. Built only when the scheduling core (hami_scheduler) is.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "scheduler/scheduler.h"
#include "schedmetrics/scheduler_metrics.h"

namespace hami::schedmetrics {

// Pods reserved by Filter but not yet annotated are left out (as HAMi, which
// reports from the pod cache). `quotas` may be empty. `unit_core_vendors`:
// keywords of the vendors whose cores are compute units
// (VendorNames::cores_are_units).
ClusterView ViewFromSnapshot(const scheduler::ClusterSnapshot& snapshot,
                             std::vector<QuotaView> quotas = {},
                             const std::set<std::string, std::less<>>& unit_core_vendors = {});

}  // namespace hami::schedmetrics
