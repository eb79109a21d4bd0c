#include "scheduler/scheduler.h"

#include <algorithm>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "api/annotations.h"
#include "api/node_lock.h"
#include "api/pair_scores.h"
#include "common/log.h"
#include "scheduler/internal/node_fit.h"
#include "scheduler/internal/state.h"

namespace hami::scheduler {

using internal::DeviceCharge;
using internal::NodeState;
using internal::PodRecord;

struct Scheduler::Impl : internal::State {
  using internal::State::State;
};

Scheduler::Scheduler(vendors::VendorList vendors, SchedulerOptions options, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(vendors), std::move(options), clock)) {}
Scheduler::~Scheduler() = default;

const vendors::VendorList& Scheduler::vendors() const { return impl_->vendors; }

Status Scheduler::UpsertNode(const Node& node) { return impl_->UpsertNode(node); }
void Scheduler::RemoveNode(std::string_view name) { impl_->RemoveNode(name); }
Status Scheduler::UpsertPod(const Pod& pod) { return impl_->UpsertPod(pod); }
void Scheduler::RemovePod(std::string_view uid) { impl_->RemovePodRecord(uid); }
void Scheduler::UpsertQuota(const ResourceQuota& q) { impl_->UpsertQuota(q); }
void Scheduler::RemoveQuota(std::string_view ns, std::string_view name) { impl_->RemoveQuota(ns, name); }
std::vector<std::vector<vendors::DeviceRequest>> Scheduler::PodRequests(const Pod& pod) const {
  return impl_->PodRequests(pod);
}
StatusOr<FilterResult> Scheduler::Filter(const Pod& pod, std::span<const std::string> names) {
  return impl_->Filter(pod, names);
}
StatusOr<FilterResult> Scheduler::Simulate(const Pod& pod, std::span<const Node> nodes) const {
  return impl_->Simulate(pod, nodes);
}
void Scheduler::Unreserve(std::string_view uid) { impl_->RemovePodRecord(uid); }
std::optional<std::string> Scheduler::PodNode(std::string_view uid) const { return impl_->PodNode(uid); }
bool Scheduler::HasNode(std::string_view name) const { return impl_->FindNode(name) != nullptr; }
Status Scheduler::CheckQuota(const Pod& pod) const { return impl_->CheckQuota(pod); }
ClusterSnapshot Scheduler::Snapshot() const { return impl_->Snapshot(); }

HandshakeDecision DecideHandshake(std::string_view value, std::chrono::system_clock::time_point local_now,
                                  int64_t allocatable_count) {
  HandshakeDecision d;
  if (value.find("Requesting") == std::string_view::npos) {
    d.patch_value = api::EncodeHandshakeRequesting(local_now);
    return d;
  }
  api::Handshake h = api::DecodeHandshake(value);
  if (!h.requested_at) return d;  // unparseable: healthy, no update
  if (local_now - *h.requested_at <= std::chrono::seconds(60)) return d;
  d.healthy = allocatable_count > 0;
  return d;
}

}  // namespace hami::scheduler
