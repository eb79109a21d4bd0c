// vgpu_overhead_bench: median ns per cuLaunchKernel and per cuMemAlloc+cuMemFree
// (1 MiB) against whatever libcuda the loader gives (the fake). Run it with
// and without LD_PRELOAD=libvgpu.so (run_overhead_bench.sh does) and compare.
// Usage: vgpu_overhead_bench [launch_calls] [alloc_calls]  (0 = skip)
#include <cuda.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {
template <typename F>
double MedianNs(int batches, int per_batch, F f) {
  std::vector<double> v;
  for (int b = 0; b < batches; ++b) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < per_batch; ++i) f();
    auto t1 = std::chrono::steady_clock::now();
    v.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / per_batch);
  }
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  int launches = argc > 1 ? atoi(argv[1]) : 200000;
  int allocs = argc > 2 ? atoi(argv[2]) : 20000;
  cuInit(0);
  CUcontext c;
  cuDevicePrimaryCtxRetain(&c, 0);
  cuCtxSetCurrent(c);
  CUmodule m;
  CUfunction f;
  cuModuleLoadData(&m, "");
  cuModuleGetFunction(&f, m, "k0us");  // zero-length simulated kernel
  if (launches > 0) {
    double ns = MedianNs(21, launches / 21 + 1, [&] {
      cuLaunchKernel(f, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr);
    });
    printf("launch_median_ns=%.1f\n", ns);
  }
  if (allocs > 0) {
    double ns = MedianNs(21, allocs / 21 + 1, [&] {
      CUdeviceptr p;
      if (cuMemAlloc(&p, 1 << 20) == CUDA_SUCCESS) cuMemFree(p);
    });
    printf("alloc_free_median_ns=%.1f\n", ns);
  }
  return 0;
}
