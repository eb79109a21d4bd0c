#include "monitor/node_monitor.h"

#include <algorithm>
#include <set>

#include "common/log.h"

namespace hami::monitor {
namespace {

using metrics::Labels;
using metrics::MetricFamily;
using metrics::MetricType;

constexpr const char* kZone = "vGPU";

MetricFamily Family(std::string name, std::string help, MetricType type = MetricType::kGauge) {
  return MetricFamily{std::move(name), std::move(help), type, {}, {}};
}

void AddSample(MetricFamily* f, Labels labels, double value) {
  f->samples.push_back({std::move(labels), value});
}

}  // namespace

NodeMonitor::NodeMonitor(MonitorOptions options, Nvml* nvml, const PodLister* pods,
                         const Clock* clock)
    : options_(std::move(options)), nvml_(nvml), pods_(pods), clock_(clock) {}

void NodeMonitor::Refresh() {
  DiscoveryResult found = DiscoverContainers(options_.containers_root);
  std::optional<std::vector<PodInfo>> pods = pods_ != nullptr ? pods_->ListPods() : std::nullopt;
  std::map<std::string, const PodInfo*> by_uid;
  if (pods) {
    for (const PodInfo& p : *pods) by_uid[p.uid] = &p;
  }

  std::vector<ContainerState> states;
  std::map<SkipReason, uint64_t> new_skips;
  std::map<std::string, SkipReason> skip_now;
  std::set<std::pair<std::string, std::string>> with_region_file;
  for (const ContainerDir& dir : found.containers) {
    if (dir.region_path.empty()) continue;  // container has not started CUDA yet
    with_region_file.emplace(dir.pod_uid, dir.container);
    ContainerState state{dir, "", dir.pod_uid, {}};
    if (pods) {
      auto it = by_uid.find(dir.pod_uid);
      if (it == by_uid.end()) continue;  // not (or no longer) a pod of this node
      const PodInfo& pod = *it->second;
      bool known_container = pod.containers.empty();
      for (const auto& c : pod.containers) known_container |= (c == dir.container);
      if (!known_container) continue;
      state.ns = pod.ns;
      state.pod = pod.name;
    }
    RegionError error;
    auto region = ReadRegionFile(dir.region_path, &error, &scratch_);
    if (!region) {
      ++new_skips[error.reason];
      skip_now[dir.region_path] = error.reason;
      bool first = last_skip_.count(dir.region_path) == 0 ||
                   last_skip_[dir.region_path] != error.reason;
      if (first) {
        log::Warn("monitor", "shared region skipped",
                  {{"path", dir.region_path},
                   {"reason", std::string(SkipReasonName(error.reason))},
                   {"error", error.message}});
      }
      continue;
    }
    state.region = std::move(*region);
    states.push_back(std::move(state));
  }
  // Containers the scheduler gave GPUs that have not created a region yet:
  // report their limits (usage 0) so every GPU container has metrics.
  if (pods) {
    for (const PodInfo& pod : *pods) {
      for (const auto& [container, devices] : pod.allocated) {
        if (with_region_file.count({pod.uid, container}) != 0) continue;
        ContainerState state{{"", pod.uid, container, ""}, pod.ns, pod.name, {}, false};
        state.region.live_processes = 0;
        for (const api::ContainerDevice& d : devices) {
          RegionDevice rd;
          rd.uuid = d.uuid;
          rd.limit_bytes = static_cast<uint64_t>(d.used_mem_mib) << 20;
          rd.sm_limit_percent = static_cast<uint64_t>(d.used_cores);
          state.region.devices.push_back(std::move(rd));
        }
        states.push_back(std::move(state));
      }
    }
  }

  std::vector<NvmlDevice> devices;
  bool nvml_ok = false;
  if (nvml_ != nullptr) {
    auto listed = nvml_->Devices();
    if (listed.ok()) {
      devices = std::move(listed).value();
      nvml_ok = true;
    } else {
      log::Warn("monitor", "NVML query failed", {{"error", listed.status().ToString()}});
    }
  }

  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [reason, n] : new_skips) skipped_[reason] += n;
  last_skip_ = std::move(skip_now);
  if (nvml_ != nullptr && !nvml_ok) ++nvml_errors_;
  ++refreshes_;
  rejected_dirs_ = found.rejected.size();
  families_ = BuildFamilies(states, devices, nvml_ok);
  containers_ = std::move(states);
}

std::vector<MetricFamily> NodeMonitor::BuildFamilies(const std::vector<ContainerState>& containers,
                                                     const std::vector<NvmlDevice>& devices,
                                                     bool nvml_ok) const {
  const std::string& node = options_.node_name;
  // Host (NVML) metrics.
  auto host_mem = Family("hami_host_gpu_memory_used_bytes", "GPU memory used on the host (NVML).");
  auto host_total = Family("hami_host_gpu_memory_total_bytes", "GPU memory size (NVML).");
  auto host_util = Family("hami_host_gpu_utilization_ratio", "GPU utilization in percent (NVML).");
  auto host_mc = Family("hami_host_gpu_memory_controller_utilization_ratio",
                        "GPU memory controller utilization in percent (NVML).");
  std::map<std::string, const NvmlDevice*> by_uuid;
  for (const NvmlDevice& d : devices) {
    by_uuid[d.uuid] = &d;
    std::string type = "NVIDIA-" + d.name;
    Labels l{{"node", node}, {"device_index", std::to_string(d.index)}, {"device_uuid", d.uuid},
             {"device_type", type}};
    AddSample(&host_mem, l, static_cast<double>(d.memory_used_bytes));
    AddSample(&host_total, l, static_cast<double>(d.memory_total_bytes));
    if (d.gpu_util_percent) AddSample(&host_util, l, *d.gpu_util_percent);
    if (d.memory_util_percent) {
      AddSample(&host_mc, {{"device_index", std::to_string(d.index)}, {"device_uuid", d.uuid},
                           {"device_type", type}},
                *d.memory_util_percent);
    }
  }

  // Container metrics.
  auto used = Family("hami_vgpu_memory_used_bytes", "Device memory used by the container (region).");
  auto limit = Family("hami_vgpu_memory_limit_bytes", "Device memory limit of the container (0 = none).");
  auto dev_mem = Family("hami_container_device_memory_bytes", "Device memory used by the container.");
  auto dev_util = Family("hami_container_device_utilization_ratio",
                         "SM utilization of the container in percent.");
  auto last_kernel = Family("hami_container_last_kernel_elapsed_seconds",
                            "Seconds since the container last launched a kernel.");
  auto ctx = Family("hami_vgpu_memory_context_bytes", "Device memory held by CUDA contexts.");
  auto mod = Family("hami_vgpu_memory_module_bytes", "Device memory held by loaded modules.");
  auto buf = Family("hami_vgpu_memory_buffer_bytes", "Device memory held by allocations.");
  auto sm_limit = Family("hami_container_sm_limit_ratio",
                         "SM utilization cap in percent (0 or >=100 = no cap).");
  auto throttled = Family("hami_container_throttled_seconds_total",
                          "Time kernel launches waited for the compute limiter.",
                          MetricType::kCounter);
  auto nvml_used = Family("hami_container_nvml_memory_used_bytes",
                          "Device memory NVML attributes to the container's processes.");
  auto drift = Family("hami_container_memory_drift_bytes",
                      "Container-reported minus NVML-reported device memory.");
  auto refused = Family("hami_container_memory_refused_allocations_total",
                        "Device memory allocations refused at the container's limit.",
                        MetricType::kCounter);
  auto procs = Family("hami_container_processes", "Live CUDA processes in the container.");
  auto blocked = Family("hami_container_priority_blocked",
                        "1 while the container is paused for a higher-priority task.");
  auto switch_on = Family("hami_container_utilization_switch",
                          "1 while SM throttling applies (contention on a shared device).");
  auto ready = Family("hami_container_region_ready",
                      "1 when the container's shared region was read; 0 when only its "
                      "allocation is known (no CUDA use yet).");
  const int64_t now = clock_->NowUnixSeconds();
  for (const ContainerState& c : containers) {
    Labels base{{"namespace", c.ns}, {"pod", c.pod}, {"container", c.dir.container}};
    AddSample(&procs, base, c.region.live_processes);
    AddSample(&ready, base, c.region_ready ? 1 : 0);
    AddSample(&blocked, base, c.region.recent_kernel < 0 ? 1 : 0);
    AddSample(&switch_on, base, c.region.utilization_switch != 0 ? 1 : 0);
    if (c.region.oom_refusals) AddSample(&refused, base, static_cast<double>(*c.region.oom_refusals));
    std::set<uint32_t> host_pids(c.region.host_pids.begin(), c.region.host_pids.end());
    for (size_t i = 0; i < c.region.devices.size(); ++i) {
      const RegionDevice& d = c.region.devices[i];
      Labels l = base;
      l.emplace_back("vdevice_index", std::to_string(i));
      l.emplace_back("device_uuid", d.uuid);
      AddSample(&used, l, static_cast<double>(d.used_bytes));
      AddSample(&limit, l, static_cast<double>(d.limit_bytes));
      AddSample(&dev_mem, l, static_cast<double>(d.used_bytes));
      AddSample(&ctx, l, static_cast<double>(d.context_bytes));
      AddSample(&mod, l, static_cast<double>(d.module_bytes));
      AddSample(&buf, l, static_cast<double>(d.buffer_bytes));
      AddSample(&sm_limit, l, static_cast<double>(d.sm_limit_percent));
      uint64_t util = d.limiter_util_percent.value_or(0);
      if (d.sm_util_percent > util) util = d.sm_util_percent;
      auto host_dev = by_uuid.find(d.uuid);
      if (nvml_ok && !host_pids.empty() && host_dev != by_uuid.end() &&
          host_dev->second->process_util) {
        uint64_t seen = 0;  // what NVML samples for the container's processes
        for (const NvmlProcessUtil& p : *host_dev->second->process_util) {
          if (host_pids.count(p.pid) != 0) seen += p.sm_percent;
        }
        util = std::max(util, seen);
      }
      AddSample(&dev_util, l, static_cast<double>(std::min<uint64_t>(util, 100)));
      if (c.region.last_kernel_time > 0 && now >= c.region.last_kernel_time) {
        AddSample(&last_kernel, l, static_cast<double>(now - c.region.last_kernel_time));
      }
      if (d.throttled_ns) AddSample(&throttled, l, static_cast<double>(*d.throttled_ns) / 1e9);
      auto host = by_uuid.find(d.uuid);
      if (nvml_ok && !host_pids.empty() && host != by_uuid.end() && host->second->processes) {
        uint64_t seen = 0;
        for (const NvmlProcess& p : *host->second->processes) {
          if (host_pids.count(p.pid) != 0) seen += p.used_bytes;
        }
        AddSample(&nvml_used, l, static_cast<double>(seen));
        AddSample(&drift, l, static_cast<double>(d.used_bytes) - static_cast<double>(seen));
      }
    }
  }
  std::vector<MetricFamily> out;
  for (MetricFamily* f : {&host_mem, &host_total, &host_util, &host_mc, &used, &limit, &dev_mem,
                          &dev_util, &last_kernel, &ctx, &mod, &buf, &sm_limit, &throttled,
                          &nvml_used, &drift, &refused, &procs, &blocked, &switch_on, &ready}) {
    out.push_back(std::move(*f));
  }
  return out;
}

void NodeMonitor::Collect(std::vector<MetricFamily>* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto regions = Family("hami_monitor_regions", "Container regions read in the last refresh.");
  AddSample(&regions, {}, static_cast<double>(std::count_if(
                             containers_.begin(), containers_.end(),
                             [](const ContainerState& c) { return c.region_ready; })));
  auto skips = Family("hami_monitor_region_skipped_total",
                      "Region reads skipped, by reason.", MetricType::kCounter);
  for (SkipReason r : {SkipReason::kIoError, SkipReason::kTruncated, SkipReason::kNotInitialized,
                       SkipReason::kBadMagic, SkipReason::kForeignVersion, SkipReason::kCorrupted,
                       SkipReason::kConcurrentWrite}) {
    auto it = skipped_.find(r);
    AddSample(&skips, {{"reason", std::string(SkipReasonName(r))}},
              static_cast<double>(it == skipped_.end() ? 0 : it->second));
  }
  auto rejected = Family("hami_monitor_rejected_dirs",
                         "Container dirs rejected (bad name or too many cache files).");
  AddSample(&rejected, {}, static_cast<double>(rejected_dirs_));
  auto nvml_errors = Family("hami_monitor_nvml_errors_total", "Failed NVML queries.",
                            MetricType::kCounter);
  AddSample(&nvml_errors, {}, static_cast<double>(nvml_errors_));
  auto refreshes = Family("hami_monitor_refreshes_total", "Completed refreshes.",
                          MetricType::kCounter);
  AddSample(&refreshes, {}, static_cast<double>(refreshes_));

  size_t first = out->size();
  for (const MetricFamily& f : families_) out->push_back(f);
  for (MetricFamily* f : {&regions, &skips, &rejected, &nvml_errors, &refreshes}) {
    out->push_back(std::move(*f));
  }
  for (size_t i = first; i < out->size(); ++i) {
    for (auto& s : (*out)[i].samples) s.labels.emplace_back("zone", kZone);
  }
  auto build = Family("hami_build_info", "Build information of hami-monitor.");
  AddSample(&build, {{"version", options_.version}, {"revision", options_.revision},
                     {"build_date", __DATE__}, {"go_version", ""},
                     {"compiler", "c++"}, {"platform", "linux"}},
            1);
  out->push_back(std::move(build));
}

int NodeMonitor::FeedbackTick(FeedbackLoop* loop) {
  std::vector<FeedbackTarget> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const ContainerState& c : containers_) {
      if (!c.region_ready) continue;
      FeedbackTarget t{c.dir.region_path, {}};
      for (const auto& d : c.region.devices) t.uuids.push_back(d.uuid);
      targets.push_back(std::move(t));
    }
  }
  return loop->Tick(targets);
}

std::vector<std::string> NodeMonitor::Cleanup() {
  if (pods_ == nullptr) return {};
  auto pods = pods_->ListPods();
  if (!pods) return {};  // never delete while the pod list is unknown
  std::set<std::string> live;
  for (const PodInfo& p : *pods) live.insert(p.uid);
  auto removed = CleanupStaleDirs(options_.containers_root, live, options_.stale_grace);
  if (!options_.limits_root.empty()) {
    for (auto& f : CleanupStaleLimitFiles(options_.limits_root, live, options_.stale_grace)) {
      removed.push_back(std::move(f));
    }
  }
  return removed;
}

std::vector<ContainerState> NodeMonitor::containers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return containers_;
}

uint64_t NodeMonitor::skipped(SkipReason reason) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = skipped_.find(reason);
  return it == skipped_.end() ? 0 : it->second;
}

}  // namespace hami::monitor
