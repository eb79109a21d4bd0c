// The limiter's arithmetic (pure, unit-tested and fuzzed over any region content).
#include <cmath>

#include "vgpu/internal/limiter.h"

namespace hami::vgpu {
namespace {

// Tokens per second beyond any GPU: keeps the rate x 1000 within uint64_t.
constexpr double kMaxRate = 1e15;

}  // namespace

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
  if (!(next >= 1)) next = 1;  // also NaN
  if (next > kMaxRate) next = kMaxRate;
  return uint64_t(next * 1000.0);
}

int64_t RefilledTokens(int64_t tokens, uint64_t rate_milli, uint64_t elapsed_ns, uint64_t burst_ns) {
  // Both products are >= 0; anything at or above 2^63 saturates.
  const double limit = 9.2e18;
  double add_d = double(rate_milli) * double(elapsed_ns) / 1e12;
  double cap_d = double(rate_milli) * double(burst_ns) / 1e12;
  int64_t add = add_d < limit ? int64_t(add_d) : INT64_MAX;
  int64_t cap = cap_d < limit ? int64_t(cap_d) : INT64_MAX;
  if (cap < 1) cap = 1;
  if (tokens > cap) return tokens;  // above the bucket already: keep, never add
  int64_t sum = 0;  // add >= 0: an overflow means above the cap
  return __builtin_add_overflow(tokens, add, &sum) || sum > cap ? cap : sum;
}

uint64_t DebtSleepNs(int64_t tokens, uint64_t rate_milli) {
  if (tokens >= 0 || rate_milli == 0) return 0;
  double ns = -double(tokens) * 1e12 / double(rate_milli);
  if (ns > 5'000'000) return 5'000'000;
  if (ns < 50'000) return 50'000;
  return uint64_t(ns);
}

}  // namespace hami::vgpu
