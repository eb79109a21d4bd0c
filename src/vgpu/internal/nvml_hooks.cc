// NVML: the real library loaded on demand, and the virtualized memory queries
// (nvidia-smi and frameworks see total = min(limit, physical)).
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "vgpu/internal/hooks.h"
#include "vgpu/internal/nvml_real.h"

namespace hami::vgpu {

void* RealDlsym(void* handle, const char* name);

namespace {
constinit RealNvml g_nvml{};
constinit bool g_nvml_ok = false;
constinit pthread_once_t g_nvml_once = PTHREAD_ONCE_INIT;

void LoadNvml() {
  void* h = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_NODELETE);
  if (!h) return;
#define LOAD(name) g_nvml.name = reinterpret_cast<decltype(g_nvml.name)>(RealDlsym(h, #name))
  LOAD(nvmlInit_v2);
  LOAD(nvmlDeviceGetCount_v2);
  LOAD(nvmlDeviceGetHandleByIndex_v2);
  LOAD(nvmlDeviceGetUUID);
  LOAD(nvmlDeviceGetMemoryInfo);
  LOAD(nvmlDeviceGetMemoryInfo_v2);
  LOAD(nvmlDeviceGetProcessUtilization);
  LOAD(nvmlDeviceGetHandleByUUID);
#undef LOAD
  g_nvml_ok = g_nvml.nvmlInit_v2 && g_nvml.nvmlInit_v2() == NVML_SUCCESS;
}
}  // namespace

const RealNvml* GetRealNvml() {
  pthread_once(&g_nvml_once, LoadNvml);
  return g_nvml_ok ? &g_nvml : nullptr;
}

int NvmlListUuids(Config* cfg) {
  const RealNvml* n = GetRealNvml();
  unsigned count = 0;
  if (!n || n->nvmlDeviceGetCount_v2(&count) != NVML_SUCCESS) return 0;
  if (count > HAMI_VGPU_MAX_DEVICES) count = HAMI_VGPU_MAX_DEVICES;
  for (unsigned i = 0; i < count; ++i) {
    nvmlDevice_t d{};
    if (n->nvmlDeviceGetHandleByIndex_v2(i, &d) != NVML_SUCCESS) return int(i);
    n->nvmlDeviceGetUUID(d, cfg->devices[i].uuid, HAMI_VGPU_UUID_LEN);
  }
  return int(count);
}

int DeviceIndexOfNvml(nvmlDevice_t dev) {
  const RealNvml* n = GetRealNvml();
  char uuid[HAMI_VGPU_UUID_LEN];
  if (!n || n->nvmlDeviceGetUUID(dev, uuid, sizeof(uuid)) != NVML_SUCCESS) return -1;
  for (int i = 0; i < g_cfg.num_devices; ++i) {
    if (!strcasecmp(uuid, g_cfg.devices[i].uuid)) return i;
  }
  return -1;
}

bool NsPidIsHost() {
  char buf[64];
  ssize_t n = readlink("/proc/self/ns/pid", buf, sizeof(buf) - 1);
  if (n <= 0) return false;
  buf[n] = '\0';
  return strcmp(buf, "pid:[4026531836]") == 0;  // the initial pid namespace
}

namespace {
// Applies total = min(limit, physical), used = container usage,
// free = min(total - used, physical free), saturating.
void Virtualize(int idx, unsigned long long* total, unsigned long long* free,
                unsigned long long* used) {
  uint64_t limit = idx >= 0 ? g_cfg.devices[idx].memory_limit_bytes : 0;
  if (limit == 0) return;
  MaybeSweep();
  uint64_t t = limit < *total ? limit : *total;
  uint64_t u = ContainerUsage(idx);
  uint64_t f = u >= t ? 0 : t - u;
  if (f > *free) f = *free;
  *total = t;
  *free = f;
  *used = u;
}
}  // namespace

}  // namespace hami::vgpu

using namespace hami::vgpu;

extern "C" {
__attribute__((visibility("default"))) nvmlReturn_t hami_nvml_GetMemoryInfo(
    nvmlDevice_t device, nvmlMemory_t* memory) __asm__("nvmlDeviceGetMemoryInfo");
__attribute__((visibility("default"))) nvmlReturn_t hami_nvml_GetMemoryInfo_v2(
    nvmlDevice_t device, nvmlMemory_v2_t* memory) __asm__("nvmlDeviceGetMemoryInfo_v2");
}

nvmlReturn_t hami_nvml_GetMemoryInfo(nvmlDevice_t device, nvmlMemory_t* memory) {
  Init();
  const RealNvml* n = GetRealNvml();
  if (!n || !n->nvmlDeviceGetMemoryInfo) return NVML_ERROR_UNINITIALIZED;
  nvmlReturn_t rc = n->nvmlDeviceGetMemoryInfo(device, memory);
  if (rc == NVML_SUCCESS && memory) {
    Virtualize(DeviceIndexOfNvml(device), &memory->total, &memory->free, &memory->used);
  }
  return rc;
}

nvmlReturn_t hami_nvml_GetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t* memory) {
  Init();
  const RealNvml* n = GetRealNvml();
  if (!n || !n->nvmlDeviceGetMemoryInfo_v2) return NVML_ERROR_UNINITIALIZED;
  nvmlReturn_t rc = n->nvmlDeviceGetMemoryInfo_v2(device, memory);
  if (rc == NVML_SUCCESS && memory) {
    int idx = DeviceIndexOfNvml(device);
    if (idx >= 0 && g_cfg.devices[idx].memory_limit_bytes) {
      memory->reserved = 0;
      Virtualize(idx, &memory->total, &memory->free, &memory->used);
    }
  }
  return rc;
}

namespace hami::vgpu {
// dlsym support for the two NVML hooks: substitute only libnvidia-ml's own.
int NvmlHookFor(const char* name, void* real, void** out) {
  const RealNvml* n = GetRealNvml();
  if (!n) return 0;
  if (!strcmp(name, "nvmlDeviceGetMemoryInfo") &&
      real == reinterpret_cast<void*>(n->nvmlDeviceGetMemoryInfo)) {
    *out = reinterpret_cast<void*>(&hami_nvml_GetMemoryInfo);
    return 1;
  }
  if (!strcmp(name, "nvmlDeviceGetMemoryInfo_v2") &&
      real == reinterpret_cast<void*>(n->nvmlDeviceGetMemoryInfo_v2)) {
    *out = reinterpret_cast<void*>(&hami_nvml_GetMemoryInfo_v2);
    return 1;
  }
  return 0;
}
}  // namespace hami::vgpu
