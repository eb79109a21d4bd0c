// Launch hooks: every submission path (kernels, cooperative, legacy, graphs,
// per-thread-default-stream variants) goes through the same gate.
#include "vgpu/internal/hooks.h"
#include "vgpu/internal/limiter.h"

using namespace hami::vgpu;

namespace {
constexpr uint64_t kGraphCost = 256;  // nominal blocks per graph launch
inline uint64_t Blocks(unsigned x, unsigned y, unsigned z) {
  return uint64_t(x ? x : 1) * (y ? y : 1) * (z ? z : 1);
}
}  // namespace

CUresult hami_hook_cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz,
                                  unsigned bx, unsigned by, unsigned bz, unsigned shmem,
                                  CUstream s, void** params, void** extra) {
  Gate(Blocks(gx, gy, gz));
  return g_real.cuLaunchKernel(f, gx, gy, gz, bx, by, bz, shmem, s, params, extra);
}

CUresult hami_hook_cuLaunchKernel_ptsz(CUfunction f, unsigned gx, unsigned gy, unsigned gz,
                                       unsigned bx, unsigned by, unsigned bz, unsigned shmem,
                                       CUstream s, void** params, void** extra) {
  Gate(Blocks(gx, gy, gz));
  return g_real.cuLaunchKernel_ptsz(f, gx, gy, gz, bx, by, bz, shmem, s, params, extra);
}

CUresult hami_hook_cuLaunchKernelEx(const CUlaunchConfig* c, CUfunction f, void** params,
                                    void** extra) {
  Gate(c ? Blocks(c->gridDimX, c->gridDimY, c->gridDimZ) : 1);
  return g_real.cuLaunchKernelEx(c, f, params, extra);
}

CUresult hami_hook_cuLaunchKernelEx_ptsz(const CUlaunchConfig* c, CUfunction f, void** params,
                                         void** extra) {
  Gate(c ? Blocks(c->gridDimX, c->gridDimY, c->gridDimZ) : 1);
  return g_real.cuLaunchKernelEx_ptsz(c, f, params, extra);
}

CUresult hami_hook_cuLaunchCooperativeKernel(CUfunction f, unsigned gx, unsigned gy,
                                             unsigned gz, unsigned bx, unsigned by, unsigned bz,
                                             unsigned shmem, CUstream s, void** params) {
  Gate(Blocks(gx, gy, gz));
  return g_real.cuLaunchCooperativeKernel(f, gx, gy, gz, bx, by, bz, shmem, s, params);
}

CUresult hami_hook_cuLaunchCooperativeKernel_ptsz(CUfunction f, unsigned gx, unsigned gy,
                                                  unsigned gz, unsigned bx, unsigned by,
                                                  unsigned bz, unsigned shmem, CUstream s,
                                                  void** params) {
  Gate(Blocks(gx, gy, gz));
  return g_real.cuLaunchCooperativeKernel_ptsz(f, gx, gy, gz, bx, by, bz, shmem, s, params);
}

CUresult hami_hook_cuLaunchCooperativeKernelMultiDevice(CUDA_LAUNCH_PARAMS* p, unsigned n,
                                                        unsigned flags) {
  uint64_t cost = 0;
  for (unsigned i = 0; p && i < n; ++i) cost += Blocks(p[i].gridDimX, p[i].gridDimY, p[i].gridDimZ);
  Gate(cost ? cost : 1);
  return g_real.cuLaunchCooperativeKernelMultiDevice(p, n, flags);
}

CUresult hami_hook_cuLaunch(CUfunction f) {
  Gate(1);
  return g_real.cuLaunch(f);
}

CUresult hami_hook_cuLaunchGrid(CUfunction f, int w, int h) {
  Gate(Blocks(unsigned(w), unsigned(h), 1));
  return g_real.cuLaunchGrid(f, w, h);
}

CUresult hami_hook_cuLaunchGridAsync(CUfunction f, int w, int h, CUstream s) {
  Gate(Blocks(unsigned(w), unsigned(h), 1));
  return g_real.cuLaunchGridAsync(f, w, h, s);
}

CUresult hami_hook_cuGraphLaunch(CUgraphExec g, CUstream s) {
  Gate(kGraphCost);
  return g_real.cuGraphLaunch(g, s);
}

CUresult hami_hook_cuGraphLaunch_ptsz(CUgraphExec g, CUstream s) {
  Gate(kGraphCost);
  return g_real.cuGraphLaunch_ptsz(g, s);
}
