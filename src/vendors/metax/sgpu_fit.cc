// MetaX sGPU fit: HAMi's check order for the vendor (health, app class, QoS,
// UUID, slots, mutex, memory, then cores unless online), every device
// examined, then the preferred devices among the candidates: online pods
// take the devices with the fewest online pods, exclusive pods (cores 100,
// no app class) the fewest MetaLink zones.
#include <algorithm>
#include <map>

#include "api/reasons.h"
#include "vendors/common/fit.h"
#include "vendors/metax/sgpu_rules.h"

namespace hami::vendors::metax::sgpu {
namespace {

namespace reasons = api::reasons;

bool Contains(const std::vector<std::string>& list, std::string_view id) {
  return std::find(list.begin(), list.end(), id) != list.end();
}

// Pods with and without an app class never share a device; offline pods do
// not join a device that runs online pods.
bool AppClassFits(std::string_view requested, const DeviceUsage& d) {
  if (d.used == 0) return true;
  const bool dev_online = d.class_pods[kOnlineClass] > 0, dev_offline = d.class_pods[kOfflineClass] > 0;
  const bool classed = requested == kOnline || requested == kOffline;
  if ((dev_online || dev_offline) != classed) return false;
  return !(dev_online && requested == kOffline);
}

bool QosFits(int32_t requested, const DeviceUsage& d, const DeviceRequest& req, bool held) {
  if (d.used == 0 || req.cores == 100 || held) return true;
  return d.policy == 0 || d.policy == requested;
}

// Fewer online pods first; devices running only offline pods last.
void PreferOnline(std::vector<DeviceUsage*>& cand) {
  std::stable_sort(cand.begin(), cand.end(), [](const DeviceUsage* a, const DeviceUsage* b) {
    const int32_t a_on = a->class_pods[kOnlineClass], a_off = a->class_pods[kOfflineClass];
    const int32_t b_on = b->class_pods[kOnlineClass], b_off = b->class_pods[kOfflineClass];
    const bool a_only = a_on == 0 && a_off > 0, b_only = b_on == 0 && b_off > 0;
    if (a_only != b_only) return b_only;
    if (a_only || a_on == b_on) return a_off < b_off;
    return a_on < b_on;
  });
}

// The smallest MetaLink zone that holds them all; else zones in size order,
// then devices outside any zone.
std::vector<DeviceUsage*> PreferLinked(const std::vector<DeviceUsage*>& cand, size_t want) {
  std::map<int32_t, std::vector<DeviceUsage*>> zones;
  std::vector<DeviceUsage*> others;
  for (DeviceUsage* d : cand) (d->group > 0 ? zones[d->group] : others).push_back(d);
  std::vector<const std::vector<DeviceUsage*>*> linked;
  for (const auto& [zone, devs] : zones) linked.push_back(&devs);
  std::stable_sort(linked.begin(), linked.end(), [](auto* a, auto* b) { return a->size() < b->size(); });
  for (auto* devs : linked) {
    if (devs->size() >= want) return {devs->begin(), devs->begin() + static_cast<std::ptrdiff_t>(want)};
  }
  std::vector<DeviceUsage*> out;
  for (auto* devs : linked) out.insert(out.end(), devs->begin(), devs->end());
  out.insert(out.end(), others.begin(), others.end());
  out.resize(want);
  return out;
}

class Fitter final : public common::CommonFitter {
 public:
  Fitter() : CommonFitter({"", "", "metax-tech.com/use-gpuuuid", "metax-tech.com/nouse-gpuuuid", "", ""}) {}

  StatusOr<FitConstraints> ParseConstraints(const AnnotationMap& pod, std::string_view default_policy) const override {
    ASSIGN_OR_RETURN(FitConstraints c, CommonFitter::ParseConstraints(pod, default_policy));
    for (std::string_view key : {kQosPolicy, kAppClass, kTopologyAware}) {
      if (auto it = pod.find(key); it != pod.end()) c.pod_values.emplace(it->first, it->second);
    }
    return c;
  }

  FitOutcome Fit(std::span<DeviceUsage* const> devices, const DeviceRequest& req, const FitConstraints& c,
                 QuotaBudget& pod) const override {
    FitOutcome out;
    const std::string_view app_class = PodValue(c, kAppClass);
    const bool online = app_class == kOnline;
    const int32_t qos = PolicyCode(PodValue(c, kQosPolicy), /*requested=*/true);
    auto fail = [&](std::string_view reason) { ++out.reasons[std::string(reason)]; };
    std::vector<DeviceUsage*> cand;
    for (auto it = devices.rbegin(); it != devices.rend(); ++it) {
      DeviceUsage& d = **it;
      ++out.examined;
      const bool held = std::any_of(pod.held_devices.begin(), pod.held_devices.end(),
                                    [&](const HeldDevice& h) { return h.id == d.id; });
      if (!d.healthy) { fail(reasons::kCardUnhealthy); continue; }
      if (!AppClassFits(app_class, d)) { fail(reasons::kCardAppClassMismatch); continue; }
      if (!online && !QosFits(qos, d, req, held)) { fail(reasons::kCardQosPolicyMismatch); continue; }
      if ((!c.use_uuids.empty() && !Contains(c.use_uuids, d.id)) || Contains(c.nouse_uuids, d.id)) {
        fail(reasons::kCardUuidMismatch);
        continue;
      }
      if (d.count <= d.used) { fail(reasons::kCardTimeSlicingExhausted); continue; }
      if (c.gpu_policy.mutex && d.used > 0) { fail(reasons::kExclusiveDeviceAllocateConflict); continue; }
      if (d.total_mem_mib - d.used_mem_mib < MemoryMib(d, req)) { fail(reasons::kCardInsufficientMemory); continue; }
      if (!online) {
        if (d.total_cores - d.used_cores < req.cores) { fail(reasons::kCardInsufficientCore); continue; }
        if (d.total_cores == 100 && req.cores == 100 && d.used > 0) {
          fail(reasons::kExclusiveDeviceAllocateConflict);
          continue;
        }
        if (d.total_cores != 0 && d.used_cores == d.total_cores && req.cores == 0) {
          fail(reasons::kCardComputeUnitsExhausted);
          continue;
        }
      }
      cand.push_back(&d);
    }
    const auto want = static_cast<size_t>(std::max(req.count, 0));
    if (cand.size() < want || want == 0) {
      if (!cand.empty()) out.reasons[std::string(reasons::kAllocatedCardsInsufficientRequest)] = static_cast<int>(cand.size());
      return out;
    }
    std::vector<DeviceUsage*> best(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(want));
    if (cand.size() > want) {
      if (c.pod_values.contains(kAppClass)) {
        if (online) {
          PreferOnline(cand);
          best.assign(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(want));
        }
      } else if (req.cores == 100) {
        best = PreferLinked(cand, want);
      }
    }
    for (DeviceUsage* d : best) {
      const int pos = static_cast<int>(std::find(devices.begin(), devices.end(), d) - devices.begin());
      out.chosen.push_back({pos, MemoryMib(*d, req), online ? 0 : req.cores, {}});
    }
    out.ok = true;
    out.reasons.clear();
    return out;
  }
};

}  // namespace

std::unique_ptr<const DeviceFitter> MakeFitter() { return std::make_unique<Fitter>(); }

}  // namespace hami::vendors::metax::sgpu
