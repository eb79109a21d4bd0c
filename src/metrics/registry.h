// Metric instruments and a registry that gathers them for exposition.
// CounterFamily / GaugeFamily / HistogramFamily hold labelled series and are
// thread-safe; Collector lets a component produce families on each scrape
// (e.g. from a snapshot). A Registry owns its instruments, does not own
// collectors, and renders everything with its constant labels.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/exposition.h"

namespace hami::metrics {

// Produces metric families at scrape time. Must be thread-safe.
class Collector {
 public:
  virtual ~Collector() = default;
  virtual void Collect(std::vector<MetricFamily>* out) const = 0;
};

// Labelled series of one metric name. Label values are given in the order of
// the label names passed at creation; a call with the wrong number of values is
// ignored (counted in dropped_updates()).
class CounterFamily final : public Collector {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
  // Adds `delta` (negative deltas are ignored: counters only go up).
  void Increment(const std::vector<std::string>& label_values, double delta = 1);
  double Value(const std::vector<std::string>& label_values) const;
  uint64_t dropped_updates() const;
  void Collect(std::vector<MetricFamily>* out) const override;

 private:
  std::string name_, help_;
  std::vector<std::string> label_names_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, double> values_;
  uint64_t dropped_ = 0;
};

class GaugeFamily final : public Collector {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);
  void Set(const std::vector<std::string>& label_values, double value);
  void Add(const std::vector<std::string>& label_values, double delta);
  void Remove(const std::vector<std::string>& label_values);
  void Clear();
  double Value(const std::vector<std::string>& label_values) const;
  void Collect(std::vector<MetricFamily>* out) const override;

 private:
  std::string name_, help_;
  std::vector<std::string> label_names_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, double> values_;
};

class HistogramFamily final : public Collector {
 public:
  // `bounds` are the finite upper bounds; they are sorted and de-duplicated.
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds);
  void Observe(const std::vector<std::string>& label_values, double value);
  // Count of observations of one series (0 if unknown).
  uint64_t Count(const std::vector<std::string>& label_values) const;
  void Collect(std::vector<MetricFamily>* out) const override;

  // Exponential bounds start, start*factor, ... (count values).
  static std::vector<double> ExponentialBounds(double start, double factor, int count);

 private:
  struct Series {
    std::vector<uint64_t> counts;  // per bucket, not cumulative; last is +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  std::string name_, help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, Series> series_;
};

class Registry {
 public:
  explicit Registry(Labels const_labels = {}) : const_labels_(std::move(const_labels)) {}
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  CounterFamily* AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names);
  GaugeFamily* AddGauge(std::string name, std::string help, std::vector<std::string> label_names);
  HistogramFamily* AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names, std::vector<double> bounds);
  // `collector` must outlive the registry (or be removed first).
  void AddCollector(const Collector* collector);
  void RemoveCollector(const Collector* collector);

  std::vector<MetricFamily> Gather() const;
  // Gathers and renders with the constant labels; problems go to `errors`.
  std::string Render(std::vector<std::string>* errors = nullptr) const;

 private:
  Labels const_labels_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Collector>> owned_;
  std::vector<const Collector*> collectors_;
};

}  // namespace hami::metrics
