// Every reason string the scheduler side shows a user: the per-device fit
// reasons HAMi v2.10 counts in "n/m Reason" summaries (FilteringFailed events,
// kube-scheduler's FailedScheduling message), the per-node reasons of a filter
// answer, and the Kubernetes Event reasons posted on pods and nodes.
//
// Contract: code that emits one of these uses the constant, never a literal;
// the README's troubleshooting table explains every entry of the k*Reasons
// lists below (tests/docs/reasons_test.py checks both).
#pragma once

#include <string_view>

namespace hami::api::reasons {

// --- Per-device fit reasons (HAMi's tokens, exact strings) -------------------
inline constexpr std::string_view kCardNotHealth = "CardNotHealth";
inline constexpr std::string_view kCardCordoned = "CardCordoned";
inline constexpr std::string_view kCardTypeMismatch = "CardTypeMismatch";
inline constexpr std::string_view kCardUuidMismatch = "CardUuidMismatch";
inline constexpr std::string_view kNumaNotFit = "NumaNotFit";
inline constexpr std::string_view kCardTimeSlicingExhausted = "CardTimeSlicingExhausted";
inline constexpr std::string_view kExclusiveDeviceAllocateConflict = "ExclusiveDeviceAllocateConflict";
inline constexpr std::string_view kResourceQuotaNotFit = "ResourceQuotaNotFit";
inline constexpr std::string_view kCardInsufficientMemory = "CardInsufficientMemory";
inline constexpr std::string_view kCardInsufficientCore = "CardInsufficientCore";
inline constexpr std::string_view kCardComputeUnitsExhausted = "CardComputeUnitsExhausted";
inline constexpr std::string_view kAllocatedCardsInsufficientRequest = "AllocatedCardsInsufficientRequest";
inline constexpr std::string_view kNodeInsufficientDevice = "NodeInsufficientDevice";
// A vendor's own rule refused the device (Moore Threads: one device per pod).
inline constexpr std::string_view kCardNotFoundCustomFilterRule = "CardNotFoundCustomFilterRule";
// MetaX sGPU's own tokens: the plugin reports the device unhealthy; the
// device runs another QoS policy; the device runs pods of another app class.
inline constexpr std::string_view kCardUnhealthy = "CardUnhealthy";
inline constexpr std::string_view kCardQosPolicyMismatch = "CardQosPolicyMismatch";
inline constexpr std::string_view kCardAppClassMismatch = "CardAppClassMismatch";
// The node cannot serve the requested mode: an Ascend pod asks for the
// hami-core soft split (huawei.com/vnpu-mode) and the node does not run it
// (hami-vnpu-core / vnpus.hamiVnpuCore); Enflame DRS: no slice profile
// matches the request (counted once over the node's cards).
inline constexpr std::string_view kModeNotFit = "ModeNotFit";

inline constexpr std::string_view kFitReasons[] = {
    kCardNotHealth,           kCardCordoned,          kCardTypeMismatch,
    kCardUuidMismatch,        kNumaNotFit,            kCardTimeSlicingExhausted,
    kExclusiveDeviceAllocateConflict, kResourceQuotaNotFit, kCardInsufficientMemory,
    kCardInsufficientCore,    kCardComputeUnitsExhausted, kAllocatedCardsInsufficientRequest,
    kNodeInsufficientDevice,  kCardNotFoundCustomFilterRule, kCardUnhealthy,
    kCardQosPolicyMismatch,   kCardAppClassMismatch,    kModeNotFit,
};

// --- Per-node reasons of a filter answer (FailedNodes) ------------------------
inline constexpr std::string_view kNodeUnregistered = "node unregistered";
inline constexpr std::string_view kNodeChangedRetry = "node changed while scheduling, retry";

inline constexpr std::string_view kNodeReasons[] = {kNodeUnregistered, kNodeChangedRetry};

// --- Kubernetes Event reasons ----------------------------------------------------
inline constexpr std::string_view kEventFilteringFailed = "FilteringFailed";
inline constexpr std::string_view kEventFilteringSucceed = "FilteringSucceed";
inline constexpr std::string_view kEventBindingFailed = "BindingFailed";
inline constexpr std::string_view kEventBindingSucceed = "BindingSucceed";
inline constexpr std::string_view kEventInvalidAllocation = "InvalidAllocation";
inline constexpr std::string_view kEventInvalidRegistration = "InvalidRegistration";
inline constexpr std::string_view kEventInvalidNode = "InvalidNode";
inline constexpr std::string_view kEventDevicesUnhealthy = "DevicesUnhealthy";
inline constexpr std::string_view kEventAllocateFailed = "AllocateFailed";  // device plugin

inline constexpr std::string_view kEventReasons[] = {
    kEventFilteringFailed,   kEventFilteringSucceed,     kEventBindingFailed,
    kEventBindingSucceed,    kEventInvalidAllocation,    kEventInvalidRegistration,
    kEventInvalidNode,       kEventDevicesUnhealthy,     kEventAllocateFailed,
};

}  // namespace hami::api::reasons
