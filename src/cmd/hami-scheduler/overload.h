// Load shedding for hami-scheduler's HTTP endpoints. A ConcurrencyLimiter lets
// at most `max_inflight` requests of one endpoint class run at once and at most
// `max_queued` more wait for a slot, each for at most `queue_timeout`; anything
// beyond is refused at once. Refusals are values (ResourceExhausted: queue
// full; DeadlineExceeded: waited too long) that the caller turns into the
// endpoint's own clear "overloaded" answer. Thread-safe. OverloadMetrics
// exposes the limiters' counters; a warning is logged at most once per
// `log_interval` per limiter, with the number of refusals since the last one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "metrics/registry.h"

namespace hami::schedulerd {

struct LimiterOptions {
  int max_inflight = 16;                             // >= 1
  int max_queued = 32;                               // >= 0 (0: never wait)
  std::chrono::milliseconds queue_timeout{2000};     // longest wait for a slot
  std::chrono::milliseconds log_interval{10000};     // rate limit of the shed warning
};

class ConcurrencyLimiter {
 public:
  // `endpoint` names the class in metrics and messages ("filter", "webhook").
  ConcurrencyLimiter(std::string endpoint, LimiterOptions options);
  ConcurrencyLimiter(const ConcurrencyLimiter&) = delete;
  ConcurrencyLimiter& operator=(const ConcurrencyLimiter&) = delete;

  // OK: the caller holds a slot and must Release() it exactly once.
  Status Acquire();
  void Release();

  struct Stats {
    int inflight = 0;
    int queued = 0;
    uint64_t admitted = 0;
    uint64_t shed_queue_full = 0;
    uint64_t shed_queue_timeout = 0;
  };
  Stats stats() const;
  const std::string& endpoint() const { return endpoint_; }
  const LimiterOptions& options() const { return options_; }

 private:
  void NoteShed(bool timeout);  // counts and maybe logs; called with mu_ held

  const std::string endpoint_;
  const LimiterOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Stats stats_;
  uint64_t shed_since_log_ = 0;
  std::chrono::steady_clock::time_point last_log_{};
};

// Holds a slot of `limiter` for its lifetime when status() is OK. A null
// limiter admits everything.
class ScopedPermit {
 public:
  explicit ScopedPermit(ConcurrencyLimiter* limiter);
  ~ScopedPermit();
  ScopedPermit(const ScopedPermit&) = delete;
  ScopedPermit& operator=(const ScopedPermit&) = delete;
  const Status& status() const { return status_; }

 private:
  ConcurrencyLimiter* limiter_;
  Status status_;
};

// hami_scheduler_requests_shed_total{endpoint,reason} (reason: queue_full,
// queue_timeout), hami_scheduler_requests_inflight{endpoint} and
// hami_scheduler_requests_queued{endpoint}. The limiters must outlive it.
class OverloadMetrics final : public metrics::Collector {
 public:
  explicit OverloadMetrics(std::vector<const ConcurrencyLimiter*> limiters);
  void Collect(std::vector<metrics::MetricFamily>* out) const override;

 private:
  std::vector<const ConcurrencyLimiter*> limiters_;
};

}  // namespace hami::schedulerd
