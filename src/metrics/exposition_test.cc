#include "metrics/exposition.h"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/testing/promtool.h"

namespace hami::metrics {
namespace {

using ::testing::HasSubstr;

TEST(ExpositionTest, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeHelp("x \"q\" \\ \n y"), "x \"q\" \\\\ \\n y");
}

TEST(ExpositionTest, FormatsValues) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(85899345920.0), "85899345920");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(1e300), "1e+300");
  EXPECT_EQ(FormatValue(NAN), "NaN");
  EXPECT_EQ(FormatValue(INFINITY), "+Inf");
  EXPECT_EQ(FormatValue(-INFINITY), "-Inf");
}

TEST(ExpositionTest, ValidatesNames) {
  EXPECT_TRUE(IsValidMetricName("hami_vgpu_memory_used_bytes"));
  EXPECT_TRUE(IsValidMetricName("a:b_c"));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("device_uuid"));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
}

TEST(ExpositionTest, RendersGaugeWithConstLabelsSorted) {
  MetricFamily g{"hami_test_gauge", "A gauge.", MetricType::kGauge, {}, {}};
  g.samples.push_back({{{"pod", "p2"}, {"namespace", "ns"}}, 2});
  g.samples.push_back({{{"pod", "p1"}, {"namespace", "ns"}}, 1});
  std::string text = Render({g}, {{"zone", "vGPU"}});
  EXPECT_EQ(text,
            "# HELP hami_test_gauge A gauge.\n"
            "# TYPE hami_test_gauge gauge\n"
            "hami_test_gauge{namespace=\"ns\",pod=\"p1\",zone=\"vGPU\"} 1\n"
            "hami_test_gauge{namespace=\"ns\",pod=\"p2\",zone=\"vGPU\"} 2\n");
}

TEST(ExpositionTest, OwnLabelWinsOverConstLabel) {
  MetricFamily g{"m", "", MetricType::kGauge, {{{{"zone", "mine"}}, 1}}, {}};
  EXPECT_EQ(Render({g}, {{"zone", "vGPU"}}), "# TYPE m gauge\nm{zone=\"mine\"} 1\n");
}

TEST(ExpositionTest, FamiliesSortedAndMerged) {
  MetricFamily b{"b_total", "B.", MetricType::kCounter, {{{{"x", "1"}}, 1}}, {}};
  MetricFamily a{"a", "A.", MetricType::kGauge, {{{}, 5}}, {}};
  MetricFamily b2{"b_total", "ignored", MetricType::kCounter, {{{{"x", "0"}}, 3}}, {}};
  std::string text = Render({b, a, b2});
  EXPECT_EQ(text,
            "# HELP a A.\n# TYPE a gauge\na 5\n"
            "# HELP b_total B.\n# TYPE b_total counter\nb_total{x=\"0\"} 3\nb_total{x=\"1\"} 1\n");
}

TEST(ExpositionTest, RendersHistogram) {
  MetricFamily h{"lat_seconds", "Latency.", MetricType::kHistogram, {}, {}};
  h.histograms.push_back({{{"op", "filter"}}, {{0.1, 2}, {1, 5}}, 3.5, 7});
  std::string text = Render({h}, {{"zone", "vGPU"}});
  EXPECT_EQ(text,
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{op=\"filter\",zone=\"vGPU\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{op=\"filter\",zone=\"vGPU\",le=\"1\"} 5\n"
            "lat_seconds_bucket{op=\"filter\",zone=\"vGPU\",le=\"+Inf\"} 7\n"
            "lat_seconds_sum{op=\"filter\",zone=\"vGPU\"} 3.5\n"
            "lat_seconds_count{op=\"filter\",zone=\"vGPU\"} 7\n");
}

TEST(ExpositionTest, SkipsInvalidAndDuplicates) {
  std::vector<std::string> errors;
  MetricFamily bad{"bad-name", "", MetricType::kGauge, {{{}, 1}}, {}};
  MetricFamily g{"g", "", MetricType::kGauge, {}, {}};
  g.samples.push_back({{{"a", "1"}}, 1});
  g.samples.push_back({{{"a", "1"}}, 2});          // duplicate
  g.samples.push_back({{{"bad-label", "1"}}, 3});  // invalid label
  g.samples.push_back({{{"a", "1"}, {"a", "2"}}, 4});  // repeated label
  MetricFamily clash{"g", "", MetricType::kCounter, {{{}, 1}}, {}};
  MetricFamily h{"h", "", MetricType::kHistogram, {}, {}};
  h.histograms.push_back({{{"le", "x"}}, {}, 0, 0});
  std::string text = Render({bad, g, clash, h}, {}, &errors);
  EXPECT_EQ(text, "# TYPE g gauge\ng{a=\"1\"} 1\n# TYPE h histogram\n");
  EXPECT_EQ(errors.size(), 6u);
}

TEST(ExpositionTest, PromtoolAcceptsOutput) {
  MetricFamily g{"hami_vgpu_memory_used_bytes", "Memory \"used\" \\ by\na container.",
                 MetricType::kGauge, {}, {}};
  g.samples.push_back({{{"pod", "we\"ird\\na\nme"}, {"container", "c"}}, 1024});
  MetricFamily c{"hami_region_skipped_total", "Regions skipped.", MetricType::kCounter,
                 {{{{"reason", "truncated"}}, 3}}, {}};
  MetricFamily h{"hami_latency_seconds", "Latency.", MetricType::kHistogram, {}, {}};
  h.histograms.push_back({{{"op", "bind"}}, {{0.005, 1}, {0.01, 1}, {2.5, 4}}, 1.25, 4});
  std::string text = Render({g, c, h}, {{"zone", "vGPU"}});
  auto result = testing::PromtoolCheck(text);
  if (!result) GTEST_SKIP() << "promtool not installed";
  EXPECT_EQ(result->exit_code, 0) << result->output << "\n" << text;
}

}  // namespace
}  // namespace hami::metrics
