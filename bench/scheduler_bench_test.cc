// Short mode of the scheduler benchmark (label bench): checks the driver runs
// and reports sane figures; never asserts on time.
#include "bench/scheduler_bench.h"

#include <gtest/gtest.h>

#include <sstream>

namespace hami::bench {
namespace {

TEST(SchedulerBench, ShortRun) {
  SchedulerBenchOptions o;
  o.nodes = 100;
  o.occupancy_percent = 50;
  o.filter_samples = 50;
  o.reserve_pods = 200;
  o.threads = 2;
  auto r = RunSchedulerBench(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->existing_pods, 1000);
  EXPECT_EQ(r->reserved, 200);
  EXPECT_GT(r->filter_p99_ms, 0);
  EXPECT_GT(r->peak_rss_mib, 0);
  std::ostringstream out;
  PrintSchedulerBench(o, *r, out);
  EXPECT_NE(out.str().find("filter_p99_ms: "), std::string::npos);
  std::cout << out.str();
}

TEST(SchedulerBench, RejectsBadOptions) {
  SchedulerBenchOptions o;
  o.nodes = 0;
  EXPECT_FALSE(RunSchedulerBench(o).ok());
  o.nodes = 1;
  o.occupancy_percent = 101;
  EXPECT_FALSE(RunSchedulerBench(o).ok());
}

}  // namespace
}  // namespace hami::bench
