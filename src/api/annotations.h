// The catalogue of HAMi v2.10 annotation and label keys, resource names and
// environment variables that hami reads or writes. Exact strings: they are the
// wire contract with HAMi's vendor plugins, dashboards and existing clusters.
#pragma once

#include <string_view>

namespace hami::api {

// --- Node annotations -------------------------------------------------------
inline constexpr std::string_view kNodeNvidiaRegister = "hami.io/node-nvidia-register";
inline constexpr std::string_view kNodeNvidiaScore = "hami.io/node-nvidia-score";
inline constexpr std::string_view kNodeHandshake = "hami.io/node-handshake";
inline constexpr std::string_view kNodeLock = "hami.io/mutex.lock";
inline constexpr std::string_view kNodeDeviceCordon = "hami.io/device-cordon";

// --- Pod annotations and labels --------------------------------------------
inline constexpr std::string_view kVgpuNode = "hami.io/vgpu-node";  // annotation and label
inline constexpr std::string_view kVgpuTime = "hami.io/vgpu-time";
inline constexpr std::string_view kBindTime = "hami.io/bind-time";
inline constexpr std::string_view kBindPhase = "hami.io/bind-phase";
inline constexpr std::string_view kNvidiaDevicesToAllocate = "hami.io/vgpu-devices-to-allocate";
inline constexpr std::string_view kNvidiaDevicesAllocated = "hami.io/vgpu-devices-allocated";
inline constexpr std::string_view kMigAllocations = "hami.io/vgpu-mig-allocations";
inline constexpr std::string_view kUseGpuType = "nvidia.com/use-gputype";
inline constexpr std::string_view kNoUseGpuType = "nvidia.com/nouse-gputype";
inline constexpr std::string_view kUseGpuUuid = "nvidia.com/use-gpuuuid";
inline constexpr std::string_view kNoUseGpuUuid = "nvidia.com/nouse-gpuuuid";
inline constexpr std::string_view kNumaBind = "nvidia.com/numa-bind";
inline constexpr std::string_view kVgpuMode = "nvidia.com/vgpu-mode";
inline constexpr std::string_view kNodeSchedulerPolicy = "hami.io/node-scheduler-policy";
inline constexpr std::string_view kGpuSchedulerPolicy = "hami.io/gpu-scheduler-policy";
inline constexpr std::string_view kDeviceScoringWeights = "hami.io/device-scoring-weights";
inline constexpr std::string_view kWebhookIgnoreLabel = "hami.io/webhook";  // value "ignore"
inline constexpr std::string_view kSchedulerRoleLabel = "hami.io/scheduler-role";
inline constexpr std::string_view kPodGroupLabel = "scheduling.x-k8s.io/pod-group";

// Bind phases (value of kBindPhase).
inline constexpr std::string_view kBindPhaseAllocating = "allocating";
inline constexpr std::string_view kBindPhaseSuccess = "success";
inline constexpr std::string_view kBindPhaseFailed = "failed";

// --- NVIDIA resource names (defaults; configurable in device-config.yaml) ---
inline constexpr std::string_view kNvidiaResourceCount = "nvidia.com/gpu";
inline constexpr std::string_view kNvidiaResourceMemory = "nvidia.com/gpumem";
inline constexpr std::string_view kNvidiaResourceMemoryPercentage = "nvidia.com/gpumem-percentage";
inline constexpr std::string_view kNvidiaResourceCores = "nvidia.com/gpucores";
inline constexpr std::string_view kNvidiaResourcePriority = "nvidia.com/priority";

// The vendor keyword ("CommonWord") used as the device type in NVIDIA pod device lists.
inline constexpr std::string_view kNvidiaDeviceKeyword = "NVIDIA";

// --- Container environment (libvgpu / HAMi-core contract) -------------------
inline constexpr std::string_view kEnvMemoryLimitPrefix = "CUDA_DEVICE_MEMORY_LIMIT_";  // + index, value "<MiB>m"
inline constexpr std::string_view kEnvSmLimit = "CUDA_DEVICE_SM_LIMIT";
inline constexpr std::string_view kEnvSharedCache = "CUDA_DEVICE_MEMORY_SHARED_CACHE";
inline constexpr std::string_view kEnvOversubscribe = "CUDA_OVERSUBSCRIBE";
inline constexpr std::string_view kEnvLogLevel = "LIBCUDA_LOG_LEVEL";
inline constexpr std::string_view kEnvCorePolicy = "GPU_CORE_UTILIZATION_POLICY";
inline constexpr std::string_view kEnvTaskPriority = "CUDA_TASK_PRIORITY";
inline constexpr std::string_view kEnvDisableControl = "CUDA_DISABLE_CONTROL";
inline constexpr std::string_view kEnvVisibleDevices = "NVIDIA_VISIBLE_DEVICES";

}  // namespace hami::api
