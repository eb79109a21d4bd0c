// The container side of Allocate as pure functions: from one container's entry
// of the pod device list to kubelet's ContainerAllocateResponse (env for
// libvgpu/HAMi-core, mounts, reference 8.4) plus the read-only limits file, and
// MaterializeContainer() which creates the host directory and writes that file.
//
// Host layout under <hook> (default /usr/local):
//   vgpu/libvgpu.so, vgpu/ld.so.preload           installed by the DaemonSet
//   vgpu/containers/<podUID>_<ctr>/               rw, mounted at <hook>/vgpu
//   vgpu/limits/<podUID>_<ctr>.limits             ro, mounted at kLimitsContainerPath
#pragma once

#include <string>

#include "deviceplugin/config.h"
#include "api/pod_devices.h"
#include "deviceplugin/v1beta1/api.pb.h"
#include "vgpu/limits.h"

namespace hami::deviceplugin {

// Where libvgpu finds the limits file inside the container (read first, before env).
// A fixed path, not an environment variable, so the tenant cannot redirect it.
inline constexpr char kLimitsContainerPath[] = HAMI_VGPU_LIMITS_PATH;

struct ContainerAllocation {
  std::string pod_uid;
  std::string container_name;
  api::ContainerDevices devices;  // from the to-allocate annotation, non-empty
  bool disable_control = false;        // container env CUDA_DISABLE_CONTROL is true
  std::string task_priority;           // container env CUDA_TASK_PRIORITY, if any
};

struct ContainerPlan {
  v1beta1::ContainerAllocateResponse response;
  std::string container_dir;  // host, created 0777
  std::string limits_path;    // host, written 0444
  std::string limits_text;
};

ContainerPlan PlanContainer(const ContainerAllocation& alloc, const PluginConfig& config,
                            const std::string& hook_path, const std::string& shared_cache_name);

// Limits file in libvgpu's format (vgpu/limits.h); `shared_region_path` is the
// container-side path of the accounting file.
std::string RenderLimitsFile(const ContainerAllocation& alloc, const PluginConfig& config,
                             const std::string& shared_region_path);

// Creates container_dir (0777) and atomically writes the limits file (0444).
Status MaterializeContainer(const ContainerPlan& plan);

// Random version-4 UUID text (shared cache file names).
std::string RandomUuid();

}  // namespace hami::deviceplugin
