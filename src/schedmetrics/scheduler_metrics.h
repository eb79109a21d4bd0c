// Scheduler metrics (HAMi's port-9395 set, constant label zone="vGPU"):
// per node and device allocation, per pod allocation and namespace quota,
// rendered from a read-only view of the scheduling core's state on every
// scrape; plus a recorder that hami-scheduler calls for filter/bind latency
// histograms and error counters. The view is filled from
// scheduler::ClusterSnapshot by snapshot_view.h. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/registry.h"

namespace hami::schedmetrics {

struct DeviceView {
  std::string uuid;
  int32_t index = 0;
  std::string type;    // e.g. "NVIDIA-A100-SXM4-80GB" or model name
  std::string vendor;  // vendor keyword, e.g. "NVIDIA", "AMD"
  int32_t count = 0, used = 0;  // share slots
  int64_t total_mem_mib = 0, used_mem_mib = 0;
  int32_t total_cores = 0, used_cores = 0;
  // The vendor registers compute units, not percent (AMD): reported as a
  // percentage of the device's total (VendorNames::cores_are_units).
  bool cores_are_units = false;
};

struct NodeView {
  std::string name;
  std::vector<DeviceView> devices;
};

// One device allocated to one container of a pod.
struct PodDeviceView {
  std::string ns, pod, node;
  int32_t container_index = 0;
  std::string uuid;
  std::string vendor;
  int64_t used_mem_mib = 0;
  int32_t used_cores = 0;
  int32_t device_total_cores = 0;  // for unit normalisation (0 = unknown)
  bool cores_are_units = false;     // as DeviceView
};

struct QuotaView {
  std::string ns, quota_name;
  std::string resource;  // the `limit` label, e.g. "limits.nvidia.com/gpumem"
  double used = 0;
  std::optional<double> limit;
};

struct ClusterView {
  std::vector<NodeView> nodes;
  std::vector<PodDeviceView> pods;
  std::vector<QuotaView> quotas;
};

// The allocation families of reference 9.4 (without the zone label).
std::vector<metrics::MetricFamily> ClusterFamilies(const ClusterView& view);

class SchedulerMetrics final : public metrics::Collector {
 public:
  using ViewFn = std::function<ClusterView()>;
  explicit SchedulerMetrics(ViewFn view, std::string version = "0.1.0",
                            std::string revision = "unknown");

  // Recorder: hami-scheduler calls these around its handlers.
  // `result` is "success", "unschedulable" (no node fits) or "error".
  void ObserveFilter(std::chrono::duration<double> latency, std::string_view result);
  void ObserveBind(std::chrono::duration<double> latency, std::string_view result);
  void ObserveWebhook(std::chrono::duration<double> latency, std::string_view result);
  // Error counters by short reason ("node_unregistered", "patch_failed", ...).
  void FilterError(std::string_view reason);
  void BindError(std::string_view reason);

  void Collect(std::vector<metrics::MetricFamily>* out) const override;

 private:
  ViewFn view_;
  std::string version_, revision_;
  metrics::HistogramFamily filter_latency_, bind_latency_, webhook_latency_;
  metrics::CounterFamily filter_errors_, bind_errors_;
};

}  // namespace hami::schedmetrics
