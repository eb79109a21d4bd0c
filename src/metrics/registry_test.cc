#include "metrics/registry.h"

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/testing/promtool.h"

namespace hami::metrics {
namespace {

using ::testing::HasSubstr;

TEST(RegistryTest, CountersGaugesHistograms) {
  Registry registry(Labels{{"zone", "vGPU"}});
  auto* errors = registry.AddCounter("hami_errors_total", "Errors.", {"stage"});
  auto* gauge = registry.AddGauge("hami_things", "Things.", {});
  auto* hist = registry.AddHistogram("hami_op_seconds", "Op time.", {"op"}, {1, 0.1, 0.1, 10});
  errors->Increment({"filter"});
  errors->Increment({"filter"}, 2);
  errors->Increment({"filter"}, -1);        // ignored
  errors->Increment({"a", "b"});            // wrong arity, ignored
  EXPECT_EQ(errors->Value({"filter"}), 3);
  EXPECT_EQ(errors->dropped_updates(), 2u);
  gauge->Set({}, 7);
  gauge->Add({}, -2);
  EXPECT_EQ(gauge->Value({}), 5);
  hist->Observe({"bind"}, 0.05);
  hist->Observe({"bind"}, 0.1);   // le is inclusive
  hist->Observe({"bind"}, 5);
  hist->Observe({"bind"}, 50);
  EXPECT_EQ(hist->Count({"bind"}), 4u);
  std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("hami_errors_total{stage=\"filter\",zone=\"vGPU\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("hami_things{zone=\"vGPU\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("hami_op_seconds_bucket{op=\"bind\",zone=\"vGPU\",le=\"0.1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hami_op_seconds_bucket{op=\"bind\",zone=\"vGPU\",le=\"1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hami_op_seconds_bucket{op=\"bind\",zone=\"vGPU\",le=\"10\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("hami_op_seconds_bucket{op=\"bind\",zone=\"vGPU\",le=\"+Inf\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("hami_op_seconds_sum{op=\"bind\",zone=\"vGPU\"} 55.15\n"));
  EXPECT_THAT(text, HasSubstr("hami_op_seconds_count{op=\"bind\",zone=\"vGPU\"} 4\n"));
  auto result = testing::PromtoolCheck(text);
  if (result) {
    EXPECT_EQ(result->exit_code, 0) << result->output << text;
  }
}

class FixedCollector : public Collector {
 public:
  void Collect(std::vector<MetricFamily>* out) const override {
    out->push_back({"hami_fixed", "Fixed.", MetricType::kGauge, {{{{"k", "v"}}, 1}}, {}});
  }
};

TEST(RegistryTest, CollectorsAddedAndRemoved) {
  Registry registry;
  FixedCollector fixed;
  registry.AddCollector(&fixed);
  EXPECT_THAT(registry.Render(), HasSubstr("hami_fixed{k=\"v\"} 1\n"));
  registry.RemoveCollector(&fixed);
  EXPECT_EQ(registry.Render(), "");
}

TEST(RegistryTest, ConcurrentUpdatesAreCounted) {
  Registry registry;
  auto* c = registry.AddCounter("c_total", "", {"t"});
  auto* h = registry.AddHistogram("h", "", {}, HistogramFamily::ExponentialBounds(0.001, 2, 10));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        c->Increment({"x"});
        h->Observe({}, 0.002 * i);
        if (i % 100 == 0) (void)registry.Render();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c->Value({"x"}), 4000);
  EXPECT_EQ(h->Count({}), 4000u);
}

}  // namespace
}  // namespace hami::metrics
