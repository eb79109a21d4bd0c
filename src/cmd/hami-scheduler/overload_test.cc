#include "cmd/hami-scheduler/overload.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace hami::schedulerd {
namespace {

using namespace std::chrono_literals;

LimiterOptions Opts(int inflight, int queued, std::chrono::milliseconds timeout) {
  LimiterOptions o;
  o.max_inflight = inflight;
  o.max_queued = queued;
  o.queue_timeout = timeout;
  return o;
}

TEST(ConcurrencyLimiterTest, AdmitsUpToTheLimitThenShedsWhenNoQueue) {
  ConcurrencyLimiter l("filter", Opts(2, 0, 1000ms));
  EXPECT_TRUE(l.Acquire().ok());
  EXPECT_TRUE(l.Acquire().ok());
  auto start = std::chrono::steady_clock::now();
  Status third = l.Acquire();
  EXPECT_EQ(third.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(third.message().find("overloaded"), std::string::npos);
  EXPECT_NE(third.message().find("filter"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 100ms);  // at once, no wait
  l.Release();
  EXPECT_TRUE(l.Acquire().ok());
  auto s = l.stats();
  EXPECT_EQ(s.inflight, 2);
  EXPECT_EQ(s.admitted, 3u);
  EXPECT_EQ(s.shed_queue_full, 1u);
}

TEST(ConcurrencyLimiterTest, QueuedRequestGetsTheReleasedSlot) {
  ConcurrencyLimiter l("bind", Opts(1, 1, 5000ms));
  ASSERT_TRUE(l.Acquire().ok());
  std::atomic<bool> admitted{false};
  std::thread waiter([&] {
    if (l.Acquire().ok()) admitted = true;
  });
  while (l.stats().queued == 0) std::this_thread::sleep_for(1ms);
  // The queue (1) is full now: the next caller is refused at once.
  EXPECT_EQ(l.Acquire().code(), StatusCode::kResourceExhausted);
  EXPECT_FALSE(admitted.load());
  l.Release();
  waiter.join();
  EXPECT_TRUE(admitted.load());
  EXPECT_EQ(l.stats().inflight, 1);
  EXPECT_EQ(l.stats().queued, 0);
}

TEST(ConcurrencyLimiterTest, WaitIsBoundedByTheQueueTimeout) {
  ConcurrencyLimiter l("webhook", Opts(1, 4, 100ms));
  ASSERT_TRUE(l.Acquire().ok());
  auto start = std::chrono::steady_clock::now();
  Status s = l.Acquire();
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_GE(waited, 90ms);
  EXPECT_LT(waited, 2000ms);
  EXPECT_EQ(l.stats().shed_queue_timeout, 1u);
  EXPECT_EQ(l.stats().queued, 0);
}

TEST(ConcurrencyLimiterTest, NeverMoreThanTheLimitRunUnderContention) {
  ConcurrencyLimiter l("filter", Opts(3, 8, 2000ms));
  std::atomic<int> running{0}, peak{0}, served{0}, shed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        ScopedPermit p(&l);
        if (!p.status().ok()) {
          ++shed;
          continue;
        }
        int now = ++running;
        int prev = peak.load();
        while (now > prev && !peak.compare_exchange_weak(prev, now)) {
        }
        std::this_thread::sleep_for(100us);
        --running;
        ++served;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 3);
  EXPECT_EQ(served + shed, 16 * 50);
  auto s = l.stats();
  EXPECT_EQ(s.inflight, 0);
  EXPECT_EQ(s.queued, 0);
  EXPECT_EQ(s.admitted, static_cast<uint64_t>(served.load()));
  EXPECT_EQ(s.shed_queue_full + s.shed_queue_timeout, static_cast<uint64_t>(shed.load()));
}

TEST(ConcurrencyLimiterTest, NullLimiterAdmitsEverything) {
  ScopedPermit p(nullptr);
  EXPECT_TRUE(p.status().ok());
}

TEST(OverloadMetricsTest, ExposesShedCountsPerEndpointAndReason) {
  ConcurrencyLimiter filter("filter", Opts(1, 0, 0ms));
  ConcurrencyLimiter webhook("webhook", Opts(1, 0, 0ms));
  ASSERT_TRUE(filter.Acquire().ok());
  EXPECT_FALSE(filter.Acquire().ok());
  EXPECT_FALSE(filter.Acquire().ok());
  OverloadMetrics m({&filter, &webhook});
  std::vector<metrics::MetricFamily> out;
  m.Collect(&out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].name, "hami_scheduler_requests_shed_total");
  double filter_full = -1, webhook_full = -1;
  for (const auto& s : out[0].samples) {
    metrics::Labels want_f = {{"endpoint", "filter"}, {"reason", "queue_full"}};
    metrics::Labels want_w = {{"endpoint", "webhook"}, {"reason", "queue_full"}};
    if (s.labels == want_f) filter_full = s.value;
    if (s.labels == want_w) webhook_full = s.value;
  }
  EXPECT_EQ(filter_full, 2);
  EXPECT_EQ(webhook_full, 0);
  EXPECT_EQ(out[1].name, "hami_scheduler_requests_inflight");
  filter.Release();
}

}  // namespace
}  // namespace hami::schedulerd
