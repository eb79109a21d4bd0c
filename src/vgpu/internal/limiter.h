// Container-wide compute limiter (token bucket in the shared region, feedback
// controller elected per container and device) and priority feedback marking.
// Gate() is on the launch hot path: no allocation, no locks, no syscalls
// unless the container is throttled or blocked.
#ifndef HAMI_VGPU_INTERNAL_LIMITER_H_
#define HAMI_VGPU_INTERNAL_LIMITER_H_

#include <stdint.h>

#include <atomic>

#include "vgpu/internal/runtime.h"

namespace hami::vgpu {

void MarkActiveSlow();             // honours recent_kernel < 0, then sets it to 2
void Throttle(uint64_t cost);      // compute limit path
void LimiterAfterFork();

// True when a launch needs no work from us: initialized, not blocked or
// unmarked, and no compute limit. Hooks tail-call the driver then.
inline bool GateIsFree() {
  if (HAMI_UNLIKELY(g_ready.load(std::memory_order_acquire) == 0)) return false;
  hami_vgpu_region* r = g_region;
  if (HAMI_UNLIKELY(r == nullptr)) return true;
  return std::atomic_ref<int32_t>(r->v1.recent_kernel).load(std::memory_order_relaxed) == 2 &&
         !g_compute_active.load(std::memory_order_relaxed);
}

// Slow path of a launch: init, priority feedback, throttling.
__attribute__((noinline)) void GateSlow(uint64_t cost);

// One controller step for device `idx` given measured container utilization
// and token consumption rate; returns the new refill rate (tokens/s x 1000).
// Pure; exposed for unit tests.
uint64_t NextRate(uint64_t rate_milli, double consumed_per_s, double util_percent,
                  double cap_percent, bool throttled);
// `tokens` after `elapsed_ns` of refill at `rate_milli`, capped at the bucket
// (`burst_ns` of rate, at least 1 token) unless already above it. Defined for
// any values (they come from the shared region).
int64_t RefilledTokens(int64_t tokens, uint64_t rate_milli, uint64_t elapsed_ns, uint64_t burst_ns);
// How long a launcher in debt (`tokens` < 0) sleeps before checking again:
// the time `rate_milli` takes to repay it, within [50 us, 5 ms]; 0 when not in
// debt or the rate is unknown.
uint64_t DebtSleepNs(int64_t tokens, uint64_t rate_milli);

}  // namespace hami::vgpu

#endif  // HAMI_VGPU_INTERNAL_LIMITER_H_
