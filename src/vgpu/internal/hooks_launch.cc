// Launch hooks: every submission path (kernels, cooperative, legacy, graphs,
// per-thread-default-stream variants) goes through the same gate.
#include "vgpu/internal/hooks.h"
#include "vgpu/internal/limiter.h"

using namespace hami::vgpu;

namespace {
constexpr uint64_t kGraphCost = 256;  // nominal blocks per graph launch
// Slow path kept out of line so the fast path is a plain tail call.
template <auto Member, typename... A>
__attribute__((noinline)) CUresult SlowLaunch(uint64_t cost, A... a) {
  GateSlow(cost);
  return (g_real.*Member)(a...);
}
inline uint64_t Blocks(unsigned x, unsigned y, unsigned z) {
  return uint64_t(x ? x : 1) * (y ? y : 1) * (z ? z : 1);
}
}  // namespace

CUresult hami_hook_cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz,
                                  unsigned bx, unsigned by, unsigned bz, unsigned shmem,
                                  CUstream s, void** params, void** extra) {
  if (HAMI_LIKELY(GateIsFree())) return g_real.cuLaunchKernel(f, gx, gy, gz, bx, by, bz, shmem, s, params, extra);
  return SlowLaunch<&RealCuda::cuLaunchKernel>(Blocks(gx, gy, gz), f, gx, gy, gz, bx, by, bz, shmem, s, params, extra);
}

CUresult hami_hook_cuLaunchKernel_ptsz(CUfunction f, unsigned gx, unsigned gy, unsigned gz,
                                       unsigned bx, unsigned by, unsigned bz, unsigned shmem,
                                       CUstream s, void** params, void** extra) {
  if (HAMI_LIKELY(GateIsFree())) return g_real.cuLaunchKernel_ptsz(f, gx, gy, gz, bx, by, bz, shmem, s, params, extra);
  return SlowLaunch<&RealCuda::cuLaunchKernel_ptsz>(Blocks(gx, gy, gz), f, gx, gy, gz, bx, by, bz, shmem, s, params, extra);
}

CUresult hami_hook_cuLaunchKernelEx(const CUlaunchConfig* c, CUfunction f, void** params,
                                    void** extra) {
  if (HAMI_LIKELY(GateIsFree())) return g_real.cuLaunchKernelEx(c, f, params, extra);
  return SlowLaunch<&RealCuda::cuLaunchKernelEx>(c ? Blocks(c->gridDimX, c->gridDimY, c->gridDimZ) : 1, c, f, params, extra);
}

CUresult hami_hook_cuLaunchKernelEx_ptsz(const CUlaunchConfig* c, CUfunction f, void** params,
                                         void** extra) {
  if (HAMI_LIKELY(GateIsFree())) return g_real.cuLaunchKernelEx_ptsz(c, f, params, extra);
  return SlowLaunch<&RealCuda::cuLaunchKernelEx_ptsz>(c ? Blocks(c->gridDimX, c->gridDimY, c->gridDimZ) : 1, c, f, params, extra);
}

CUresult hami_hook_cuLaunchCooperativeKernel(CUfunction f, unsigned gx, unsigned gy,
                                             unsigned gz, unsigned bx, unsigned by, unsigned bz,
                                             unsigned shmem, CUstream s, void** params) {
  if (HAMI_LIKELY(GateIsFree())) return g_real.cuLaunchCooperativeKernel(f, gx, gy, gz, bx, by, bz, shmem, s, params);
  return SlowLaunch<&RealCuda::cuLaunchCooperativeKernel>(Blocks(gx, gy, gz), f, gx, gy, gz, bx, by, bz, shmem, s, params);
}

CUresult hami_hook_cuLaunchCooperativeKernel_ptsz(CUfunction f, unsigned gx, unsigned gy,
                                                  unsigned gz, unsigned bx, unsigned by,
                                                  unsigned bz, unsigned shmem, CUstream s,
                                                  void** params) {
  if (HAMI_LIKELY(GateIsFree())) return g_real.cuLaunchCooperativeKernel_ptsz(f, gx, gy, gz, bx, by, bz, shmem, s, params);
  return SlowLaunch<&RealCuda::cuLaunchCooperativeKernel_ptsz>(Blocks(gx, gy, gz), f, gx, gy, gz, bx, by, bz, shmem, s, params);
}

CUresult hami_hook_cuLaunchCooperativeKernelMultiDevice(CUDA_LAUNCH_PARAMS* p, unsigned n,
                                                        unsigned flags) {
  uint64_t cost = 0;
  for (unsigned i = 0; p && i < n; ++i) cost += Blocks(p[i].gridDimX, p[i].gridDimY, p[i].gridDimZ);
  if (HAMI_LIKELY(GateIsFree())) return g_real.cuLaunchCooperativeKernelMultiDevice(p, n, flags);
  return SlowLaunch<&RealCuda::cuLaunchCooperativeKernelMultiDevice>(cost ? cost : 1, p, n, flags);
}

CUresult hami_hook_cuLaunch(CUfunction f) {
  if (HAMI_LIKELY(GateIsFree())) return g_real.cuLaunch(f);
  return SlowLaunch<&RealCuda::cuLaunch>(1, f);
}

CUresult hami_hook_cuLaunchGrid(CUfunction f, int w, int h) {
  if (HAMI_LIKELY(GateIsFree())) return g_real.cuLaunchGrid(f, w, h);
  return SlowLaunch<&RealCuda::cuLaunchGrid>(Blocks(unsigned(w), unsigned(h), 1), f, w, h);
}

CUresult hami_hook_cuLaunchGridAsync(CUfunction f, int w, int h, CUstream s) {
  if (HAMI_LIKELY(GateIsFree())) return g_real.cuLaunchGridAsync(f, w, h, s);
  return SlowLaunch<&RealCuda::cuLaunchGridAsync>(Blocks(unsigned(w), unsigned(h), 1), f, w, h, s);
}

CUresult hami_hook_cuGraphLaunch(CUgraphExec g, CUstream s) {
  if (HAMI_LIKELY(GateIsFree())) return g_real.cuGraphLaunch(g, s);
  return SlowLaunch<&RealCuda::cuGraphLaunch>(kGraphCost, g, s);
}

CUresult hami_hook_cuGraphLaunch_ptsz(CUgraphExec g, CUstream s) {
  if (HAMI_LIKELY(GateIsFree())) return g_real.cuGraphLaunch_ptsz(g, s);
  return SlowLaunch<&RealCuda::cuGraphLaunch_ptsz>(kGraphCost, g, s);
}
