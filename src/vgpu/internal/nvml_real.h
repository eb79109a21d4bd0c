// Real NVML entry points libvgpu needs, loaded on first use by dlopen.
#ifndef HAMI_VGPU_INTERNAL_NVML_REAL_H_
#define HAMI_VGPU_INTERNAL_NVML_REAL_H_

#include <nvml.h>

#include "vgpu/internal/runtime.h"

namespace hami::vgpu {

struct RealNvml {
  decltype(&::nvmlInit_v2) nvmlInit_v2;
  decltype(&::nvmlDeviceGetCount_v2) nvmlDeviceGetCount_v2;
  decltype(&::nvmlDeviceGetHandleByIndex_v2) nvmlDeviceGetHandleByIndex_v2;
  decltype(&::nvmlDeviceGetUUID) nvmlDeviceGetUUID;
  decltype(&::nvmlDeviceGetMemoryInfo) nvmlDeviceGetMemoryInfo;
  decltype(&::nvmlDeviceGetMemoryInfo_v2) nvmlDeviceGetMemoryInfo_v2;
  decltype(&::nvmlDeviceGetProcessUtilization) nvmlDeviceGetProcessUtilization;
  decltype(&::nvmlDeviceGetHandleByUUID) nvmlDeviceGetHandleByUUID;
};

// Loads and initializes NVML once; returns nullptr when unavailable.
const RealNvml* GetRealNvml();
// Fills cfg->devices[i].uuid in NVML index order; returns the count (0 if none).
int NvmlListUuids(Config* cfg);
// Container index of an NVML handle, or -1.
int DeviceIndexOfNvml(nvmlDevice_t dev);

}  // namespace hami::vgpu

#endif  // HAMI_VGPU_INTERNAL_NVML_REAL_H_
