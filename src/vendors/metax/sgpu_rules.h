// Internal to the MetaX sGPU vendor: its pod annotation keys, the QoS policy
// codes kept in DeviceUsage::policy, the app classes counted in
// DeviceUsage::class_pods, and its fit and node-score roles.
#pragma once

#include <memory>
#include <string_view>

#include "vendors/vendor.h"

namespace hami::vendors::metax::sgpu {

inline constexpr std::string_view kKeyword = "Metax-SGPU";
inline constexpr std::string_view kQosPolicy = "metax-tech.com/sgpu-qos-policy";
inline constexpr std::string_view kAppClass = "metax-tech.com/sgpu-app-class";
inline constexpr std::string_view kTopologyAware = "metax-tech.com/sgpu-topology-aware";
inline constexpr std::string_view kOnline = "online", kOffline = "offline";
inline constexpr std::string_view kBestEffort = "best-effort", kFixedShare = "fixed-share",
                                  kBurstShare = "burst-share";

// "" = 0, best-effort 1, fixed-share 2, burst-share 3; any other device
// policy 4, any other requested policy 5 (they match nothing but "").
int32_t PolicyCode(std::string_view qos, bool requested);

// Pod classes in DeviceUsage::class_pods.
inline constexpr int32_t kOnlineClass = 0, kOfflineClass = 1;

// The value of `key` in the constraints' pod values ("" when absent).
std::string_view PodValue(const FitConstraints& c, std::string_view key);

std::unique_ptr<const DeviceFitter> MakeFitter();
// The node score (reference 6.6, policy-neutral: x10000 under binpack,
// x-10000 under spread); `topology_aware` is the config default.
NodeScorer MakeScorer(bool topology_aware);

}  // namespace hami::vendors::metax::sgpu
