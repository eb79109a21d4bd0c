// MetaX sGPU node score (HAMi's ScoreNode for the vendor): online pods prefer
// nodes whose chosen devices run few online (and offline) pods; exclusive
// pods (cores 100) with topology awareness prefer taking whole MetaLink zones
// and leaving whole zones idle. Policy-neutral: x10000 under binpack,
// x-10000 under spread.
#include <algorithm>

#include "vendors/common/text.h"
#include "vendors/metax/sgpu_rules.h"

namespace hami::vendors::metax::sgpu {
namespace {

constexpr int kDirectLinkScore = 10;

struct Linked {
  std::string_view id;
  int32_t zone = 0;
};

// 10 per pair of different devices in the same non-zero zone.
int LinkScore(const std::vector<Linked>& devs) {
  int score = 0;
  for (size_t i = 0; i < devs.size(); ++i) {
    for (size_t j = i + 1; j < devs.size(); ++j) {
      const Linked &a = devs[i], &b = devs[j];
      if (a.id != b.id && a.zone != 0 && a.zone == b.zone) score += kDirectLinkScore;
    }
  }
  return score;
}

bool Taken(const ScoreInput& in, std::string_view id) {
  return std::any_of(in.taken.begin(), in.taken.end(), [&](const HeldDevice& h) { return h.id == id; });
}

int OnlineScore(const ScoreInput& in) {
  int result = 0;
  for (const DeviceUsage& d : in.before) {
    if (d.vendor != kKeyword || !Taken(in, d.id)) continue;
    const int on = d.class_pods[kOnlineClass], off = d.class_pods[kOfflineClass];
    result += (off > 0 && on == 0) ? -100 * off : -20 * on - 2 * off;
  }
  return result;
}

int ExclusiveScore(const ScoreInput& in) {
  auto zone_of = [&](std::string_view id) {
    for (const DeviceUsage& d : in.before) {
      if (d.vendor == kKeyword && d.id == id) return d.group;
    }
    return 0;
  };
  std::vector<Linked> allocated, available, rest;
  for (const HeldDevice& h : in.taken) {
    if (h.cores == 100) allocated.push_back({h.id, zone_of(h.id)});
  }
  for (const DeviceUsage& d : in.before) {
    if (d.vendor != kKeyword || d.used != 0) continue;
    available.push_back({d.id, d.group});
    if (std::none_of(allocated.begin(), allocated.end(), [&](const Linked& a) { return a.id == d.id; })) {
      rest.push_back({d.id, d.group});
    }
  }
  const int alloc = LinkScore(allocated);
  const int loss = LinkScore(available) - alloc - LinkScore(rest);
  return 10 * alloc - loss;
}

// The first exclusive device decides: the pod's annotation, else the config.
bool TopologyAware(const ScoreInput& in, bool config_default) {
  for (const HeldDevice& h : in.taken) {
    if (h.cores != 100) continue;
    if (in.constraints == nullptr) return config_default;
    std::string_view v = PodValue(*in.constraints, kTopologyAware);
    return v.empty() ? config_default : common::ParseBool(v).value_or(config_default);
  }
  return false;
}

}  // namespace

NodeScorer MakeScorer(bool topology_aware) {
  return [topology_aware](const ScoreInput& in) -> double {
    const int weight = in.binpack ? 10000 : -10000;
    if (in.constraints != nullptr && PodValue(*in.constraints, kAppClass) == kOnline) {
      return static_cast<double>(weight) * OnlineScore(in);
    }
    if (TopologyAware(in, topology_aware)) return static_cast<double>(weight) * ExclusiveScore(in);
    return 0;
  };
}

}  // namespace hami::vendors::metax::sgpu
