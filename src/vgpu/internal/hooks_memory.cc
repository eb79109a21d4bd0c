// Memory hooks: every allocating path reserves in the shared region before the
// driver call and rolls back when the driver fails; frees of pointers we do
// not know still reach the driver.
#include <string.h>

#include "vgpu/internal/hooks.h"
#include "vgpu/internal/ptr_table.h"
#include "vgpu/internal/runtime.h"

using namespace hami::vgpu;

namespace {

constexpr int kData = 2, kContext = 0;

// Reserve, call, record or roll back. `key_of` reads the new handle.
template <typename Call, typename Key>
CUresult Charged(int idx, uint64_t bytes, AllocKind kind, int field, Call call, Key key_of) {
  if (idx < 0) return call();
  if (!Reserve(idx, bytes, field)) return CUDA_ERROR_OUT_OF_MEMORY;
  CUresult rc = call();
  if (rc != CUDA_SUCCESS) {
    Unreserve(idx, bytes, field);
    return rc;
  }
  if (!PtrTableInsert(key_of(), kind, Charge{bytes, idx, field})) {
    Unreserve(idx, bytes, field);  // cannot track it: do not leak the charge
    RawLog(1, "allocation table full; allocation left uncounted");
  }
  return rc;
}

// Takes the entry out, calls the real free, restores the entry on failure.
template <typename Call>
CUresult Released(uint64_t key, AllocKind kind, Call call) {
  Charge c{};
  bool known = PtrTableErase(key, kind, &c);
  CUresult rc = call();
  if (known) {
    if (rc == CUDA_SUCCESS) {
      Unreserve(c.device_index, c.bytes, c.field);
    } else {
      PtrTableInsert(key, kind, c);
    }
  }
  return rc;
}

uint64_t FormatBytes(CUarray_format f) {
  switch (f) {
    case CU_AD_FORMAT_UNSIGNED_INT8: case CU_AD_FORMAT_SIGNED_INT8: return 1;
    case CU_AD_FORMAT_UNSIGNED_INT16: case CU_AD_FORMAT_SIGNED_INT16:
    case CU_AD_FORMAT_HALF: return 2;
    default: return 4;
  }
}

uint64_t ArrayBytes(const CUDA_ARRAY3D_DESCRIPTOR* d, unsigned levels) {
  if (!d) return 0;
  uint64_t w = d->Width ? d->Width : 1, h = d->Height ? d->Height : 1,
           z = d->Depth ? d->Depth : 1;
  uint64_t elem = FormatBytes(d->Format) * (d->NumChannels ? d->NumChannels : 1);
  bool layered = d->Flags & CUDA_ARRAY3D_LAYERED;
  uint64_t total = 0;
  for (unsigned l = 0; l < (levels ? levels : 1); ++l) {
    total += w * h * z * elem;
    w = w > 1 ? w / 2 : 1;
    h = h > 1 ? h / 2 : 1;
    if (!layered) z = z > 1 ? z / 2 : 1;
  }
  return total;
}

}  // namespace

CUresult hami_hook_cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytesize) {
  Init();
  int idx = CurrentDeviceIndex();
  return Charged(idx, ChargedBytes(idx, bytesize), kKindDevPtr, kData,
                 [&] { return g_real.cuMemAlloc_v2(dptr, bytesize); },
                 [&] { return uint64_t(*dptr); });
}

CUresult hami_hook_cuMemFree_v2(CUdeviceptr dptr) {
  Init();
  if (dptr == 0) return g_real.cuMemFree_v2(dptr);
  return Released(uint64_t(dptr), kKindDevPtr, [&] { return g_real.cuMemFree_v2(dptr); });
}

CUresult hami_hook_cuMemAllocPitch_v2(CUdeviceptr* dptr, size_t* pitch, size_t width,
                                      size_t height, unsigned int elem) {
  Init();
  int idx = CurrentDeviceIndex();
  if (idx < 0) return g_real.cuMemAllocPitch_v2(dptr, pitch, width, height, elem);
  // Reserve with the widest pitch the driver uses (512-byte rows), then
  // settle on the real pitch it returned.
  uint64_t est = ChargedBytes(idx, uint64_t((width + 511) / 512 * 512) * height);
  if (!Reserve(idx, est, kData)) return CUDA_ERROR_OUT_OF_MEMORY;
  CUresult rc = g_real.cuMemAllocPitch_v2(dptr, pitch, width, height, elem);
  if (rc != CUDA_SUCCESS) {
    Unreserve(idx, est, kData);
    return rc;
  }
  uint64_t real = ChargedBytes(idx, uint64_t(*pitch) * height);
  if (real > est && !Reserve(idx, real - est, kData)) {
    g_real.cuMemFree_v2(*dptr);
    Unreserve(idx, est, kData);
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
  if (real < est) Unreserve(idx, est - real, kData);
  if (!PtrTableInsert(uint64_t(*dptr), kKindDevPtr, Charge{real, idx, kData})) {
    Unreserve(idx, real, kData);
  }
  return rc;
}

CUresult hami_hook_cuMemAllocManaged(CUdeviceptr* dptr, size_t bytesize, unsigned int flags) {
  Init();
  int idx = CurrentDeviceIndex();
  return Charged(idx, ChargedBytes(idx, bytesize), kKindDevPtr, kData,
                 [&] { return g_real.cuMemAllocManaged(dptr, bytesize, flags); },
                 [&] { return uint64_t(*dptr); });
}

CUresult hami_hook_cuMemCreate(CUmemGenericAllocationHandle* handle, size_t size,
                               const CUmemAllocationProp* prop, unsigned long long flags) {
  Init();
  int idx = -1;
  if (prop && prop->location.type == CU_MEM_LOCATION_TYPE_DEVICE) {
    idx = DeviceIndexOfOrdinal(prop->location.id);
  }
  return Charged(idx, size, kKindVmm, kData,
                 [&] { return g_real.cuMemCreate(handle, size, prop, flags); },
                 [&] { return uint64_t(*handle); });
}

CUresult hami_hook_cuMemRelease(CUmemGenericAllocationHandle handle) {
  Init();
  return Released(uint64_t(handle), kKindVmm, [&] { return g_real.cuMemRelease(handle); });
}

namespace {
template <typename Fn>
CUresult AllocAsync(CUdeviceptr* dptr, size_t bytesize, Fn fn) {
  Init();
  int idx = CurrentDeviceIndex();
  return Charged(idx, ChargedBytes(idx, bytesize), kKindDevPtr, kData, fn,
                 [&] { return uint64_t(*dptr); });
}
}  // namespace

CUresult hami_hook_cuMemAllocAsync(CUdeviceptr* dptr, size_t bytesize, CUstream s) {
  return AllocAsync(dptr, bytesize, [&] { return g_real.cuMemAllocAsync(dptr, bytesize, s); });
}
CUresult hami_hook_cuMemAllocAsync_ptsz(CUdeviceptr* dptr, size_t bytesize, CUstream s) {
  return AllocAsync(dptr, bytesize,
                    [&] { return g_real.cuMemAllocAsync_ptsz(dptr, bytesize, s); });
}
CUresult hami_hook_cuMemAllocFromPoolAsync(CUdeviceptr* dptr, size_t bytesize,
                                           CUmemoryPool pool, CUstream s) {
  return AllocAsync(dptr, bytesize,
                    [&] { return g_real.cuMemAllocFromPoolAsync(dptr, bytesize, pool, s); });
}
CUresult hami_hook_cuMemAllocFromPoolAsync_ptsz(CUdeviceptr* dptr, size_t bytesize,
                                                CUmemoryPool pool, CUstream s) {
  return AllocAsync(dptr, bytesize, [&] {
    return g_real.cuMemAllocFromPoolAsync_ptsz(dptr, bytesize, pool, s);
  });
}
CUresult hami_hook_cuMemFreeAsync(CUdeviceptr dptr, CUstream s) {
  Init();
  return Released(uint64_t(dptr), kKindDevPtr, [&] { return g_real.cuMemFreeAsync(dptr, s); });
}
CUresult hami_hook_cuMemFreeAsync_ptsz(CUdeviceptr dptr, CUstream s) {
  Init();
  return Released(uint64_t(dptr), kKindDevPtr,
                  [&] { return g_real.cuMemFreeAsync_ptsz(dptr, s); });
}

CUresult hami_hook_cuArrayCreate_v2(CUarray* arr, const CUDA_ARRAY_DESCRIPTOR* desc) {
  Init();
  int idx = CurrentDeviceIndex();
  CUDA_ARRAY3D_DESCRIPTOR d3{};
  if (desc) {
    d3.Width = desc->Width;
    d3.Height = desc->Height;
    d3.Format = desc->Format;
    d3.NumChannels = desc->NumChannels;
  }
  return Charged(idx, ChargedBytes(idx, ArrayBytes(&d3, 1)), kKindArray, kData,
                 [&] { return g_real.cuArrayCreate_v2(arr, desc); },
                 [&] { return uint64_t(reinterpret_cast<uintptr_t>(*arr)); });
}

CUresult hami_hook_cuArray3DCreate_v2(CUarray* arr, const CUDA_ARRAY3D_DESCRIPTOR* desc) {
  Init();
  int idx = CurrentDeviceIndex();
  return Charged(idx, ChargedBytes(idx, ArrayBytes(desc, 1)), kKindArray, kData,
                 [&] { return g_real.cuArray3DCreate_v2(arr, desc); },
                 [&] { return uint64_t(reinterpret_cast<uintptr_t>(*arr)); });
}

CUresult hami_hook_cuArrayDestroy(CUarray arr) {
  Init();
  return Released(uint64_t(reinterpret_cast<uintptr_t>(arr)), kKindArray,
                  [&] { return g_real.cuArrayDestroy(arr); });
}

CUresult hami_hook_cuMipmappedArrayCreate(CUmipmappedArray* arr,
                                          const CUDA_ARRAY3D_DESCRIPTOR* desc,
                                          unsigned int levels) {
  Init();
  int idx = CurrentDeviceIndex();
  return Charged(idx, ChargedBytes(idx, ArrayBytes(desc, levels)), kKindMipmap, kData,
                 [&] { return g_real.cuMipmappedArrayCreate(arr, desc, levels); },
                 [&] { return uint64_t(reinterpret_cast<uintptr_t>(*arr)); });
}

CUresult hami_hook_cuMipmappedArrayDestroy(CUmipmappedArray arr) {
  Init();
  return Released(uint64_t(reinterpret_cast<uintptr_t>(arr)), kKindMipmap,
                  [&] { return g_real.cuMipmappedArrayDestroy(arr); });
}

// ---- contexts ----------------------------------------------------------------

namespace {
constinit int g_primary_refs[64]{};  // atomic; per ordinal, this process

template <typename Call>
CUresult CtxCreate(CUcontext* pctx, CUdevice dev, Call call) {
  Init();
  int idx = DeviceIndexOfOrdinal(dev);
  uint64_t bytes = g_cfg.context_overhead_bytes;
  if (bytes == 0) idx = -1;
  return Charged(idx, bytes, kKindContext, kContext, call,
                 [&] { return uint64_t(reinterpret_cast<uintptr_t>(*pctx)); });
}
}  // namespace

CUresult hami_hook_cuCtxCreate_v2(CUcontext* pctx, unsigned int flags, CUdevice dev) {
  return CtxCreate(pctx, dev, [&] { return g_real.cuCtxCreate_v2(pctx, flags, dev); });
}
CUresult hami_hook_cuCtxCreate_v3(CUcontext* pctx, CUexecAffinityParam* params, int n,
                                  unsigned int flags, CUdevice dev) {
  return CtxCreate(pctx, dev,
                   [&] { return g_real.cuCtxCreate_v3(pctx, params, n, flags, dev); });
}
CUresult hami_hook_cuCtxCreate_v4(CUcontext* pctx, CUctxCreateParams* params,
                                  unsigned int flags, CUdevice dev) {
  return CtxCreate(pctx, dev, [&] { return g_real.cuCtxCreate_v4(pctx, params, flags, dev); });
}
CUresult hami_hook_cuCtxDestroy_v2(CUcontext ctx) {
  Init();
  return Released(uint64_t(reinterpret_cast<uintptr_t>(ctx)), kKindContext,
                  [&] { return g_real.cuCtxDestroy_v2(ctx); });
}

CUresult hami_hook_cuDevicePrimaryCtxRetain(CUcontext* pctx, CUdevice dev) {
  Init();
  int idx = DeviceIndexOfOrdinal(dev);
  uint64_t bytes = g_cfg.context_overhead_bytes;
  bool charge = idx >= 0 && bytes > 0 && dev >= 0 && dev < 64;
  if (charge && __atomic_fetch_add(&g_primary_refs[dev], 1, __ATOMIC_ACQ_REL) == 0) {
    if (!Reserve(idx, bytes, kContext)) {
      __atomic_fetch_sub(&g_primary_refs[dev], 1, __ATOMIC_ACQ_REL);
      return CUDA_ERROR_OUT_OF_MEMORY;
    }
  }
  CUresult rc = g_real.cuDevicePrimaryCtxRetain(pctx, dev);
  if (rc != CUDA_SUCCESS && charge &&
      __atomic_sub_fetch(&g_primary_refs[dev], 1, __ATOMIC_ACQ_REL) == 0) {
    Unreserve(idx, bytes, kContext);
  }
  return rc;
}

CUresult hami_hook_cuDevicePrimaryCtxRelease_v2(CUdevice dev) {
  Init();
  CUresult rc = g_real.cuDevicePrimaryCtxRelease_v2(dev);
  int idx = DeviceIndexOfOrdinal(dev);
  uint64_t bytes = g_cfg.context_overhead_bytes;
  if (rc == CUDA_SUCCESS && idx >= 0 && bytes > 0 && dev >= 0 && dev < 64 &&
      __atomic_load_n(&g_primary_refs[dev], __ATOMIC_ACQUIRE) > 0 &&
      __atomic_sub_fetch(&g_primary_refs[dev], 1, __ATOMIC_ACQ_REL) == 0) {
    Unreserve(idx, bytes, kContext);
  }
  return rc;
}

// ---- virtualized queries ---------------------------------------------------

CUresult hami_hook_cuMemGetInfo_v2(size_t* free_out, size_t* total_out) {
  Init();
  size_t phys_free = 0, phys_total = 0;
  CUresult rc = g_real.cuMemGetInfo_v2(free_out ? &phys_free : nullptr,
                                       total_out || free_out ? &phys_total : nullptr);
  if (rc != CUDA_SUCCESS) return rc;
  int idx = CurrentDeviceIndex();
  uint64_t limit = idx >= 0 ? g_cfg.devices[idx].memory_limit_bytes : 0;
  MaybeSweep();
  if (limit == 0) {
    if (free_out) *free_out = phys_free;
    if (total_out) *total_out = phys_total;
    return rc;
  }
  uint64_t total = limit < phys_total ? limit : phys_total;
  uint64_t used = ContainerUsage(idx);
  uint64_t free = used >= total ? 0 : total - used;
  if (free_out && free > phys_free) free = phys_free;
  if (free_out) *free_out = size_t(free);
  if (total_out) *total_out = size_t(total);
  return rc;
}

CUresult hami_hook_cuDeviceTotalMem_v2(size_t* bytes, CUdevice dev) {
  Init();
  CUresult rc = g_real.cuDeviceTotalMem_v2(bytes, dev);
  if (rc != CUDA_SUCCESS || !bytes) return rc;
  int idx = DeviceIndexOfOrdinal(dev);
  uint64_t limit = idx >= 0 ? g_cfg.devices[idx].memory_limit_bytes : 0;
  if (limit && limit < *bytes) *bytes = size_t(limit);
  return rc;
}
