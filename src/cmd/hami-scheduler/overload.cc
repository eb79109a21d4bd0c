#include "cmd/hami-scheduler/overload.h"

#include <algorithm>
#include <utility>

#include "common/log.h"

namespace hami::schedulerd {
namespace {
constexpr std::string_view kComponent = "scheduler";
using Steady = std::chrono::steady_clock;
}  // namespace

ConcurrencyLimiter::ConcurrencyLimiter(std::string endpoint, LimiterOptions options)
    : endpoint_(std::move(endpoint)), options_([&] {
        options.max_inflight = std::max(1, options.max_inflight);
        options.max_queued = std::max(0, options.max_queued);
        if (options.queue_timeout.count() < 0) options.queue_timeout = {};
        return options;
      }()) {}

Status ConcurrencyLimiter::Acquire() {
  std::unique_lock lock(mu_);
  if (stats_.inflight < options_.max_inflight && stats_.queued == 0) {
    ++stats_.inflight;
    ++stats_.admitted;
    return OkStatus();
  }
  if (stats_.queued >= options_.max_queued) {
    NoteShed(false);
    return ResourceExhaustedError("hami-scheduler is overloaded: " + std::to_string(stats_.inflight) +
                                  " " + endpoint_ + " requests running and " +
                                  std::to_string(stats_.queued) + " waiting; retry later");
  }
  ++stats_.queued;
  bool got = cv_.wait_for(lock, options_.queue_timeout,
                          [this] { return stats_.inflight < options_.max_inflight; });
  --stats_.queued;
  if (!got) {
    NoteShed(true);
    return DeadlineExceededError("hami-scheduler is overloaded: no " + endpoint_ +
                                 " slot free within " +
                                 std::to_string(options_.queue_timeout.count()) + " ms; retry later");
  }
  ++stats_.inflight;
  ++stats_.admitted;
  return OkStatus();
}

void ConcurrencyLimiter::Release() {
  {
    std::lock_guard lock(mu_);
    if (stats_.inflight > 0) --stats_.inflight;
  }
  cv_.notify_one();
}

ConcurrencyLimiter::Stats ConcurrencyLimiter::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void ConcurrencyLimiter::NoteShed(bool timeout) {
  ++(timeout ? stats_.shed_queue_timeout : stats_.shed_queue_full);
  ++shed_since_log_;
  auto now = Steady::now();
  if (last_log_ != Steady::time_point{} && now - last_log_ < options_.log_interval) return;
  log::Warn(kComponent, "overloaded: shedding requests",
            {{"endpoint", endpoint_},
             {"shed_since_last_log", std::to_string(shed_since_log_)},
             {"max_inflight", std::to_string(options_.max_inflight)},
             {"max_queued", std::to_string(options_.max_queued)}});
  shed_since_log_ = 0;
  last_log_ = now;
}

ScopedPermit::ScopedPermit(ConcurrencyLimiter* limiter) : limiter_(limiter) {
  if (limiter_ != nullptr) status_ = limiter_->Acquire();
}

ScopedPermit::~ScopedPermit() {
  if (limiter_ != nullptr && status_.ok()) limiter_->Release();
}

OverloadMetrics::OverloadMetrics(std::vector<const ConcurrencyLimiter*> limiters)
    : limiters_(std::move(limiters)) {}

void OverloadMetrics::Collect(std::vector<metrics::MetricFamily>* out) const {
  metrics::MetricFamily shed{"hami_scheduler_requests_shed_total",
                             "Requests refused with an overloaded answer, by endpoint and reason "
                             "(queue_full: the wait queue was full; queue_timeout: no slot in time)",
                             metrics::MetricType::kCounter, {}, {}};
  metrics::MetricFamily inflight{"hami_scheduler_requests_inflight",
                                 "Requests being served now, by endpoint",
                                 metrics::MetricType::kGauge, {}, {}};
  metrics::MetricFamily queued{"hami_scheduler_requests_queued",
                               "Requests waiting for a slot now, by endpoint",
                               metrics::MetricType::kGauge, {}, {}};
  for (const ConcurrencyLimiter* l : limiters_) {
    ConcurrencyLimiter::Stats s = l->stats();
    shed.samples.push_back({{{"endpoint", l->endpoint()}, {"reason", "queue_full"}},
                            static_cast<double>(s.shed_queue_full)});
    shed.samples.push_back({{{"endpoint", l->endpoint()}, {"reason", "queue_timeout"}},
                            static_cast<double>(s.shed_queue_timeout)});
    inflight.samples.push_back({{{"endpoint", l->endpoint()}}, static_cast<double>(s.inflight)});
    queued.samples.push_back({{{"endpoint", l->endpoint()}}, static_cast<double>(s.queued)});
  }
  out->push_back(std::move(shed));
  out->push_back(std::move(inflight));
  out->push_back(std::move(queued));
}

}  // namespace hami::schedulerd
