// gpu_checks: driver-API programs for the checks of cuda-isolation.md 14b on a
// real GPU (run by run_gpu_checks.sh). Kernels are embedded PTX, so no nvcc is
// needed; in CI this compiles and links against the fake libcuda.
// Usage: gpu_checks <info|fill PATH|churn N|race BARRIER BYTES|hold BYTES|
//                    work SECONDS MODE|overhead|bypass BYTES>
#include <cuda.h>
#include <dlfcn.h>
#include <nvml.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#undef cuGetProcAddress

namespace {

constexpr uint64_t kMiB = 1ull << 20;

// spin: every thread busy-waits `cycles` clocks then bumps a device counter.
const char kPtx[] = R"(
.version 7.0
.target sm_70
.address_size 64
.visible .entry spin(.param .u64 counter, .param .u64 cycles)
{
  .reg .pred %p;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [counter];
  ld.param.u64 %rd2, [cycles];
  mov.u64 %rd3, %clock64;
LOOP:
  mov.u64 %rd4, %clock64;
  sub.s64 %rd5, %rd4, %rd3;
  setp.lt.u64 %p, %rd5, %rd2;
  @%p bra LOOP;
  atom.global.add.u64 %rd6, [%rd1], 1;
  ret;
}
.visible .entry empty()
{
  ret;
}
)";

#define CK(x)                                                              \
  do {                                                                     \
    CUresult rc_ = (x);                                                    \
    if (rc_ != CUDA_SUCCESS) {                                             \
      printf("error=%d at=%s\n", int(rc_), #x);                            \
      return 1;                                                            \
    }                                                                      \
  } while (0)

CUcontext g_ctx;
CUfunction g_spin, g_empty;

int Setup() {
  CK(cuInit(0));
  CUdevice d;
  CK(cuDeviceGet(&d, 0));
  CK(cuDevicePrimaryCtxRetain(&g_ctx, d));
  CK(cuCtxSetCurrent(g_ctx));
  CUmodule m;
  CK(cuModuleLoadData(&m, kPtx));
  CK(cuModuleGetFunction(&g_spin, m, "spin"));
  CK(cuModuleGetFunction(&g_empty, m, "empty"));
  return 0;
}

int Info() {
  size_t f = 0, t = 0, dt = 0;
  CK(cuMemGetInfo(&f, &t));
  CK(cuDeviceTotalMem(&dt, 0));
  printf("cu_total=%zu cu_free=%zu dev_total=%zu null_rc=%d\n", t, f, dt,
         int(cuMemGetInfo(nullptr, nullptr)));
  void* h = dlopen("libnvidia-ml.so.1", RTLD_NOW);
  if (!h) return 0;
  auto init = reinterpret_cast<nvmlReturn_t (*)()>(dlsym(h, "nvmlInit_v2"));
  auto get = reinterpret_cast<nvmlReturn_t (*)(unsigned, nvmlDevice_t*)>(
      dlsym(h, "nvmlDeviceGetHandleByIndex_v2"));
  auto mem = reinterpret_cast<nvmlReturn_t (*)(nvmlDevice_t, nvmlMemory_t*)>(
      dlsym(h, "nvmlDeviceGetMemoryInfo"));
  nvmlDevice_t d{};
  nvmlMemory_t m{};
  if (init() == NVML_SUCCESS && get(0, &d) == NVML_SUCCESS && mem(d, &m) == NVML_SUCCESS) {
    printf("nvml_total=%llu nvml_used=%llu nvml_free=%llu\n", m.total, m.used, m.free);
  }
  return 0;
}

CUresult AllocOne(const std::string& path, uint64_t step, CUstream s, CUmemoryPool pool) {
  CUdeviceptr p = 0;
  if (path == "memalloc") return cuMemAlloc(&p, step);
  if (path == "pitch") {
    size_t pitch;
    return cuMemAllocPitch(&p, &pitch, step / 1024, 1024, 4);
  }
  if (path == "managed") {
    CUresult rc = cuMemAllocManaged(&p, step, CU_MEM_ATTACH_GLOBAL);
    if (rc == CUDA_SUCCESS) {
      CUmemLocation loc{CU_MEM_LOCATION_TYPE_DEVICE, 0};
      cuMemPrefetchAsync_v2(p, step, loc, 0, s);
      cuStreamSynchronize(s);
    }
    return rc;
  }
  if (path == "vmm" || path == "vmm_host") {
    CUmemAllocationProp prop{};
    prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
    prop.location.type = path == "vmm" ? CU_MEM_LOCATION_TYPE_DEVICE : CU_MEM_LOCATION_TYPE_HOST;
    prop.location.id = 0;
    CUmemGenericAllocationHandle h;
    CUresult rc = cuMemCreate(&h, step, &prop, 0);
    if (rc != CUDA_SUCCESS) return rc;
    if (cuMemAddressReserve(&p, step, 0, 0, 0) == CUDA_SUCCESS) cuMemMap(p, step, 0, h, 0);
    return rc;
  }
  if (path == "async") {
    CUresult rc = cuMemAllocAsync(&p, step, s);
    cuStreamSynchronize(s);
    return rc;
  }
  if (path == "pool") {
    CUresult rc = cuMemAllocFromPoolAsync(&p, step, pool, s);
    cuStreamSynchronize(s);
    return rc;
  }
  if (path == "array") {
    CUDA_ARRAY3D_DESCRIPTOR d{};
    d.Width = 4096;
    d.Height = step / (4096 * 4);
    d.Format = CU_AD_FORMAT_FLOAT;
    d.NumChannels = 1;
    CUarray a;
    return cuArray3DCreate(&a, &d);
  }
  if (path == "ctx") {
    CUcontext c;
    CUresult rc = cuCtxCreate(&c, 0, 0);
    cuCtxSetCurrent(g_ctx);
    return rc;
  }
  if (path == "host") return cuMemAllocHost(reinterpret_cast<void**>(&p), step);
  return CUDA_ERROR_INVALID_VALUE;
}

int Fill(const std::string& path) {
  CUstream s;
  CK(cuStreamCreate(&s, 0));
  CUmemoryPool pool{};
  if (path == "pool") {
    CUmemPoolProps props{};
    props.allocType = CU_MEM_ALLOCATION_TYPE_PINNED;
    props.location = {CU_MEM_LOCATION_TYPE_DEVICE, 0};
    CK(cuMemPoolCreate(&pool, &props));
  }
  uint64_t step = 64 * kMiB, got = 0, cap = (path == "host" || path == "vmm_host") ? 8192 * kMiB : ~0ull;
  CUresult rc = CUDA_SUCCESS;
  while (rc == CUDA_SUCCESS && got < cap) {
    rc = AllocOne(path, step, s, pool);
    if (rc == CUDA_SUCCESS) got += step;
  }
  printf("path=%s obtained_mib=%llu rc=%d pid=%d\n", path.c_str(),
         (unsigned long long)(got / kMiB), int(rc), int(getpid()));
  fflush(stdout);
  sleep(1);  // the observer samples NVML now
  return 0;
}

int Churn(int n) {
  std::mt19937_64 rng(7);
  std::vector<CUdeviceptr> live;
  CUstream s;
  CK(cuStreamCreate(&s, 0));
  int fails = 0;
  for (int i = 0; i < n; ++i) {
    if (live.empty() || rng() % 2) {
      CUdeviceptr p;
      size_t sz = 4096 + rng() % (256 * kMiB);
      if (((rng() % 2) ? cuMemAlloc(&p, sz) : cuMemAllocAsync(&p, sz, s)) == CUDA_SUCCESS) {
        live.push_back(p);
      }
    } else {
      size_t k = rng() % live.size();
      fails += ((rng() % 2) ? cuMemFree(live[k]) : cuMemFreeAsync(live[k], s)) != CUDA_SUCCESS;
      live.erase(live.begin() + long(k));
    }
  }
  for (auto p : live) fails += cuMemFree(p) != CUDA_SUCCESS;
  cuStreamSynchronize(s);
  size_t f, t;
  cuMemGetInfo(&f, &t);
  printf("free_failures=%d used_after_mib=%llu\n", fails, (unsigned long long)((t - f) / kMiB));
  return 0;
}

// Launches spin kernels without per-kernel sync for `seconds`; reports work/s.
int Work(double seconds, const std::string& mode) {
  CUdeviceptr counter;
  CK(cuMemAlloc(&counter, 8));
  CK(cuMemsetD8(counter, 0, 8));
  unsigned long long cycles = 200000;
  void* params[] = {&counter, &cycles};
  CUstream s;
  CK(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
  CUgraphExec exec{};
  if (mode == "graph") {
    CUgraph g;
    CK(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
    for (int i = 0; i < 4; ++i) cuLaunchKernel(g_spin, 132, 1, 1, 128, 1, 1, 0, s, params, nullptr);
    CK(cuStreamEndCapture(s, &g));
    CK(cuGraphInstantiate(&exec, g, 0));
  }
  auto t0 = std::chrono::steady_clock::now();
  auto end = t0 + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    for (int i = 0; i < 8; ++i) {
      if (mode == "graph") {
        cuGraphLaunch(exec, s);
      } else if (mode == "coop") {
        cuLaunchCooperativeKernel(g_spin, 132, 1, 1, 128, 1, 1, 0, s, params);
      } else {
        cuLaunchKernel(g_spin, 132, 1, 1, 128, 1, 1, 0, s, params, nullptr);
      }
    }
    cuStreamQuery(s);
  }
  CK(cuStreamSynchronize(s));
  double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  unsigned long long done = 0;
  CK(cuMemcpyDtoH(&done, counter, 8));
  printf("mode=%s work_per_s=%.1f\n", mode.c_str(), double(done) / dt);
  return 0;
}

template <typename F>
double Median(int batches, int n, F f) {
  std::vector<double> v;
  for (int b = 0; b < batches; ++b) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) f();
    v.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0)
                    .count() / n);
  }
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int Overhead() {
  CUstream s;
  CK(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
  double launch = Median(21, 5000, [&] {
    cuLaunchKernel(g_empty, 1, 1, 1, 32, 1, 1, 0, s, nullptr, nullptr);
  });
  cuStreamSynchronize(s);
  double alloc = Median(11, 1000, [&] {
    CUdeviceptr p;
    if (cuMemAlloc(&p, kMiB) == CUDA_SUCCESS) cuMemFree(p);
  });
  printf("launch_median_ns=%.1f alloc_free_median_ns=%.1f\n", launch, alloc);
  return 0;
}

// Tenant bypass: fetch glibc's dlsym with dlvsym and call the real cuMemAlloc.
int Bypass(uint64_t bytes) {
  using Dlsym = void* (*)(void*, const char*);
  auto real_dlsym = reinterpret_cast<Dlsym>(dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.34"));
  if (!real_dlsym) real_dlsym = reinterpret_cast<Dlsym>(dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.2.5"));
  void* h = dlopen("libcuda.so.1", RTLD_NOW);
  auto alloc = reinterpret_cast<CUresult (*)(CUdeviceptr*, size_t)>(real_dlsym(h, "cuMemAlloc_v2"));
  CUdeviceptr p;
  printf("bypass_alloc_rc=%d\n", int(alloc(&p, bytes)));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  if (argc < 2 || Setup() != 0) return 1;
  std::string cmd = argv[1];
  auto arg = [&](int i, const char* d) { return argc > i ? argv[i] : d; };
  if (cmd == "info") return Info();
  if (cmd == "fill") return Fill(arg(2, "memalloc"));
  if (cmd == "churn") return Churn(atoi(arg(2, "10000")));
  if (cmd == "work") return Work(atof(arg(2, "10")), arg(3, "kernel"));
  if (cmd == "overhead") return Overhead();
  if (cmd == "bypass") return Bypass(strtoull(arg(2, "0"), nullptr, 10));
  if (cmd == "hold" || cmd == "race") {
    uint64_t n = strtoull(arg(cmd == "race" ? 3 : 2, "0"), nullptr, 10);
    if (cmd == "race") {
      while (access(arg(2, "/x"), F_OK) != 0) usleep(100);
    }
    CUdeviceptr p;
    auto t0 = std::chrono::steady_clock::now();
    CUresult rc = cuMemAlloc(&p, n);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    printf("rc=%d alloc_ms=%.1f pid=%d\n", int(rc), ms, int(getpid()));
    if (cmd == "race") {
      std::string done = std::string(arg(2, "/x")) + ".done";
      while (access(done.c_str(), F_OK) != 0) usleep(200);
      return 0;
    }
    pause();
  }
  return 1;
}
