// TEST DOUBLE: fake libcuda.so.1. Simulates the devices of HAMI_SIM_GPUS:
// device memory shared by all processes (with the driver's 2 MiB rounding and
// per-context overhead), kernels that occupy a shared per-GPU timeline for a
// simulated duration, and cuGetProcAddress with per-thread-stream variants.
// Kernel duration: a function named "k<N>us" runs N microseconds; others run
// HAMI_FAKE_KERNEL_US (default 100). Never shipped.
#include <cuda.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <vector>
#include <string>
#include <unordered_map>

#include "sim_state.h"

#undef cuGetProcAddress

using namespace hami::fake;

namespace {

struct Alloc {
  int gpu;
  uint64_t bytes;
};
std::mutex g_mu;
std::unordered_map<uint64_t, Alloc>& Allocs() {
  static auto* m = new std::unordered_map<uint64_t, Alloc>();
  return *m;
}
std::atomic<uint64_t> g_next_addr{0};
thread_local int t_current = -1;  // current device (context) of this thread
thread_local uint64_t t_last_end = 0;

int NumGpus() { return int(Config().gpus.size()); }

// CUDA_VISIBLE_DEVICES (indices or UUIDs) selects and orders the ordinals; the
// CUdevice handle of an ordinal is the physical GPU index (opaque, as in CUDA).
const std::vector<int>& Visible() {
  static const std::vector<int> v = [] {
    std::vector<int> out;
    const char* e = getenv("CUDA_VISIBLE_DEVICES");
    if (!e) {
      for (int i = 0; i < NumGpus(); ++i) out.push_back(i);
      return out;
    }
    std::string s(e), tok;
    std::stringstream ss(s);
    while (std::getline(ss, tok, ',')) {
      int found = -1;
      for (int i = 0; i < NumGpus(); ++i) {
        if (tok == Config().gpus[i].uuid || tok == std::to_string(i)) found = i;
      }
      if (found < 0) break;  // like CUDA: stop at the first invalid entry
      out.push_back(found);
    }
    return out;
  }();
  return v;
}
uint64_t Round2M(uint64_t b) { return (b + (2u << 20) - 1) / (2u << 20) * (2u << 20); }

uint64_t NewAddress(uint64_t bytes) {
  uint64_t base = (uint64_t(getpid() & 0xffff) << 32) | 0x100000000000ull;
  return base + g_next_addr.fetch_add(Round2M(bytes ? bytes : 1));
}

CUresult Take(int gpu, uint64_t bytes, uint64_t* key) {
  if (gpu < 0 || gpu >= NumGpus()) return CUDA_ERROR_INVALID_CONTEXT;
  uint64_t phys = Round2M(bytes);
  PidEntry* e = OwnPidEntry();
  if (!e) return CUDA_ERROR_OUT_OF_MEMORY;
  std::atomic_ref<uint64_t> used(e->used[gpu]);
  used.fetch_add(phys);
  if (UsedBytes(gpu) > Config().gpus[gpu].memory_bytes) {
    used.fetch_sub(phys);
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
  *key = NewAddress(bytes);
  std::lock_guard<std::mutex> l(g_mu);
  Allocs()[*key] = Alloc{gpu, phys};
  return CUDA_SUCCESS;
}

CUresult Give(uint64_t key) {
  Alloc a;
  {
    std::lock_guard<std::mutex> l(g_mu);
    auto it = Allocs().find(key);
    if (it == Allocs().end()) return CUDA_ERROR_INVALID_VALUE;
    a = it->second;
    Allocs().erase(it);
  }
  if (PidEntry* e = OwnPidEntry()) std::atomic_ref<uint64_t>(e->used[a.gpu]).fetch_sub(a.bytes);
  return CUDA_SUCCESS;
}

CUcontext CtxOf(int gpu) { return reinterpret_cast<CUcontext>(uintptr_t(0x1000 + gpu)); }
int GpuOfCtx(CUcontext c) {
  intptr_t v = intptr_t(reinterpret_cast<uintptr_t>(c)) - 0x1000;
  return v >= 0 && v < NumGpus() ? int(v) : -1;
}

uint64_t DurationNs(CUfunction f) { return uint64_t(reinterpret_cast<uintptr_t>(f)); }

CUresult Launch(CUfunction f) {
  if (t_current < 0) return CUDA_ERROR_INVALID_CONTEXT;
  t_last_end = QueueKernel(t_current, DurationNs(f));
  return CUDA_SUCCESS;
}

void SleepUntil(uint64_t t) {
  uint64_t now = NowNs();
  if (t <= now) return;
  timespec ts{time_t((t - now) / 1000000000ull), long((t - now) % 1000000000ull)};
  nanosleep(&ts, nullptr);
}

}  // namespace

extern "C" {
#define EXPORT __attribute__((visibility("default")))

EXPORT CUresult cuInit(unsigned int) { return CUDA_SUCCESS; }
EXPORT CUresult cuDriverGetVersion(int* v) {
  if (!v) return CUDA_ERROR_INVALID_VALUE;
  *v = Config().cuda_driver_version;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGetCount(int* n) {
  if (!n) return CUDA_ERROR_INVALID_VALUE;
  *n = int(Visible().size());
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGet(CUdevice* d, int ordinal) {
  if (!d || ordinal < 0 || ordinal >= int(Visible().size())) return CUDA_ERROR_INVALID_DEVICE;
  *d = Visible()[ordinal];
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGetName(char* name, int len, CUdevice d) {
  if (!name || d < 0 || d >= NumGpus()) return CUDA_ERROR_INVALID_VALUE;
  snprintf(name, size_t(len), "%s", Config().gpus[d].name.c_str());
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGetUuid_v2(CUuuid* u, CUdevice d) {
  if (!u || d < 0 || d >= NumGpus()) return CUDA_ERROR_INVALID_VALUE;
  // Parse "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into 16 bytes.
  const std::string& s = Config().gpus[d].uuid;
  int n = 0;
  for (size_t i = 4; i + 1 < s.size() && n < 16; ++i) {
    if (s[i] == '-') continue;
    u->bytes[n++] = char(std::stoi(s.substr(i, 2), nullptr, 16));
    ++i;
  }
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGetUuid(CUuuid* u, CUdevice d) { return cuDeviceGetUuid_v2(u, d); }
EXPORT CUresult cuDeviceTotalMem_v2(size_t* b, CUdevice d) {
  if (!b || d < 0 || d >= NumGpus()) return CUDA_ERROR_INVALID_VALUE;
  *b = Config().gpus[d].memory_bytes;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGetAttribute(int* v, CUdevice_attribute a, CUdevice d) {
  if (!v || d < 0 || d >= NumGpus()) return CUDA_ERROR_INVALID_VALUE;
  switch (a) {
    case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *v = Config().gpus[d].sm_count; break;
    case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR: *v = 2048; break;
    default: *v = 0;
  }
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext* c, CUdevice d) {
  if (!c || d < 0 || d >= NumGpus()) return CUDA_ERROR_INVALID_DEVICE;
  *c = CtxOf(d);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
  return d >= 0 && d < NumGpus() ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}
EXPORT CUresult cuCtxCreate_v2(CUcontext* c, unsigned int, CUdevice d) {
  if (!c || d < 0 || d >= NumGpus()) return CUDA_ERROR_INVALID_DEVICE;
  uint64_t key = 0;
  if (uint64_t b = Config().gpus[d].context_bytes) {
    if (CUresult rc = Take(d, b, &key); rc != CUDA_SUCCESS) return rc;
  }
  *c = CtxOf(d);
  t_current = d;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuCtxCreate_v3(CUcontext* c, CUexecAffinityParam*, int, unsigned int f, CUdevice d) {
  return cuCtxCreate_v2(c, f, d);
}
EXPORT CUresult cuCtxCreate_v4(CUcontext* c, CUctxCreateParams*, unsigned int f, CUdevice d) {
  return cuCtxCreate_v2(c, f, d);
}
EXPORT CUresult cuCtxDestroy_v2(CUcontext c) {
  return GpuOfCtx(c) >= 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}
EXPORT CUresult cuCtxSetCurrent(CUcontext c) {
  t_current = c ? GpuOfCtx(c) : -1;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuCtxGetCurrent(CUcontext* c) {
  if (!c) return CUDA_ERROR_INVALID_VALUE;
  *c = t_current >= 0 ? CtxOf(t_current) : nullptr;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuCtxGetDevice(CUdevice* d) {
  if (!d) return CUDA_ERROR_INVALID_VALUE;
  if (t_current < 0) return CUDA_ERROR_INVALID_CONTEXT;
  *d = t_current;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuCtxSynchronize() {
  SleepUntil(t_last_end);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuStreamSynchronize(CUstream) { return cuCtxSynchronize(); }
EXPORT CUresult cuMemGetInfo_v2(size_t* free, size_t* total) {
  if (t_current < 0) return CUDA_ERROR_INVALID_CONTEXT;
  uint64_t t = Config().gpus[t_current].memory_bytes, u = UsedBytes(t_current);
  if (total) *total = t;
  if (free) *free = u > t ? 0 : t - u;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t n) {
  if (!p) return CUDA_ERROR_INVALID_VALUE;
  if (n == 0) return CUDA_ERROR_INVALID_VALUE;
  uint64_t k = 0;
  CUresult rc = Take(t_current, n, &k);
  if (rc == CUDA_SUCCESS) *p = k;
  return rc;
}
EXPORT CUresult cuMemFree_v2(CUdeviceptr p) { return p ? Give(p) : CUDA_SUCCESS; }
EXPORT CUresult cuMemAllocPitch_v2(CUdeviceptr* p, size_t* pitch, size_t w, size_t h, unsigned) {
  if (!p || !pitch) return CUDA_ERROR_INVALID_VALUE;
  *pitch = (w + 511) / 512 * 512;
  return cuMemAlloc_v2(p, *pitch * h);
}
EXPORT CUresult cuMemAllocManaged(CUdeviceptr* p, size_t n, unsigned) { return cuMemAlloc_v2(p, n); }
EXPORT CUresult cuMemGetAllocationGranularity(size_t* g, const CUmemAllocationProp*,
                                              CUmemAllocationGranularity_flags) {
  if (!g) return CUDA_ERROR_INVALID_VALUE;
  *g = 2u << 20;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemCreate(CUmemGenericAllocationHandle* h, size_t n,
                            const CUmemAllocationProp* prop, unsigned long long) {
  if (!h || !prop || n % (2u << 20)) return CUDA_ERROR_INVALID_VALUE;
  if (prop->location.type != CU_MEM_LOCATION_TYPE_DEVICE) {
    *h = NewAddress(n);  // host-located: no device memory
    return CUDA_SUCCESS;
  }
  uint64_t k = 0;
  CUresult rc = Take(prop->location.id, n, &k);
  if (rc == CUDA_SUCCESS) *h = k;
  return rc;
}
EXPORT CUresult cuMemRelease(CUmemGenericAllocationHandle h) {
  CUresult rc = Give(h);
  return rc == CUDA_ERROR_INVALID_VALUE ? CUDA_SUCCESS : rc;  // host handles
}
EXPORT CUresult cuMemAllocAsync(CUdeviceptr* p, size_t n, CUstream) { return cuMemAlloc_v2(p, n); }
EXPORT CUresult cuMemAllocAsync_ptsz(CUdeviceptr* p, size_t n, CUstream) { return cuMemAlloc_v2(p, n); }
EXPORT CUresult cuMemAllocFromPoolAsync(CUdeviceptr* p, size_t n, CUmemoryPool, CUstream) {
  return cuMemAlloc_v2(p, n);
}
EXPORT CUresult cuMemAllocFromPoolAsync_ptsz(CUdeviceptr* p, size_t n, CUmemoryPool, CUstream) {
  return cuMemAlloc_v2(p, n);
}
EXPORT CUresult cuMemFreeAsync(CUdeviceptr p, CUstream) { return cuMemFree_v2(p); }
EXPORT CUresult cuMemFreeAsync_ptsz(CUdeviceptr p, CUstream) { return cuMemFree_v2(p); }
EXPORT CUresult cuArray3DCreate_v2(CUarray* a, const CUDA_ARRAY3D_DESCRIPTOR* d) {
  if (!a || !d) return CUDA_ERROR_INVALID_VALUE;
  uint64_t bytes = uint64_t(d->Width) * (d->Height ? d->Height : 1) * (d->Depth ? d->Depth : 1) *
                   4 * (d->NumChannels ? d->NumChannels : 1);
  uint64_t k = 0;
  CUresult rc = Take(t_current, bytes, &k);
  if (rc == CUDA_SUCCESS) *a = reinterpret_cast<CUarray>(uintptr_t(k));
  return rc;
}
EXPORT CUresult cuArrayCreate_v2(CUarray* a, const CUDA_ARRAY_DESCRIPTOR* d) {
  if (!d) return CUDA_ERROR_INVALID_VALUE;
  CUDA_ARRAY3D_DESCRIPTOR d3{};
  d3.Width = d->Width;
  d3.Height = d->Height;
  d3.Format = d->Format;
  d3.NumChannels = d->NumChannels;
  return cuArray3DCreate_v2(a, &d3);
}
EXPORT CUresult cuArrayDestroy(CUarray a) { return Give(uint64_t(reinterpret_cast<uintptr_t>(a))); }
EXPORT CUresult cuMipmappedArrayCreate(CUmipmappedArray* a, const CUDA_ARRAY3D_DESCRIPTOR* d,
                                       unsigned) {
  return cuArray3DCreate_v2(reinterpret_cast<CUarray*>(a), d);
}
EXPORT CUresult cuMipmappedArrayDestroy(CUmipmappedArray a) {
  return Give(uint64_t(reinterpret_cast<uintptr_t>(a)));
}
EXPORT CUresult cuModuleLoadData(CUmodule* m, const void*) {
  if (!m) return CUDA_ERROR_INVALID_VALUE;
  *m = reinterpret_cast<CUmodule>(uintptr_t(0x2000));
  return CUDA_SUCCESS;
}
EXPORT CUresult cuModuleGetFunction(CUfunction* f, CUmodule, const char* name) {
  if (!f || !name) return CUDA_ERROR_INVALID_VALUE;
  uint64_t us = 100;
  if (const char* e = getenv("HAMI_FAKE_KERNEL_US")) us = strtoull(e, nullptr, 10);
  if (name[0] == 'k' && strstr(name, "us")) us = strtoull(name + 1, nullptr, 10);
  *f = reinterpret_cast<CUfunction>(uintptr_t(us * 1000 + 1));
  return CUDA_SUCCESS;
}
#define LAUNCH_ARGS CUfunction f, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, \
                    unsigned, CUstream
EXPORT CUresult cuLaunchKernel(LAUNCH_ARGS, void**, void**) { return Launch(f); }
EXPORT CUresult cuLaunchKernel_ptsz(LAUNCH_ARGS, void**, void**) { return Launch(f); }
EXPORT CUresult cuLaunchCooperativeKernel(LAUNCH_ARGS, void**) { return Launch(f); }
EXPORT CUresult cuLaunchCooperativeKernel_ptsz(LAUNCH_ARGS, void**) { return Launch(f); }
EXPORT CUresult cuLaunchKernelEx(const CUlaunchConfig*, CUfunction f, void**, void**) {
  return Launch(f);
}
EXPORT CUresult cuLaunchKernelEx_ptsz(const CUlaunchConfig*, CUfunction f, void**, void**) {
  return Launch(f);
}
EXPORT CUresult cuLaunchCooperativeKernelMultiDevice(CUDA_LAUNCH_PARAMS* p, unsigned n, unsigned) {
  for (unsigned i = 0; i < n; ++i) Launch(p[i].function);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuLaunch(CUfunction f) { return Launch(f); }
EXPORT CUresult cuLaunchGrid(CUfunction f, int, int) { return Launch(f); }
EXPORT CUresult cuLaunchGridAsync(CUfunction f, int, int, CUstream) { return Launch(f); }
// A graph exec handle is a CUfunction-like duration value (tests build it).
EXPORT CUresult cuGraphLaunch(CUgraphExec g, CUstream) {
  return Launch(reinterpret_cast<CUfunction>(g));
}
EXPORT CUresult cuGraphLaunch_ptsz(CUgraphExec g, CUstream s) { return cuGraphLaunch(g, s); }
EXPORT CUresult cuDeviceGetGraphMemAttribute(CUdevice, CUgraphMem_attribute, void* v) {
  if (v) *static_cast<cuuint64_t*>(v) = 0;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuStreamCreate(CUstream* s, unsigned) {
  if (!s) return CUDA_ERROR_INVALID_VALUE;
  *s = reinterpret_cast<CUstream>(uintptr_t(0x3000));
  return CUDA_SUCCESS;
}
EXPORT CUresult cuStreamQuery(CUstream) {
  return NowNs() >= t_last_end ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}
EXPORT CUresult cuStreamBeginCapture_v2(CUstream, CUstreamCaptureMode) { return CUDA_SUCCESS; }
EXPORT CUresult cuStreamEndCapture(CUstream, CUgraph* g) {
  if (g) *g = reinterpret_cast<CUgraph>(uintptr_t(100001));
  return CUDA_SUCCESS;
}
EXPORT CUresult cuGraphInstantiateWithFlags(CUgraphExec* e, CUgraph g, unsigned long long) {
  if (e) *e = reinterpret_cast<CUgraphExec>(g);  // the exec runs as long as the graph says
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemAllocHost_v2(void** p, size_t n) {
  if (!p) return CUDA_ERROR_INVALID_VALUE;
  *p = reinterpret_cast<void*>(uintptr_t(NewAddress(n)));  // host memory: never touched
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemAddressReserve(CUdeviceptr* p, size_t n, size_t, CUdeviceptr, unsigned long long) {
  if (!p) return CUDA_ERROR_INVALID_VALUE;
  *p = NewAddress(n);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemMap(CUdeviceptr, size_t, size_t, CUmemGenericAllocationHandle, unsigned long long) {
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemPoolCreate(CUmemoryPool* pool, const CUmemPoolProps*) {
  if (!pool) return CUDA_ERROR_INVALID_VALUE;
  *pool = reinterpret_cast<CUmemoryPool>(uintptr_t(0x4000));
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemPrefetchAsync_v2(CUdeviceptr, size_t, CUmemLocation, unsigned, CUstream) {
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr, size_t n) {
  if (dst) memset(dst, 0, n);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemsetD8_v2(CUdeviceptr, unsigned char, size_t) { return CUDA_SUCCESS; }
EXPORT CUresult cuGetErrorString(CUresult, const char** s) {
  if (s) *s = "fake error";
  return CUDA_SUCCESS;
}

struct ProcEntry {
  const char* base;
  int min_version;
  bool ptsz;
  void* fn;
};
#define P(base, ver, ptsz, fn) {base, ver, ptsz, reinterpret_cast<void*>(&fn)}
// Like the driver: (base name, version, stream mode) -> exact exported symbol.
static const ProcEntry kProcs[] = {
    P("cuMemAlloc", 3020, false, cuMemAlloc_v2),
    P("cuMemFree", 3020, false, cuMemFree_v2),
    P("cuMemAllocPitch", 3020, false, cuMemAllocPitch_v2),
    P("cuMemAllocManaged", 6000, false, cuMemAllocManaged),
    P("cuMemCreate", 10020, false, cuMemCreate),
    P("cuMemRelease", 10020, false, cuMemRelease),
    P("cuMemGetInfo", 3020, false, cuMemGetInfo_v2),
    P("cuDeviceTotalMem", 3020, false, cuDeviceTotalMem_v2),
    P("cuMemAllocAsync", 11020, false, cuMemAllocAsync),
    P("cuMemAllocAsync", 11020, true, cuMemAllocAsync_ptsz),
    P("cuMemFreeAsync", 11020, false, cuMemFreeAsync),
    P("cuMemFreeAsync", 11020, true, cuMemFreeAsync_ptsz),
    P("cuLaunchKernel", 4000, false, cuLaunchKernel),
    P("cuLaunchKernel", 7000, true, cuLaunchKernel_ptsz),
    P("cuLaunchKernelEx", 11060, false, cuLaunchKernelEx),
    P("cuLaunchKernelEx", 11060, true, cuLaunchKernelEx_ptsz),
    P("cuGraphLaunch", 10000, false, cuGraphLaunch),
    P("cuGraphLaunch", 10000, true, cuGraphLaunch_ptsz),
    P("cuCtxCreate", 3020, false, cuCtxCreate_v2),
    P("cuCtxCreate", 11040, false, cuCtxCreate_v3),
    P("cuCtxCreate", 12050, false, cuCtxCreate_v4),
    P("cuInit", 2000, false, cuInit),
    P("cuCtxSetCurrent", 4000, false, cuCtxSetCurrent),
    P("cuModuleGetFunction", 2000, false, cuModuleGetFunction),
};
#undef P

EXPORT CUresult cuGetProcAddress_v2(const char* sym, void** pfn, int ver, cuuint64_t flags,
                                    CUdriverProcAddressQueryResult* st);
EXPORT CUresult cuGetProcAddress(const char* sym, void** pfn, int ver, cuuint64_t flags) {
  return cuGetProcAddress_v2(sym, pfn, ver, flags, nullptr);
}
EXPORT CUresult cuGetProcAddress_v2(const char* sym, void** pfn, int ver, cuuint64_t flags,
                                    CUdriverProcAddressQueryResult* st) {
  if (!sym || !pfn) return CUDA_ERROR_INVALID_VALUE;
  if (!strcmp(sym, "cuGetProcAddress")) {
    *pfn = ver >= 12000 ? reinterpret_cast<void*>(&cuGetProcAddress_v2)
                        : reinterpret_cast<void*>(&cuGetProcAddress);
    if (st) *st = CU_GET_PROC_ADDRESS_SUCCESS;
    return CUDA_SUCCESS;
  }
  bool ptsz = flags & CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM;
  const ProcEntry* best = nullptr;
  for (const auto& e : kProcs) {
    if (strcmp(e.base, sym) || e.min_version > ver) continue;
    if (e.ptsz && !ptsz) continue;
    if (!best || e.min_version > best->min_version || (e.ptsz && !best->ptsz)) best = &e;
  }
  *pfn = best ? best->fn : nullptr;
  if (st) *st = best ? CU_GET_PROC_ADDRESS_SUCCESS : CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
  return best ? CUDA_SUCCESS : CUDA_ERROR_NOT_FOUND;
}

}  // extern "C"
