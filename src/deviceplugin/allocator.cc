#include "deviceplugin/allocator.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>

#include "api/reasons.h"
#include "common/log.h"
#include "deviceplugin/container_response.h"
#include "deviceplugin/devices.h"

namespace hami::deviceplugin {
namespace {

constexpr char kLockKey[] = "hami.io/mutex.lock";
constexpr char kToAllocate[] = "hami.io/vgpu-devices-to-allocate";
constexpr char kBindPhase[] = "hami.io/bind-phase";
constexpr char kBindTime[] = "hami.io/bind-time";
constexpr char kVgpuNode[] = "hami.io/vgpu-node";

std::string Annotation(const PodInfo& pod, const std::string& key) {
  auto it = pod.annotations.find(key);
  return it == pod.annotations.end() ? "" : it->second;
}

int64_t BindTime(const PodInfo& pod) {
  std::string t = Annotation(pod, kBindTime);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  return ec == std::errc() ? v : INT64_MAX;
}

bool ParseBool(const std::string& s) {
  return s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True";
}

// Index of the first non-empty container entry, or -1.
int FirstPending(const api::PodDevices& devices) {
  for (size_t i = 0; i < devices.size(); ++i) {
    if (!devices[i].empty()) return static_cast<int>(i);
  }
  return -1;
}

std::set<std::string> UuidSet(const api::ContainerDevices& devices) {
  std::set<std::string> s;
  for (const auto& d : devices) s.insert(d.uuid);
  return s;
}

std::string PodKey(const PodInfo& pod) { return pod.ns + "/" + pod.name; }

}  // namespace

Allocator::Allocator(ClusterApi* api, AllocatorOptions options)
    : api_(api), options_(std::move(options)) {}

bool Allocator::IsCandidate(const PodInfo& pod) const {
  if (pod.terminating || pod.phase != "Pending") return false;
  if (Annotation(pod, kBindTime).empty()) return false;
  std::string phase = Annotation(pod, kBindPhase);
  if (phase != "allocating" && phase != "success") return false;
  if (Annotation(pod, kVgpuNode) != options_.node_name) return false;
  // A malformed list still makes the pod a candidate: Allocate then fails
  // that pod with a clear error instead of silently picking another one.
  auto devices = api::DecodePodDevices(Annotation(pod, kToAllocate));
  if (!devices.ok()) return !Annotation(pod, kToAllocate).empty();
  return FirstPending(*devices) >= 0;
}

StatusOr<PodInfo> Allocator::FindPendingPod(const std::vector<std::string>& hint_uuids) {
  // 1. The node lock names the pod being bound to this node (exact).
  auto node = api_->GetNodeAnnotations(options_.node_name);
  if (!node.ok()) return node.status().WithContext("reading node " + options_.node_name);
  if (auto it = node->find(kLockKey); it != node->end()) {
    const std::string& v = it->second;
    size_t c1 = v.find(','), c2 = c1 == std::string::npos ? c1 : v.find(',', c1 + 1);
    if (c2 != std::string::npos && v.find(',', c2 + 1) == std::string::npos) {
      std::string ns = v.substr(c1 + 1, c2 - c1 - 1), name = v.substr(c2 + 1);
      auto pod = api_->GetPod(ns, name);
      if (pod.ok() && pod->node_name == options_.node_name && IsCandidate(*pod)) return pod;
      log::Warn("deviceplugin", "node lock owner is not a pending pod of this node; falling back",
                {{"lock", v}, {"error", pod.ok() ? "" : pod.status().ToString()}});
    }
  }
  // 2. Fallback: pending pods bound here, next entry matching kubelet's GPUs.
  ASSIGN_OR_RETURN(auto pods, api_->ListPodsOnNode(options_.node_name));
  std::vector<PodInfo> candidates;
  for (auto& p : pods) {
    if (IsCandidate(p)) candidates.push_back(std::move(p));
  }
  if (candidates.empty()) {
    return NotFoundError("no pending pod with hami.io/bind-phase=allocating and a non-empty " +
                         std::string(kToAllocate) + " on node " + options_.node_name);
  }
  if (!hint_uuids.empty()) {
    std::set<std::string> want(hint_uuids.begin(), hint_uuids.end());
    std::vector<PodInfo> matching;
    for (auto& p : candidates) {
      auto devices = api::DecodePodDevices(Annotation(p, kToAllocate));
      if (devices.ok() && UuidSet((*devices)[static_cast<size_t>(FirstPending(*devices))]) == want) {
        matching.push_back(p);
      }
    }
    if (!matching.empty()) candidates = std::move(matching);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const PodInfo& a, const PodInfo& b) { return BindTime(a) < BindTime(b); });
  if (candidates.size() > 1) {
    log::Warn("deviceplugin", "several pending pods match; taking the oldest bind-time",
              {{"pod", PodKey(candidates.front())}, {"candidates", std::to_string(candidates.size())}});
  }
  return candidates.front();
}

Status Allocator::Fail(const PodInfo& pod, const Status& error) {
  log::Error("deviceplugin", "allocate failed", {{"pod", PodKey(pod)}, {"error", error.message()}});
  Status s = api_->PatchPodAnnotations(pod.ns, pod.name, {{kBindPhase, "failed"}});
  if (!s.ok()) log::Warn("deviceplugin", "cannot set bind-phase=failed", {{"error", s.ToString()}});
  s = api_->ReleaseNodeLock(options_.node_name, pod.ns, pod.name);
  if (!s.ok()) log::Warn("deviceplugin", "cannot release node lock", {{"error", s.ToString()}});
  api_->RecordPodEvent(pod, "Warning", std::string(api::reasons::kEventAllocateFailed), error.message());
  return error.WithContext("allocate for pod " + PodKey(pod));
}

StatusOr<v1beta1::AllocateResponse> Allocator::Allocate(const v1beta1::AllocateRequest& request) {
  std::lock_guard lock(mu_);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> hint;
  if (request.container_requests_size() > 0) {
    std::set<std::string> uuids;
    for (const auto& id : request.container_requests(0).devices_ids()) uuids.insert(PhysicalUuid(id));
    hint.assign(uuids.begin(), uuids.end());
  }
  ASSIGN_OR_RETURN(PodInfo pod, FindPendingPod(hint));

  auto decoded = api::DecodePodDevices(Annotation(pod, kToAllocate));
  if (!decoded.ok()) return Fail(pod, decoded.status().WithContext(kToAllocate));
  api::PodDevices devices = std::move(decoded).value();

  std::vector<ContainerPlan> plans;
  for (const auto& creq : request.container_requests()) {
    int k = FirstPending(devices);
    if (k < 0) {
      return Fail(pod, FailedPreconditionError("kubelet asked for more containers than " +
                                               std::string(kToAllocate) + " holds"));
    }
    auto& entry = devices[static_cast<size_t>(k)];
    if (static_cast<int>(entry.size()) != creq.devices_ids_size()) {
      return Fail(pod, FailedPreconditionError(
                           "device count mismatch: annotation entry " + std::to_string(k) + " has " +
                           std::to_string(entry.size()) + " GPUs, kubelet allocated " +
                           std::to_string(creq.devices_ids_size())));
    }
    size_t n_init = pod.init_containers.size();
    size_t idx = static_cast<size_t>(k);
    const ContainerInfo* ctr = nullptr;
    if (idx < n_init) {
      ctr = &pod.init_containers[idx];
    } else if (idx - n_init < pod.containers.size()) {
      ctr = &pod.containers[idx - n_init];
    } else {
      return Fail(pod, InvalidArgumentError("annotation entry " + std::to_string(k) +
                                            " has no matching container in the pod spec"));
    }
    ContainerAllocation alloc;
    alloc.pod_uid = pod.uid;
    alloc.container_name = ctr->name;
    alloc.devices = entry;
    if (auto it = ctr->env.find("CUDA_DISABLE_CONTROL"); it != ctr->env.end()) {
      alloc.disable_control = ParseBool(it->second);
    }
    if (auto it = ctr->env.find("CUDA_TASK_PRIORITY"); it != ctr->env.end()) {
      alloc.task_priority = it->second;
    }
    plans.push_back(PlanContainer(alloc, options_.config, options_.hook_path, RandomUuid()));
    entry.clear();
  }
  v1beta1::AllocateResponse response;
  for (auto& plan : plans) {
    if (Status s = MaterializeContainer(plan); !s.ok()) return Fail(pod, s);
    *response.add_container_responses() = std::move(plan.response);
  }

  const bool done = FirstPending(devices) < 0;
  AnnotationPatch patch{{kToAllocate, api::EncodePodDevices(devices)}};
  if (done) patch[kBindPhase] = "success";
  if (Status s = api_->PatchPodAnnotations(pod.ns, pod.name, patch); !s.ok()) {
    return Fail(pod, s.WithContext("updating pod annotations"));
  }
  if (done) {
    if (Status s = api_->ReleaseNodeLock(options_.node_name, pod.ns, pod.name); !s.ok()) {
      log::Warn("deviceplugin", "cannot release node lock", {{"error", s.ToString()}});
    }
  }
  log::Info("deviceplugin", "allocated",
            {{"pod", PodKey(pod)}, {"containers", std::to_string(request.container_requests_size())},
             {"complete", done ? "true" : "false"},
             {"duration_us", std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::steady_clock::now() - start).count())}});
  return response;
}

StatusOr<v1beta1::PreferredAllocationResponse> Allocator::GetPreferredAllocation(
    const v1beta1::PreferredAllocationRequest& request) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(PodInfo pod, FindPendingPod({}));
  ASSIGN_OR_RETURN(api::PodDevices devices,
                   api::DecodePodDevices(Annotation(pod, kToAllocate)));
  std::vector<const api::ContainerDevices*> pending;
  for (const auto& c : devices) {
    if (!c.empty()) pending.push_back(&c);
  }
  v1beta1::PreferredAllocationResponse response;
  for (int i = 0; i < request.container_requests_size(); ++i) {
    const auto& creq = request.container_requests(i);
    auto* out = response.add_container_responses();
    std::set<std::string> used;
    for (const auto& id : creq.must_include_deviceids()) {
      out->add_deviceids(id);
      used.insert(id);
    }
    if (static_cast<size_t>(i) < pending.size()) {
      for (const auto& d : *pending[static_cast<size_t>(i)]) {
        if (out->deviceids_size() >= creq.allocation_size()) break;
        bool covered = false;
        for (const auto& id : used) covered = covered || PhysicalUuid(id) == d.uuid;
        if (covered) continue;
        for (const auto& id : creq.available_deviceids()) {
          if (!used.contains(id) && PhysicalUuid(id) == d.uuid) {
            out->add_deviceids(id);
            used.insert(id);
            break;
          }
        }
      }
    }
    for (const auto& id : creq.available_deviceids()) {  // fill up if the pod asks less
      if (out->deviceids_size() >= creq.allocation_size()) break;
      if (used.insert(id).second) out->add_deviceids(id);
    }
  }
  return response;
}

}  // namespace hami::deviceplugin
