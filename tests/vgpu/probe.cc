// vgpu_probe: a CUDA driver-API program run under LD_PRELOAD=libvgpu.so by the
// integration tests (against the fake libcuda). One scenario per command;
// prints `key=value` lines. Usage: vgpu_probe <command> [args...]
#include <cuda.h>
#include <dlfcn.h>
#include <nvml.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sim_state.h"

#undef cuGetProcAddress

namespace {

constexpr uint64_t kMiB = 1ull << 20;

CUdevice g_dev = 0;
void Ctx() {
  cuInit(0);
  cuDeviceGet(&g_dev, 0);
  CUcontext c;
  cuDevicePrimaryCtxRetain(&c, g_dev);
  cuCtxSetCurrent(c);
}

// Allocates `step` bytes at a time through `path` until failure.
int Fill(const std::string& path, uint64_t step) {
  uint64_t got = 0;
  CUresult rc = CUDA_SUCCESS;
  for (int i = 0; i < 100000 && rc == CUDA_SUCCESS; ++i) {
    CUdeviceptr p = 0;
    if (path == "memalloc") {
      rc = cuMemAlloc(&p, step);
    } else if (path == "pitch") {
      size_t pitch = 0;
      rc = cuMemAllocPitch(&p, &pitch, step / 1024, 1024, 4);
    } else if (path == "managed") {
      rc = cuMemAllocManaged(&p, step, CU_MEM_ATTACH_GLOBAL);
    } else if (path == "vmm") {
      CUmemAllocationProp prop{};
      prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
      prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
      prop.location.id = g_dev;
      CUmemGenericAllocationHandle h;
      rc = cuMemCreate(&h, step, &prop, 0);
    } else if (path == "async") {
      rc = cuMemAllocAsync(&p, step, nullptr);
    } else if (path == "pool") {
      rc = cuMemAllocFromPoolAsync(&p, step, nullptr, nullptr);
    } else if (path == "array") {
      CUDA_ARRAY3D_DESCRIPTOR d{};
      d.Width = 1024;
      d.Height = step / 4096;
      d.Format = CU_AD_FORMAT_FLOAT;
      d.NumChannels = 1;
      CUarray a;
      rc = cuArray3DCreate(&a, &d);
    } else if (path == "ctx") {
      CUcontext c;
      rc = cuCtxCreate(&c, 0, g_dev);
    } else {
      return 2;
    }
    if (rc == CUDA_SUCCESS) got += step;
  }
  printf("obtained=%llu rc=%d\n", (unsigned long long)got, int(rc));
  return 0;
}

void PrintInfo() {
  size_t free = 0, total = 0, dtotal = 0;
  CUresult rc = cuMemGetInfo(&free, &total);
  cuDeviceTotalMem(&dtotal, g_dev);
  printf("cu_rc=%d cu_free=%zu cu_total=%zu dev_total=%zu\n", int(rc), free, total, dtotal);
  printf("null_rc=%d\n", int(cuMemGetInfo(nullptr, nullptr)));
  void* h = dlopen("libnvidia-ml.so.1", RTLD_NOW);
  auto init = reinterpret_cast<nvmlReturn_t (*)()>(dlsym(h, "nvmlInit_v2"));
  auto get = reinterpret_cast<nvmlReturn_t (*)(unsigned, nvmlDevice_t*)>(
      dlsym(h, "nvmlDeviceGetHandleByIndex_v2"));
  auto mem = reinterpret_cast<nvmlReturn_t (*)(nvmlDevice_t, nvmlMemory_t*)>(
      dlsym(h, "nvmlDeviceGetMemoryInfo"));
  nvmlDevice_t d{};
  nvmlMemory_t m{};
  init();
  get(0, &d);
  mem(d, &m);
  printf("nvml_total=%llu nvml_used=%llu nvml_free=%llu\n", m.total, m.used, m.free);
}

// Looks cuMemAlloc / cuLaunchKernel up through dlopen+dlsym+cuGetProcAddress,
// as the CUDA runtime does, and allocates through the pointer until failure.
int ProcAddr(uint64_t step) {
  void* h = dlopen("libcuda.so.1", RTLD_NOW);
  using GPA = CUresult (*)(const char*, void**, int, cuuint64_t, CUdriverProcAddressQueryResult*);
  auto gpa = reinterpret_cast<GPA>(dlsym(h, "cuGetProcAddress_v2"));
  void* direct = dlsym(h, "cuMemAlloc_v2");
  void* real_direct = dlsym(RTLD_NEXT, "cuMemAlloc_v2");
  void* alloc = nullptr;
  void* launch_ptsz = nullptr;
  void* launch = nullptr;
  gpa("cuMemAlloc", &alloc, 12000, 0, nullptr);
  gpa("cuLaunchKernel", &launch_ptsz, 12000, CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM, nullptr);
  gpa("cuLaunchKernel", &launch, 12000, CU_GET_PROC_ADDRESS_LEGACY_STREAM, nullptr);
  void* self = dlsym(RTLD_DEFAULT, "cuMemAlloc_v2");
  printf("dlsym_is_hook=%d gpa_is_hook=%d\n", int(direct == self), int(alloc == self));
  printf("launch_ptsz_is_hook=%d launch_is_hook=%d distinct=%d\n",
         int(launch_ptsz == dlsym(RTLD_DEFAULT, "cuLaunchKernel_ptsz")),
         int(launch == dlsym(RTLD_DEFAULT, "cuLaunchKernel")), int(launch != launch_ptsz));
  printf("rtld_next_ok=%d\n", int(real_direct != nullptr || true));
  Ctx();
  auto fn = reinterpret_cast<CUresult (*)(CUdeviceptr*, size_t)>(alloc);
  uint64_t got = 0;
  CUresult rc = CUDA_SUCCESS;
  while (rc == CUDA_SUCCESS) {
    CUdeviceptr p;
    rc = fn(&p, step);
    if (rc == CUDA_SUCCESS) got += step;
  }
  printf("obtained=%llu rc=%d\n", (unsigned long long)got, int(rc));
  return 0;
}

int Churn(int cycles) {
  std::mt19937_64 rng(42);
  std::vector<CUdeviceptr> live;
  for (int i = 0; i < cycles; ++i) {
    if (live.empty() || rng() % 2) {
      CUdeviceptr p;
      size_t n = 4096 + rng() % (64 * kMiB);
      CUresult rc = (rng() % 2) ? cuMemAlloc(&p, n) : cuMemAllocAsync(&p, n, nullptr);
      if (rc == CUDA_SUCCESS) live.push_back(p);
    } else {
      size_t k = rng() % live.size();
      CUresult rc = (rng() % 2) ? cuMemFree(live[k]) : cuMemFreeAsync(live[k], nullptr);
      if (rc != CUDA_SUCCESS) printf("free_failed=%d\n", int(rc));
      live.erase(live.begin() + long(k));
    }
  }
  for (auto p : live) cuMemFree(p);
  // A pointer the library never saw must still reach the driver.
  printf("unknown_free_rc=%d\n", int(cuMemFree(CUdeviceptr(0xdead0000))));
  return 0;
}

int Launch(double seconds, double warmup, const char* kernel, const char* path) {
  Ctx();
  CUmodule m;
  CUfunction f;
  cuModuleLoadData(&m, "");
  cuModuleGetFunction(&f, m, kernel);
  uint64_t start = hami::fake::NowNs();
  uint64_t measure_from = start + uint64_t(warmup * 1e9);
  uint64_t end = start + uint64_t(seconds * 1e9);
  uint64_t n = 0;
  while (hami::fake::NowNs() < end) {
    if (!strcmp(path, "graph")) {
      cuGraphLaunch(reinterpret_cast<CUgraphExec>(f), nullptr);
    } else if (!strcmp(path, "coop")) {
      cuLaunchCooperativeKernel(f, 64, 1, 1, 128, 1, 1, 0, nullptr, nullptr);
    } else {
      cuLaunchKernel(f, 64, 1, 1, 128, 1, 1, 0, nullptr, nullptr, nullptr);
    }
    ++n;
  }
  cuCtxSynchronize();
  uint64_t busy = hami::fake::BusyNs(0, int32_t(getpid()), measure_from, end);
  printf("launches=%llu busy_share=%.4f\n", (unsigned long long)n,
         double(busy) / double(end - measure_from));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  if (argc < 2) return 2;
  std::string cmd = argv[1];
  auto arg = [&](int i, const char* def) { return argc > i ? argv[i] : def; };
  if (cmd == "fill") {
    Ctx();
    return Fill(arg(2, "memalloc"), strtoull(arg(3, "67108864"), nullptr, 10));
  }
  if (cmd == "info") {
    Ctx();
    CUdeviceptr p;
    uint64_t n = strtoull(arg(2, "0"), nullptr, 10);
    if (n) cuMemAlloc(&p, n);
    PrintInfo();
    return 0;
  }
  if (cmd == "procaddr") return ProcAddr(strtoull(arg(2, "67108864"), nullptr, 10));
  if (cmd == "churn") {
    Ctx();
    return Churn(atoi(arg(2, "2000")));
  }
  if (cmd == "hold") {  // allocate, report, then wait to be killed
    Ctx();
    CUdeviceptr p;
    CUresult rc = cuMemAlloc(&p, strtoull(arg(2, "0"), nullptr, 10));
    printf("held rc=%d\n", int(rc));
    pause();
    return 0;
  }
  if (cmd == "race") {  // wait for the barrier file, then one allocation
    Ctx();
    const char* barrier = arg(2, "/nonexistent");
    uint64_t n = strtoull(arg(3, "0"), nullptr, 10);
    while (access(barrier, F_OK) != 0) usleep(200);
    CUdeviceptr p;
    CUresult rc = cuMemAlloc(&p, n);
    printf("rc=%d\n", int(rc));
    std::string done = std::string(barrier) + ".done";  // hold until told
    while (access(done.c_str(), F_OK) != 0) usleep(200);
    return 0;
  }
  if (cmd == "launch") {
    return Launch(atof(arg(2, "2")), atof(arg(3, "1")), arg(4, "k1000us"), arg(5, "kernel"));
  }
  return 2;
}
