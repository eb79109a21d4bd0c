// NodeMonitor: the node agent's state. Refresh() (called at least once a
// second) discovers container regions, parses them, maps them to pods and
// reads NVML, then caches the metric families that Collect() serves: HAMi's
// vGPUmonitor names and labels (zone="vGPU") plus memory limit/used, SM cap,
// throttled time, refused allocations, NVML-vs-region drift and the monitor's
// own health (skipped regions by reason). FeedbackTick() runs the priority
// loop over the regions of the last refresh; Cleanup() removes stale dirs.
// Thread-safe: Refresh/FeedbackTick/Cleanup from one thread, Collect from any.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "metrics/registry.h"
#include "monitor/discovery.h"
#include "monitor/feedback.h"
#include "monitor/nvml.h"
#include "monitor/pods.h"
#include "monitor/region.h"

namespace hami::monitor {

struct MonitorOptions {
  std::string node_name;
  std::string containers_root;  // <hook_path>/vgpu/containers
  std::string limits_root{};    // <hook_path>/vgpu/limits (the device plugin's limits files); empty: none
  std::chrono::seconds stale_grace{300};  // HAMI_RESYNC_INTERVAL
  std::string version = "0.1.0";
  std::string revision = "unknown";
};

// One container region as last seen (exposed for tests and the feedback loop).
struct ContainerState {
  ContainerDir dir;
  std::string ns, pod;  // from the pod lister; pod = pod UID when unknown
  RegionSnapshot region;
  // False when no region file exists yet and devices/limits come from the
  // pod's allocation annotation (usage then reads 0).
  bool region_ready = true;
};

class NodeMonitor final : public metrics::Collector {
 public:
  NodeMonitor(MonitorOptions options, Nvml* nvml, const PodLister* pods, const Clock* clock);

  void Refresh();
  int FeedbackTick(FeedbackLoop* loop);
  std::vector<std::string> Cleanup();
  void Collect(std::vector<metrics::MetricFamily>* out) const override;

  std::vector<ContainerState> containers() const;
  uint64_t skipped(SkipReason reason) const;

 private:
  std::vector<metrics::MetricFamily> BuildFamilies(const std::vector<ContainerState>& containers,
                                                   const std::vector<NvmlDevice>& devices,
                                                   bool nvml_ok) const;

  MonitorOptions options_;
  Nvml* nvml_;
  const PodLister* pods_;
  const Clock* clock_;
  std::vector<uint8_t> scratch_;  // region copy buffer, used by Refresh only

  mutable std::mutex mu_;
  std::vector<ContainerState> containers_;
  std::vector<metrics::MetricFamily> families_;
  std::map<SkipReason, uint64_t> skipped_;
  std::map<std::string, SkipReason> last_skip_;  // path -> reason (log once per change)
  uint64_t nvml_errors_ = 0;
  uint64_t refreshes_ = 0;
  size_t rejected_dirs_ = 0;
};

}  // namespace hami::monitor
