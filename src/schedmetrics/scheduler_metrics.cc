#include "schedmetrics/scheduler_metrics.h"

#include <cmath>
#include <map>

namespace hami::schedmetrics {
namespace {

using metrics::Labels;
using metrics::MetricFamily;
using metrics::MetricType;

constexpr double kMiB = 1024.0 * 1024.0;

MetricFamily Gauge(std::string name, std::string help) {
  return MetricFamily{std::move(name), std::move(help), MetricType::kGauge, {}, {}};
}

// Latency buckets: 0.5 ms .. ~16 s.
std::vector<double> LatencyBounds() {
  return metrics::HistogramFamily::ExponentialBounds(0.0005, 2, 16);
}

}  // namespace

std::vector<MetricFamily> ClusterFamilies(const ClusterView& view) {
  auto mem_limit = Gauge("hami_gpu_memory_limit_bytes", "Device memory of a GPU, bytes.");
  auto core_limit = Gauge("hami_gpu_core_limit_ratio", "Compute of a GPU, percent.");
  auto mem_alloc = Gauge("hami_gpu_memory_allocated_bytes", "Device memory allocated on a GPU, bytes.");
  auto shared = Gauge("hami_gpu_shared_count", "Number of tasks sharing a GPU.");
  auto core_alloc = Gauge("hami_gpu_core_allocated_ratio", "Compute allocated on a GPU, percent.");
  auto overview = Gauge("hami_node_gpu_overview", "Per-GPU overview: allocated memory in bytes.");
  auto mem_ratio = Gauge("hami_node_gpu_memory_allocated_ratio",
                         "Allocated fraction of a GPU's memory (0-1).");
  auto info = Gauge("hami_device_info",
                    "One series per registered device of any vendor, with its vendor keyword and type.");
  for (const NodeView& node : view.nodes) {
    for (const DeviceView& d : node.devices) {
      const std::string index = std::to_string(d.index);
      Labels base{{"node", node.name}, {"device_uuid", d.uuid}, {"device_index", index},
                  {"device_type", d.type}};
      double total_cores = d.total_cores;
      double used_cores = d.used_cores;
      if (d.cores_are_units) {
        used_cores = d.total_cores > 0 ? std::ceil(100.0 * d.used_cores / d.total_cores) : 0;
        total_cores = 100;
      }
      mem_limit.samples.push_back({base, static_cast<double>(d.total_mem_mib) * kMiB});
      core_limit.samples.push_back({base, total_cores});
      Labels with_cores = base;
      with_cores.emplace_back("device_cores", std::to_string(d.used_cores));
      mem_alloc.samples.push_back({with_cores, static_cast<double>(d.used_mem_mib) * kMiB});
      shared.samples.push_back({base, static_cast<double>(d.used)});
      core_alloc.samples.push_back({base, used_cores});
      Labels ov = with_cores;
      ov.emplace_back("device_memory_limit", std::to_string(d.total_mem_mib));
      overview.samples.push_back({ov, static_cast<double>(d.used_mem_mib) * kMiB});
      double ratio = d.total_mem_mib > 0
                         ? static_cast<double>(d.used_mem_mib) / static_cast<double>(d.total_mem_mib)
                         : 0;
      mem_ratio.samples.push_back({base, ratio});
      info.samples.push_back({{{"node", node.name}, {"device_uuid", d.uuid}, {"device_index", index},
                               {"device_type", d.type}, {"device_vendor", d.vendor}},
                              1});
    }
  }
  auto pod_mem = Gauge("hami_vgpu_memory_allocated_bytes", "Device memory allocated to a pod, bytes.");
  auto pod_cores = Gauge("hami_vgpu_core_allocated_ratio", "Compute allocated to a pod, percent.");
  // Sum per (pod, container index, device): a pod may list a device twice.
  std::map<Labels, std::pair<double, double>> per_pod;
  for (const PodDeviceView& p : view.pods) {
    Labels l{{"namespace", p.ns}, {"node", p.node}, {"pod", p.pod},
             {"container_index", std::to_string(p.container_index)}, {"device_uuid", p.uuid}};
    double cores = p.used_cores;
    if (p.cores_are_units && p.device_total_cores > 0) {
      cores = std::ceil(100.0 * p.used_cores / p.device_total_cores);
    }
    auto& sums = per_pod[l];
    sums.first += static_cast<double>(p.used_mem_mib) * kMiB;
    sums.second += cores;
  }
  for (const auto& [labels, sums] : per_pod) {
    pod_mem.samples.push_back({labels, sums.first});
    pod_cores.samples.push_back({labels, sums.second});
  }
  auto quota_used = Gauge("hami_resource_quota_used", "Namespace quota in use.");
  auto quota_limit = Gauge("hami_resource_quota_limit", "Namespace quota limit.");
  for (const QuotaView& q : view.quotas) {
    quota_used.samples.push_back(
        {{{"namespace", q.ns}, {"quota_name", q.quota_name}, {"limit", q.resource}}, q.used});
    if (q.limit) {
      quota_limit.samples.push_back(
          {{{"namespace", q.ns}, {"quota_name", q.quota_name}, {"limit", q.resource}}, *q.limit});
    }
  }
  std::vector<MetricFamily> out;
  for (MetricFamily* f : {&mem_limit, &core_limit, &mem_alloc, &shared, &core_alloc, &overview,
                          &mem_ratio, &info, &pod_mem, &pod_cores, &quota_used, &quota_limit}) {
    out.push_back(std::move(*f));
  }
  return out;
}

SchedulerMetrics::SchedulerMetrics(ViewFn view, std::string version, std::string revision)
    : view_(std::move(view)),
      version_(std::move(version)),
      revision_(std::move(revision)),
      filter_latency_("hami_scheduler_filter_duration_seconds",
                      "Time to answer a kube-scheduler filter request.", {"result"},
                      LatencyBounds()),
      bind_latency_("hami_scheduler_bind_duration_seconds",
                    "Time to answer a kube-scheduler bind request.", {"result"}, LatencyBounds()),
      webhook_latency_("hami_scheduler_webhook_duration_seconds",
                       "Time to answer an admission review.", {"result"}, LatencyBounds()),
      filter_errors_("hami_scheduler_filter_errors_total", "Filter requests that failed, by reason.",
                     {"reason"}),
      bind_errors_("hami_scheduler_bind_errors_total", "Bind requests that failed, by reason.",
                   {"reason"}) {}

void SchedulerMetrics::ObserveFilter(std::chrono::duration<double> latency, std::string_view result) {
  filter_latency_.Observe({std::string(result)}, latency.count());
}
void SchedulerMetrics::ObserveBind(std::chrono::duration<double> latency, std::string_view result) {
  bind_latency_.Observe({std::string(result)}, latency.count());
}
void SchedulerMetrics::ObserveWebhook(std::chrono::duration<double> latency,
                                      std::string_view result) {
  webhook_latency_.Observe({std::string(result)}, latency.count());
}
void SchedulerMetrics::FilterError(std::string_view reason) {
  filter_errors_.Increment({std::string(reason)});
}
void SchedulerMetrics::BindError(std::string_view reason) {
  bind_errors_.Increment({std::string(reason)});
}

void SchedulerMetrics::Collect(std::vector<MetricFamily>* out) const {
  size_t first = out->size();
  if (view_) {
    for (auto& f : ClusterFamilies(view_())) out->push_back(std::move(f));
  }
  filter_latency_.Collect(out);
  bind_latency_.Collect(out);
  webhook_latency_.Collect(out);
  filter_errors_.Collect(out);
  bind_errors_.Collect(out);
  for (size_t i = first; i < out->size(); ++i) {
    for (auto& s : (*out)[i].samples) s.labels.emplace_back("zone", "vGPU");
    for (auto& h : (*out)[i].histograms) h.labels.emplace_back("zone", "vGPU");
  }
  out->push_back(MetricFamily{"hami_build_info", "Build information of hami-scheduler.",
                              MetricType::kGauge,
                              {{{{"version", version_}, {"revision", revision_},
                                 {"build_date", __DATE__}, {"go_version", ""},
                                 {"compiler", "c++"}, {"platform", "linux"}},
                                1}},
                              {}});
}

}  // namespace hami::schedmetrics
