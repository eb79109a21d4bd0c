// The shared region as libvgpu reads and writes it. The mapped file may hold
// anything (another process of the container, HAMi-core, a crash mid-write, a
// corrupt or hostile container): these functions never index outside the
// region, whatever its content. Pure: the process's identity and the liveness
// check are passed in, so tests and the region fuzzer run them over memory.
#ifndef HAMI_VGPU_INTERNAL_REGION_H_
#define HAMI_VGPU_INTERNAL_REGION_H_

#include <stdint.h>

#include "vgpu/internal/runtime.h"

namespace hami::vgpu {

// Whether process `pid` (started at `start_time`, 0 = any) still runs.
using AliveFn = bool (*)(int32_t pid, uint64_t start_time);

// Initializes what is not initialized (the v1 header when its flag is not set,
// our extension block when its magic is not ours) and publishes `cfg`'s limits
// when they come from the limits file or the region was new. Call under the
// region file's lock.
void PrepareRegion(hami_vgpu_region* r, const Config& cfg);
// Slots [0, SlotBound) may be in use: slot_hwm clamped to [0, MAX_PROCS].
int SlotBound(hami_vgpu_region* r);
// Claims a free slot for `me` (sweeping dead ones once if none is free);
// returns its index or -1 when every slot is taken by a live process.
int ClaimSlotIn(hami_vgpu_region* r, int32_t me, uint64_t start_time, bool host_pid,
                AliveFn alive);
// Zeroes the slots of processes that are gone; returns how many.
int SweepDeadSlotsIn(hami_vgpu_region* r, int32_t me, AliveFn alive);
// The container's usage of device `idx` (every slot's total); 0 for a bad idx.
uint64_t ContainerUsageIn(hami_vgpu_region* r, int idx);

}  // namespace hami::vgpu

#endif  // HAMI_VGPU_INTERNAL_REGION_H_
