// Prometheus text exposition (format 0.0.4): a plain data model of metric
// families and a renderer that writes HELP/TYPE lines, escapes label values and
// help text, renders histograms as _bucket/_sum/_count with a +Inf bucket, adds
// constant labels, and orders families, series and labels stably (by name).
// Invalid names and duplicate series are skipped and reported, never rendered.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hami::metrics {

enum class MetricType { kCounter, kGauge, kHistogram, kUntyped };

// Label name/value pairs. Order does not matter: the renderer sorts by name.
using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  Labels labels;
  double value = 0;
};

// One histogram series. `buckets` holds (upper bound, cumulative count) for the
// finite bounds in increasing order; the +Inf bucket is `count`.
struct HistogramSample {
  Labels labels;
  std::vector<std::pair<double, uint64_t>> buckets;
  double sum = 0;
  uint64_t count = 0;
};

struct MetricFamily {
  std::string name;
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<Sample> samples;                // counter, gauge, untyped
  std::vector<HistogramSample> histograms;    // histogram
};

bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

// Escapes a label value: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);
// Escapes HELP text: backslash and newline.
std::string EscapeHelp(std::string_view help);
// Formats a sample value: integers without exponent where exact, NaN, +Inf, -Inf,
// otherwise the shortest round-trip form.
std::string FormatValue(double value);

// Renders `families` (merged by name if repeated; the first HELP/TYPE wins) with
// `const_labels` added to every series (a series' own label of the same name
// wins). Problems (bad names, type clashes, duplicate series) are appended to
// `errors` when given; the offending family or series is left out.
std::string Render(std::vector<MetricFamily> families, const Labels& const_labels = {},
                   std::vector<std::string>* errors = nullptr);

// The Content-Type of the rendered text.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace hami::metrics
