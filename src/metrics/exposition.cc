#include "metrics/exposition.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

namespace hami::metrics {
namespace {

bool IsNameStart(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
}
bool IsNameChar(char c, bool allow_colon) {
  return IsNameStart(c, allow_colon) || (c >= '0' && c <= '9');
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kUntyped: return "untyped";
  }
  return "untyped";
}

// Returns the sorted label set of a series with the constant labels merged in,
// or an error text if a label name is invalid or repeated.
std::string NormaliseLabels(const Labels& own, const Labels& const_labels, bool histogram,
                            Labels* out) {
  out->clear();
  std::set<std::string_view> seen;
  for (const auto& [name, value] : own) {
    if (!IsValidLabelName(name)) return "invalid label name \"" + EscapeLabelValue(name) + "\"";
    if (histogram && name == "le") return "histogram series may not carry label \"le\"";
    if (!seen.insert(name).second) return "repeated label name \"" + name + "\"";
    out->emplace_back(name, value);
  }
  for (const auto& [name, value] : const_labels) {
    if (seen.count(name) != 0) continue;
    out->emplace_back(name, value);
  }
  std::sort(out->begin(), out->end());
  return {};
}

void AppendLabels(const Labels& labels, std::string_view extra_name, std::string_view extra_value,
                  std::string* out) {
  if (labels.empty() && extra_name.empty()) return;
  out->push_back('{');
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out->push_back(',');
    first = false;
    out->append(name).append("=\"").append(EscapeLabelValue(value)).push_back('"');
  }
  if (!extra_name.empty()) {
    if (!first) out->push_back(',');
    out->append(extra_name).append("=\"").append(extra_value).push_back('"');
  }
  out->push_back('}');
}

void AppendLine(std::string_view name, std::string_view suffix, const Labels& labels,
                std::string_view extra_name, std::string_view extra_value, double value,
                std::string* out) {
  out->append(name).append(suffix);
  AppendLabels(labels, extra_name, extra_value, out);
  out->push_back(' ');
  out->append(FormatValue(value)).push_back('\n');
}

void Report(std::vector<std::string>* errors, std::string text) {
  if (errors != nullptr) errors->push_back(std::move(text));
}

}  // namespace

bool IsValidMetricName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0], true)) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return IsNameChar(c, true); });
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0], false)) return false;
  if (name.size() >= 2 && name[0] == '_' && name[1] == '_') return false;  // reserved
  return std::all_of(name.begin(), name.end(), [](char c) { return IsNameChar(c, false); });
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Whole numbers that a 64-bit integer holds exactly print without exponent.
  if (value == std::trunc(value) && std::fabs(value) < 9.0e15) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(value));
    if (ec == std::errc()) return std::string(buf, end);
  }
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

std::string Render(std::vector<MetricFamily> families, const Labels& const_labels,
                   std::vector<std::string>* errors) {
  for (const auto& [name, value] : const_labels) {
    (void)value;
    if (!IsValidLabelName(name)) {
      Report(errors, "invalid constant label name \"" + EscapeLabelValue(name) + "\"");
      return {};
    }
  }
  // Merge families of the same name (stable: first HELP/TYPE wins).
  std::map<std::string, MetricFamily> merged;
  for (auto& family : families) {
    if (!IsValidMetricName(family.name)) {
      Report(errors, "invalid metric name \"" + EscapeLabelValue(family.name) + "\"");
      continue;
    }
    auto it = merged.find(family.name);
    if (it == merged.end()) {
      merged.emplace(family.name, std::move(family));
      continue;
    }
    if (it->second.type != family.type) {
      Report(errors, "metric " + family.name + " registered with two types; second dropped");
      continue;
    }
    auto& into = it->second;
    std::move(family.samples.begin(), family.samples.end(), std::back_inserter(into.samples));
    std::move(family.histograms.begin(), family.histograms.end(),
              std::back_inserter(into.histograms));
  }

  std::string out;
  for (auto& [name, family] : merged) {
    const bool histogram = family.type == MetricType::kHistogram;
    // Normalise and sort the series; drop invalid and duplicate ones.
    std::vector<std::pair<Labels, size_t>> series;
    const size_t n = histogram ? family.histograms.size() : family.samples.size();
    for (size_t i = 0; i < n; ++i) {
      Labels labels;
      const Labels& own = histogram ? family.histograms[i].labels : family.samples[i].labels;
      std::string problem = NormaliseLabels(own, const_labels, histogram, &labels);
      if (!problem.empty()) {
        Report(errors, "metric " + name + ": " + problem);
        continue;
      }
      series.emplace_back(std::move(labels), i);
    }
    std::stable_sort(series.begin(), series.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    if (!family.help.empty()) {
      out.append("# HELP ").append(name).append(" ").append(EscapeHelp(family.help)).push_back('\n');
    }
    out.append("# TYPE ").append(name).append(" ").append(TypeName(family.type)).push_back('\n');
    const Labels* previous = nullptr;
    for (const auto& [labels, index] : series) {
      if (previous != nullptr && *previous == labels) {
        Report(errors, "metric " + name + ": duplicate series dropped");
        continue;
      }
      previous = &labels;
      if (!histogram) {
        AppendLine(name, "", labels, "", "", family.samples[index].value, &out);
        continue;
      }
      const HistogramSample& h = family.histograms[index];
      uint64_t cumulative = 0;
      double last_bound = -INFINITY;
      for (const auto& [bound, count] : h.buckets) {
        if (std::isnan(bound) || bound <= last_bound || std::isinf(bound)) continue;
        last_bound = bound;
        cumulative = std::max(cumulative, count);  // cumulative counts never decrease
        AppendLine(name, "_bucket", labels, "le", FormatValue(bound),
                   static_cast<double>(std::min(cumulative, h.count)), &out);
      }
      AppendLine(name, "_bucket", labels, "le", "+Inf", static_cast<double>(h.count), &out);
      AppendLine(name, "_sum", labels, "", "", h.sum, &out);
      AppendLine(name, "_count", labels, "", "", static_cast<double>(h.count), &out);
    }
  }
  return out;
}

}  // namespace hami::metrics
