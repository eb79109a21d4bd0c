#include "vendors/common/fit.h"

#include <algorithm>

#include "api/annotations.h"
#include "api/reasons.h"
#include "vendors/common/text.h"

namespace hami::vendors::common {

namespace reasons = api::reasons;
namespace {

bool TypeAllowed(const DeviceUsage& d, const FitConstraints& c) {
  if (!c.use_types.empty() || !c.nouse_types.empty()) {
    std::string type = Lower(d.type);
    if (!c.use_types.empty() &&
        std::none_of(c.use_types.begin(), c.use_types.end(),
                     [&](const std::string& t) { return type.find(t) != std::string::npos; })) {
      return false;
    }
    if (std::any_of(c.nouse_types.begin(), c.nouse_types.end(),
                    [&](const std::string& t) { return type.find(t) != std::string::npos; })) {
      return false;
    }
  }
  if (!c.vgpu_mode.empty() && c.vgpu_mode.find(d.mode) == std::string::npos) return false;
  return true;
}

int64_t PairScore(const FitConstraints& c, std::string_view a, std::string_view b) {
  if (c.pair_scores == nullptr) return 0;
  auto it = c.pair_scores->find(std::string(a));
  if (it == c.pair_scores->end()) return 0;
  auto jt = it->second.find(std::string(b));
  return jt == it->second.end() ? 0 : jt->second;
}

using Pick = FitOutcome::Pick;

// Topology-aware choice among all eligible candidates (size > want).
std::vector<Pick> ChooseTopology(std::span<DeviceUsage* const> devices, const std::vector<Pick>& cand,
                                 int want, const FitConstraints& c) {
  if (want == 1) {
    size_t best = 0;
    int64_t best_sum = -1;
    for (size_t i = 0; i < cand.size(); ++i) {
      int64_t sum = 0;
      for (size_t j = 0; j < cand.size(); ++j) {
        if (i != j) sum += PairScore(c, devices[cand[i].pos]->id, devices[cand[j].pos]->id);
      }
      if (best_sum < 0 || sum < best_sum) best_sum = sum, best = i;
    }
    return {cand[best]};
  }
  // First combination (in candidate order) with the highest summed pairwise
  // score. Bounded: at most 20 candidates considered.
  const int n = std::min<int>(static_cast<int>(cand.size()), 20);
  std::vector<int> idx(want);
  for (int i = 0; i < want; ++i) idx[i] = i;
  std::vector<int> best = idx;
  int64_t best_score = -1;
  while (true) {
    int64_t s = 0;
    for (int i = 0; i < want; ++i) {
      for (int j = i + 1; j < want; ++j) {
        s += PairScore(c, devices[cand[idx[i]].pos]->id, devices[cand[idx[j]].pos]->id);
      }
    }
    if (s > best_score) best_score = s, best = idx;
    int i = want - 1;
    while (i >= 0 && idx[i] == n - want + i) --i;
    if (i < 0) break;
    ++idx[i];
    for (int j = i + 1; j < want; ++j) idx[j] = idx[j - 1] + 1;
  }
  std::vector<Pick> out;
  for (int i : best) out.push_back(cand[i]);
  return out;
}

}  // namespace

bool UuidAllowed(const DeviceUsage& d, const FitConstraints& c) {
  if (!c.use_uuids.empty() &&
      std::find(c.use_uuids.begin(), c.use_uuids.end(), d.id) == c.use_uuids.end()) {
    return false;
  }
  return std::find(c.nouse_uuids.begin(), c.nouse_uuids.end(), d.id) == c.nouse_uuids.end();
}

std::string_view FirstBasicRefusal(const DeviceUsage& d, const FitConstraints& c) {
  if (!d.healthy) return reasons::kCardNotHealth;
  if (!UuidAllowed(d, c)) return reasons::kCardUuidMismatch;
  if (d.count <= d.used) return reasons::kCardTimeSlicingExhausted;
  return {};
}

int64_t CommonFitter::MemoryMib(const DeviceUsage& d, const DeviceRequest& req) const {
  int64_t mem = req.mem_mib;
  if (mem <= 0 && req.mem_percent != kMemPercentUnset) mem = d.total_mem_mib * req.mem_percent / 100;
  return mem;
}

int32_t CommonFitter::Cores(const DeviceUsage&, const DeviceRequest& req) const {
  return std::min(req.cores, 100);
}

std::string_view CommonFitter::Refuse(const DeviceUsage&, const DeviceRequest&, int64_t, int32_t,
                                      const QuotaBudget&) const {
  return {};
}

std::string_view CommonFitter::AllocationType(const DeviceUsage&) const { return {}; }

bool CommonFitter::CollectAll(std::span<DeviceUsage* const>) const { return false; }

std::vector<Pick> CommonFitter::Choose(std::span<DeviceUsage* const> devices, const std::vector<Pick>& cand,
                                       int want, const FitConstraints& c) const {
  return ChooseTopology(devices, cand, want, c);
}

StatusOr<FitConstraints> CommonFitter::ParseConstraints(const AnnotationMap& a,
                                                        std::string_view default_gpu_policy) const {
  FitConstraints c;
  auto find = [&](const std::string& key) { return key.empty() ? nullptr : FindAnnotation(a, key); };
  if (auto* v = find(keys_.use_type)) c.use_types = SplitList(*v, true);
  if (auto* v = find(keys_.nouse_type)) c.nouse_types = SplitList(*v, true);
  if (auto* v = find(keys_.use_uuid)) c.use_uuids = SplitList(*v, false);
  if (auto* v = find(keys_.nouse_uuid)) c.nouse_uuids = SplitList(*v, false);
  if (auto* v = find(keys_.mode)) c.vgpu_mode = *v;
  if (auto* v = find(keys_.numa_bind)) c.numa_bind = ParseBool(*v).value_or(false);
  std::string_view policy = default_gpu_policy;
  if (auto* v = FindAnnotation(a, api::kGpuSchedulerPolicy); v != nullptr && !v->empty()) policy = *v;
  c.gpu_policy = ParseGpuPolicy(policy, c.numa_bind);
  if (auto* v = FindAnnotation(a, api::kDeviceScoringWeights)) {
    ASSIGN_OR_RETURN(c.weights, ParseScoringWeights(*v));
  }
  return c;
}

FitOutcome CommonFitter::Fit(std::span<DeviceUsage* const> devices, const DeviceRequest& req,
                             const FitConstraints& c, QuotaBudget& quota) const {
  FitOutcome out;
  const bool topology = c.gpu_policy.topology_aware || CollectAll(devices);
  int remaining = req.count;
  thread_local std::vector<Pick> picks;
  picks.clear();
  int64_t acc_mem = 0, acc_cores = 0;
  bool have_prev_numa = false;
  int prev_numa = 0;
  auto fail = [&](std::string_view reason) { ++out.reasons[std::string(reason)]; };
  const int n = static_cast<int>(devices.size());
  for (int k = 0; k < n; ++k) {
    const int i = n - 1 - k;
    const DeviceUsage& d = *devices[i];
    ++out.examined;
    if (!d.healthy) { fail(reasons::kCardNotHealth); continue; }
    if (d.cordoned) { fail(reasons::kCardCordoned); continue; }
    if (!TypeAllowed(d, c)) { fail(reasons::kCardTypeMismatch); continue; }
    if (c.numa_bind && (!have_prev_numa || d.numa != prev_numa)) {
      if (have_prev_numa && !picks.empty()) {
        out.reasons[std::string(reasons::kNumaNotFit)] += static_cast<int>(picks.size());
      }
      remaining = req.count;
      picks.clear();
      acc_mem = acc_cores = 0;
      prev_numa = d.numa;
      have_prev_numa = true;
    }
    if (!UuidAllowed(d, c)) { fail(reasons::kCardUuidMismatch); continue; }
    if (exclusive_devices_ && d.used > 0) { fail(reasons::kExclusiveDeviceAllocateConflict); continue; }
    if (d.count <= d.used) { fail(reasons::kCardTimeSlicingExhausted); continue; }
    if (c.gpu_policy.mutex && d.used > 0) { fail(reasons::kExclusiveDeviceAllocateConflict); continue; }
    const int32_t cores = Cores(d, req);
    const int64_t mem = MemoryMib(d, req);
    if ((quota.mem_mib && acc_mem + mem > *quota.mem_mib) ||
        (quota.cores && acc_cores + cores > *quota.cores)) {
      fail(reasons::kResourceQuotaNotFit);
      continue;
    }
    if (d.total_mem_mib - d.used_mem_mib < mem) { fail(reasons::kCardInsufficientMemory); continue; }
    if (d.total_cores - d.used_cores < cores) { fail(reasons::kCardInsufficientCore); continue; }
    if (d.total_cores == 100 && cores == 100 && d.used > 0) {
      fail(reasons::kExclusiveDeviceAllocateConflict);
      continue;
    }
    if (d.total_cores != 0 && d.used_cores == d.total_cores && cores == 0) {
      fail(reasons::kCardComputeUnitsExhausted);
      continue;
    }
    if (std::string_view reason = Refuse(d, req, mem, cores, quota); !reason.empty()) {
      fail(reason);
      continue;
    }
    picks.push_back({i, mem, cores, AllocationType(d)});
    acc_mem += mem;
    acc_cores += cores;
    if (!topology && --remaining == 0) break;
  }
  if (topology && static_cast<int>(picks.size()) > req.count) {
    picks = Choose(devices, picks, req.count, c);
  }
  if (static_cast<int>(picks.size()) < req.count || picks.empty()) {
    if (!picks.empty()) out.reasons[std::string(reasons::kAllocatedCardsInsufficientRequest)] = static_cast<int>(picks.size());
    return out;
  }
  out.ok = true;
  int64_t used_mem = 0, used_cores = 0;
  for (const Pick& p : picks) {
    used_mem += p.mem_mib;
    used_cores += p.cores;
  }
  out.chosen.assign(picks.begin(), picks.end());
  if (quota.mem_mib) *quota.mem_mib -= used_mem;
  if (quota.cores) *quota.cores -= used_cores;
  out.reasons.clear();
  return out;
}

}  // namespace hami::vendors::common
