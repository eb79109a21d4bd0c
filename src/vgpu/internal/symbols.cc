// Tables generated from cuda_symbols.def, the real-driver loader, and the
// interception of dlsym and cuGetProcAddress.
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "vgpu/internal/runtime.h"

#include "vgpu/internal/hooks.h"

namespace hami::vgpu {
namespace {

constexpr const char* kNames[] = {
#define HOOK(name, type) #name,
#define REAL(name, type) #name,
#include "vgpu/cuda_symbols.def"
#undef HOOK
#undef REAL
};

void* const kHooks[] = {
#define HOOK(name, type) reinterpret_cast<void*>(&hami_hook_##name),
#define REAL(name, type) nullptr,
#include "vgpu/cuda_symbols.def"
#undef HOOK
#undef REAL
};

constexpr int kNumHooks = 0
#define HOOK(name, type) +1
#define REAL(name, type)
#include "vgpu/cuda_symbols.def"
#undef HOOK
#undef REAL
    ;

using DlsymFn = void* (*)(void*, const char*);
constinit pthread_once_t g_dlsym_once = PTHREAD_ONCE_INIT;

void FindRealDlsym() {
  static const char* const kVersions[] = {"GLIBC_2.34", "GLIBC_2.2.5", "GLIBC_2.17"};
  for (const char* v : kVersions) {
    void* p = dlvsym(RTLD_NEXT, "dlsym", v);
    if (p) {
      __atomic_store_n(&hami_real_dlsym_ptr, p, __ATOMIC_RELEASE);
      return;
    }
  }
}

}  // namespace

void* RealBySym(int sym) {
  return sym >= 0 && sym < kSymCount ? reinterpret_cast<void**>(&g_real)[sym] : nullptr;
}
const char* SymName(int sym) { return sym >= 0 && sym < kSymCount ? kNames[sym] : ""; }
void* HookBySym(int sym) { return sym >= 0 && sym < kSymCount ? kHooks[sym] : nullptr; }

int FindHookByName(const char* name) {
  int lo = 0, hi = kNumHooks - 1;  // HOOK lines come first and are sorted
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    int c = strcmp(name, kNames[mid]);
    if (c == 0) return mid;
    if (c < 0) {
      hi = mid - 1;
    } else {
      lo = mid + 1;
    }
  }
  return -1;
}

int NumHooks() { return kNumHooks; }
int NvmlHookFor(const char* name, void* real, void** out);

void* RealDlsym(void* handle, const char* name) {
  pthread_once(&g_dlsym_once, FindRealDlsym);
  auto fn = reinterpret_cast<DlsymFn>(__atomic_load_n(&hami_real_dlsym_ptr, __ATOMIC_ACQUIRE));
  return fn ? fn(handle, name) : nullptr;
}

bool LoadRealCuda() {
  void* h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NODELETE);
  if (!h) return false;
  void** slots = reinterpret_cast<void**>(&g_real);
  for (int i = 0; i < kSymCount; ++i) slots[i] = RealDlsym(h, kNames[i]);
  return true;
}

// The sym whose real driver function is `pfn`, or -1.
int SymOfRealPointer(void* pfn) {
  if (!pfn) return -1;
  const void* const* slots = reinterpret_cast<void* const*>(&g_real);
  for (int i = 0; i < kNumHooks; ++i) {
    if (slots[i] == pfn) return i;
  }
  return -1;
}

}  // namespace hami::vgpu

using namespace hami::vgpu;

extern "C" {

void* hami_real_dlsym_ptr = nullptr;

// Decides a dlsym(handle, name) call. Returns 1 to forward unchanged to the
// real dlsym (the stub tail-jumps so RTLD_NEXT keeps the caller's position);
// returns 0 with *out set when we answer. We substitute a hook only when the
// real lookup yields exactly the libcuda function we wrap.
int hami_dlsym_decide(void* handle, const char* name, void** out) {
  pthread_once(&g_dlsym_once, FindRealDlsym);
  if (!name) return 1;
  if (name[0] == 'n' && !strncmp(name, "nvmlDeviceGetMemoryInfo", 23)) {
    Init();
    void* r = RealDlsym(handle, name);
    *out = r;
    NvmlHookFor(name, r, out);
    return 0;
  }
  if (name[0] != 'c' || name[1] != 'u') return 1;
  int sym = FindHookByName(name);
  if (sym < 0) return 1;
  Init();
  void* r = RealDlsym(handle, name);
  *out = (r && r == RealBySym(sym)) ? HookBySym(sym) : r;
  return 0;
}

}  // extern "C"

namespace {

// Maps what the real cuGetProcAddress returned to our hook of the same ABI.
CUresult MapProc(CUresult rc, void** pfn) {
  if (rc != CUDA_SUCCESS || !pfn || !*pfn) return rc;
  int sym = SymOfRealPointer(*pfn);
  if (sym >= 0) *pfn = HookBySym(sym);
  return rc;
}

}  // namespace

CUresult hami_hook_cuGetProcAddress(const char* symbol, void** pfn, int cudaVersion,
                                   cuuint64_t flags) {
  Init();
  if (!g_real.cuGetProcAddress) return CUDA_ERROR_NOT_INITIALIZED;
  return MapProc(g_real.cuGetProcAddress(symbol, pfn, cudaVersion, flags), pfn);
}

CUresult hami_hook_cuGetProcAddress_v2(const char* symbol, void** pfn, int cudaVersion,
                                      cuuint64_t flags, CUdriverProcAddressQueryResult* status) {
  Init();
  if (!g_real.cuGetProcAddress_v2) return CUDA_ERROR_NOT_INITIALIZED;
  return MapProc(g_real.cuGetProcAddress_v2(symbol, pfn, cudaVersion, flags, status), pfn);
}
