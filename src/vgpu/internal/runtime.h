// libvgpu process-wide state: configuration, the mapped shared region, this
// process's slot, the real driver entry points, and memory accounting.
// All globals are constinit PODs/atomics; Init() runs lazily (pthread_once).
// Hot-path functions here never allocate, lock or log.
#ifndef HAMI_VGPU_INTERNAL_RUNTIME_H_
#define HAMI_VGPU_INTERNAL_RUNTIME_H_

#include <cuda.h>
#include <cudaTypedefs.h>
#include <stdint.h>

#include <atomic>

#include "vgpu/shared_region.h"

// cuda.h maps cuGetProcAddress to _v2; we handle both ABIs by exact name.
#undef cuGetProcAddress

#define HAMI_EXPORT extern "C" __attribute__((visibility("default")))
#define HAMI_LIKELY(x) __builtin_expect(!!(x), 1)
#define HAMI_UNLIKELY(x) __builtin_expect(!!(x), 0)

namespace hami::vgpu {

enum Sym : int {
#define HOOK(name, type) k_##name,
#define REAL(name, type) k_##name,
#include "vgpu/cuda_symbols.def"
#undef HOOK
#undef REAL
  kSymCount
};

// Real driver entry points, exactly typed.
struct RealCuda {
#define HOOK(name, type) type name;
#define REAL(name, type) type name;
#include "vgpu/cuda_symbols.def"
#undef HOOK
#undef REAL
};
extern constinit RealCuda g_real;
// Same pointers, indexable by Sym (for lookups by address).
void* RealBySym(int sym);
const char* SymName(int sym);
void* HookBySym(int sym);  // nullptr for REAL-only symbols
int FindHookByName(const char* name);  // -1 if not hooked

enum CorePolicy : int { kPolicyDefault = 0, kPolicyForce = 1, kPolicyDisable = 2 };

struct DeviceConfig {
  char uuid[HAMI_VGPU_UUID_LEN];
  uint64_t memory_limit_bytes;  // 0 = unlimited
  uint32_t sm_limit_percent;    // 0 or >= 100 = unlimited
};

struct Config {
  int num_devices;
  DeviceConfig devices[HAMI_VGPU_MAX_DEVICES];
  char region_path[512];
  int core_policy;
  int priority;
  int log_level;
  uint64_t context_overhead_bytes;  // charged per context when > 0
  bool from_file;                   // limits came from the read-only file
};

extern constinit Config g_cfg;
extern constinit hami_vgpu_region* g_region;
extern constinit int g_slot;  // own slot index, -1 = none
extern constinit std::atomic<int> g_ready;
extern constinit std::atomic<bool> g_compute_active;  // any SM limit in (0,100)

void InitSlow();
inline void Init() {
  if (HAMI_UNLIKELY(g_ready.load(std::memory_order_acquire) == 0)) InitSlow();
}

// Parses the limits file (key=value lines, see docs/isolation.md). Returns
// false if it cannot be read; unknown keys are ignored. Exposed for tests.
bool ParseLimitsText(const char* text, Config* out);
// HAMi-compatible size parsing ("3000m", "2g", "1024"): bytes, 0 on error.
uint64_t ParseSizeBytes(const char* s);

// Container-local device index (0..15) of a CUDA ordinal, or -1 when the
// device is not one of the container's configured devices.
int DeviceIndexOfOrdinal(CUdevice dev);
int CurrentDeviceIndex();  // of the current context; -1 if none/unknown

// Memory accounting on the own slot. Reserve is atomic across processes:
// never lets the container total exceed the limit. `field` selects the
// breakdown counter (0 context, 2 data).
bool Reserve(int idx, uint64_t bytes, int field);
void Unreserve(int idx, uint64_t bytes, int field);
uint64_t ContainerUsage(int idx);
int SweepDeadSlots();  // returns how many slots were reclaimed
void MaybeSweep();     // SweepDeadSlots at most every 250 ms container-wide
bool ProcessAlive(int32_t pid, uint64_t start_time);
uint64_t ProcStartTime(int32_t pid);
uint64_t MonotonicNs();

// Rounds to the device's allocation granularity (2 MiB when unknown) for
// sizes above half of it; smaller requests are rounded to 512 bytes.
uint64_t ChargedBytes(int idx, uint64_t bytes);

// Env mode: fills cfg->devices[].uuid from NVML (index order) or CUDA.
void FillDevicesFromDriver(Config* cfg);
// True when this process runs in the host pid namespace (pid == host pid).
bool NsPidIsHost();

void RawLog(int level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace hami::vgpu

#endif  // HAMI_VGPU_INTERNAL_RUNTIME_H_
