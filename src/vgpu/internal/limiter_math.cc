// The controller's rate update (pure, unit-tested).
#include <cmath>

#include "vgpu/internal/limiter.h"

namespace hami::vgpu {

uint64_t NextRate(uint64_t rate_milli, double consumed_per_s, double util_percent,
                  double cap_percent, bool throttled) {
  if (consumed_per_s <= 0) return rate_milli;  // idle: keep the last rate
  double rate = double(rate_milli) / 1000.0;
  double target;
  if (util_percent <= 0.5) {
    // Work ran but no utilization was seen yet: allow what was used, more.
    target = consumed_per_s * 2;
  } else {
    // Utilization is proportional to admitted work: scale to the cap.
    target = consumed_per_s * cap_percent / util_percent;
  }
  if (!throttled && rate > 0 && target > rate) {
    // Demand is below supply: do not build up an unbounded allowance.
    target = std::fmin(target, std::fmax(rate, consumed_per_s * 1.5));
  }
  double next = rate <= 0 ? target : std::sqrt(rate * target);  // damped step
  if (next < 1) next = 1;
  return uint64_t(next * 1000.0);
}

}  // namespace hami::vgpu
