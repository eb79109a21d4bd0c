#include "metrics/registry.h"

#include <algorithm>
#include <cmath>

namespace hami::metrics {
namespace {

Labels Zip(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  Labels labels;
  labels.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i) labels.emplace_back(names[i], values[i]);
  return labels;
}

}  // namespace

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void CounterFamily::Increment(const std::vector<std::string>& label_values, double delta) {
  std::lock_guard<std::mutex> lock(mu_);
  if (label_values.size() != label_names_.size() || !(delta >= 0)) {
    ++dropped_;
    return;
  }
  values_[label_values] += delta;
}

double CounterFamily::Value(const std::vector<std::string>& label_values) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = values_.find(label_values);
  return it == values_.end() ? 0 : it->second;
}

uint64_t CounterFamily::dropped_updates() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

void CounterFamily::Collect(std::vector<MetricFamily>* out) const {
  MetricFamily family{name_, help_, MetricType::kCounter, {}, {}};
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, value] : values_) family.samples.push_back({Zip(label_names_, values), value});
  out->push_back(std::move(family));
}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void GaugeFamily::Set(const std::vector<std::string>& label_values, double value) {
  if (label_values.size() != label_names_.size()) return;
  std::lock_guard<std::mutex> lock(mu_);
  values_[label_values] = value;
}

void GaugeFamily::Add(const std::vector<std::string>& label_values, double delta) {
  if (label_values.size() != label_names_.size()) return;
  std::lock_guard<std::mutex> lock(mu_);
  values_[label_values] += delta;
}

void GaugeFamily::Remove(const std::vector<std::string>& label_values) {
  std::lock_guard<std::mutex> lock(mu_);
  values_.erase(label_values);
}

void GaugeFamily::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  values_.clear();
}

double GaugeFamily::Value(const std::vector<std::string>& label_values) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = values_.find(label_values);
  return it == values_.end() ? 0 : it->second;
}

void GaugeFamily::Collect(std::vector<MetricFamily>* out) const {
  MetricFamily family{name_, help_, MetricType::kGauge, {}, {}};
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, value] : values_) family.samples.push_back({Zip(label_names_, values), value});
  out->push_back(std::move(family));
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names, std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {
  for (double b : bounds) {
    if (std::isfinite(b)) bounds_.push_back(b);
  }
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
}

void HistogramFamily::Observe(const std::vector<std::string>& label_values, double value) {
  if (label_values.size() != label_names_.size() || std::isnan(value)) return;
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = series_[label_values];
  if (s.counts.empty()) s.counts.assign(bounds_.size() + 1, 0);
  size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++s.counts[bucket];
  s.sum += value;
  ++s.count;
}

uint64_t HistogramFamily::Count(const std::vector<std::string>& label_values) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(label_values);
  return it == series_.end() ? 0 : it->second.count;
}

void HistogramFamily::Collect(std::vector<MetricFamily>* out) const {
  MetricFamily family{name_, help_, MetricType::kHistogram, {}, {}};
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, s] : series_) {
    HistogramSample h;
    h.labels = Zip(label_names_, values);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += s.counts[i];
      h.buckets.emplace_back(bounds_[i], cumulative);
    }
    h.sum = s.sum;
    h.count = s.count;
    family.histograms.push_back(std::move(h));
  }
  out->push_back(std::move(family));
}

std::vector<double> HistogramFamily::ExponentialBounds(double start, double factor, int count) {
  std::vector<double> bounds;
  double b = start;
  for (int i = 0; i < count; ++i, b *= factor) bounds.push_back(b);
  return bounds;
}

CounterFamily* Registry::AddCounter(std::string name, std::string help,
                                    std::vector<std::string> label_names) {
  auto owned = std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(label_names));
  CounterFamily* raw = owned.get();
  std::lock_guard<std::mutex> lock(mu_);
  owned_.push_back(std::move(owned));
  collectors_.push_back(raw);
  return raw;
}

GaugeFamily* Registry::AddGauge(std::string name, std::string help,
                                std::vector<std::string> label_names) {
  auto owned = std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(label_names));
  GaugeFamily* raw = owned.get();
  std::lock_guard<std::mutex> lock(mu_);
  owned_.push_back(std::move(owned));
  collectors_.push_back(raw);
  return raw;
}

HistogramFamily* Registry::AddHistogram(std::string name, std::string help,
                                        std::vector<std::string> label_names,
                                        std::vector<double> bounds) {
  auto owned = std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                                 std::move(label_names), std::move(bounds));
  HistogramFamily* raw = owned.get();
  std::lock_guard<std::mutex> lock(mu_);
  owned_.push_back(std::move(owned));
  collectors_.push_back(raw);
  return raw;
}

void Registry::AddCollector(const Collector* collector) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(collector);
}

void Registry::RemoveCollector(const Collector* collector) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.erase(std::remove(collectors_.begin(), collectors_.end(), collector),
                    collectors_.end());
}

std::vector<MetricFamily> Registry::Gather() const {
  std::vector<MetricFamily> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const Collector* c : collectors_) c->Collect(&out);
  return out;
}

std::string Registry::Render(std::vector<std::string>* errors) const {
  return metrics::Render(Gather(), const_labels_, errors);
}

}  // namespace hami::metrics
