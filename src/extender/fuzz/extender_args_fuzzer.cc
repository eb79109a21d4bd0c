// Fuzzes the extender's request bodies against a scheduler holding two GPU
// nodes: the first byte picks ExtenderArgs (/filter) or ExtenderBindingArgs
// (/bind). Never throws; a filter answer is always a JSON object; whatever a
// filter reserved is released again, so the state stays bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/clock.h"
#include "extender/extender.h"
#include "scheduler/scheduler.h"
#include "scheduler/testing/fixtures.h"
#include "vendors/config.h"
#include "vendors/registry.h"

namespace {

hami::scheduler::Scheduler& TheScheduler() {
  static hami::SystemClock clock;
  static hami::scheduler::Scheduler* s = [] {
    auto* sched = new hami::scheduler::Scheduler(hami::vendors::MakeVendors(hami::vendors::DevicesConfig{}),
                                                 hami::scheduler::SchedulerOptions{}, clock);
    for (const char* name : {"node-a", "node-b"}) {
      if (!sched->UpsertNode(hami::scheduler::testing::MakeUniformNode(name, 2)).ok()) std::abort();
    }
    return sched;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto& sched = TheScheduler();
  if (data[0] & 1) {
    hami::extender::FilterOutcome out = hami::extender::HandleFilter(sched, body);
    if (!out.response.is_object()) std::abort();
    if (out.decision) sched.Unreserve(out.pod_uid);
  } else if (auto args = hami::extender::ParseBindArgs(body); args.ok()) {
    hami::scheduler::Pod pod;
    pod.name = args->pod_name;
    pod.namespace_name = args->pod_namespace;
    pod.uid = args->pod_uid;
    auto plan = hami::extender::PlanBind(sched, *args, pod, 1700000000);
    (void)hami::extender::BindResponse(plan.ok() ? hami::OkStatus() : plan.status());
  }
  return 0;
}
