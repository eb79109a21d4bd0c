// Hammers Filter/Unreserve/UpsertPod from many threads, then checks that no
// device is over-committed and that usage equals the sum of live reservations.
#include <atomic>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "scheduler/scheduler.h"
#include "scheduler/testing/fixtures.h"

namespace hami::scheduler {
namespace {

using testing::Gpu;
using testing::MakePod;

TEST(Concurrency, NoOverCommit) {
  FakeClock clock;
  Scheduler s(vendors::MakeVendors({}), {}, clock);
  std::vector<std::string> names;
  for (int n = 0; n < 16; ++n) {
    names.push_back("n" + std::to_string(n));
    testing::GpuSpec spec;
    spec.split = 4;
    spec.memory_mib = 10000;
    ASSERT_TRUE(s.UpsertNode(testing::MakeUniformNode(names.back(), 4, spec)).ok());
  }
  constexpr int kThreads = 8, kPodsPerThread = 300;
  std::atomic<int> placed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPodsPerThread; ++i) {
        std::string uid = "t" + std::to_string(t) + "-" + std::to_string(i);
        Pod p = MakePod(uid, {Gpu{1 + i % 2, 1000 + 500 * (i % 5), 10 * (i % 4)}});
        if (i % 3 == 0) p.annotations["hami.io/node-scheduler-policy"] = "spread";
        auto r = s.Filter(p, names);
        ASSERT_TRUE(r.ok());
        if (!r->decision) continue;
        placed++;
        if (i % 4 == 0) {
          s.Unreserve(uid);  // e.g. the pod patch failed
        } else if (i % 4 == 1) {
          for (auto& [k, v] : r->decision->annotations) p.annotations[k] = v;
          (void)s.UpsertPod(p);  // informer echo of our own patch
        } else if (i % 7 == 2) {
          p.phase = "Succeeded";
          (void)s.UpsertPod(p);
        }
        (void)s.Snapshot().nodes.size();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_GT(placed.load(), 100);
  auto snap = s.Snapshot();
  std::map<std::string, DeviceSnapshot> expected;
  for (const auto& n : snap.nodes) {
    for (const auto& d : n.devices) {
      EXPECT_LE(d.used, d.count) << d.id;
      EXPECT_LE(d.used_mem_mib, d.total_mem_mib) << d.id;
      EXPECT_LE(d.used_cores, d.total_cores) << d.id;
      EXPECT_GE(d.used, 0);
      auto& e = expected[d.id];
      e.count = d.count;
    }
  }
  for (const auto& p : snap.pods) {
    for (const auto& [vendor, containers] : p.devices) {
      for (const auto& c : containers) {
        for (const auto& d : c) {
          expected[d.uuid].used += 1;
          expected[d.uuid].used_mem_mib += d.used_mem_mib;
          expected[d.uuid].used_cores += d.used_cores;
        }
      }
    }
  }
  for (const auto& n : snap.nodes) {
    for (const auto& d : n.devices) {
      EXPECT_EQ(d.used, expected[d.id].used) << d.id;
      EXPECT_EQ(d.used_mem_mib, expected[d.id].used_mem_mib) << d.id;
      EXPECT_EQ(d.used_cores, expected[d.id].used_cores) << d.id;
    }
  }
}

}  // namespace
}  // namespace hami::scheduler

namespace hami::scheduler {
namespace {

// The multi-threaded node fit (filter_threads > 1) and concurrent filters
// together: still no over-commit, every decision a real fit.
TEST(Concurrency, ParallelNodeFit) {
  FakeClock clock;
  SchedulerOptions opts;
  opts.filter_threads = 4;
  Scheduler s(vendors::MakeVendors({}), opts, clock);
  std::vector<std::string> names;
  for (int n = 0; n < 300; ++n) {
    names.push_back("n" + std::to_string(n));
    ASSERT_TRUE(s.UpsertNode(testing::MakeUniformNode(names.back(), 1)).ok());
  }
  std::vector<std::thread> threads;
  std::atomic<int> placed{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        auto r = s.Filter(MakePod("p" + std::to_string(t) + "-" + std::to_string(i), {Gpu{1, 0, 100}}), names);
        if (r.ok() && r->decision) placed++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(placed.load(), 300);  // one exclusive pod per GPU, 300 GPUs
  for (const auto& n : s.Snapshot().nodes) {
    EXPECT_LE(n.devices[0].used, 1) << n.name;
  }
}

}  // namespace
}  // namespace hami::scheduler
