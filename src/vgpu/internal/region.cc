#include "vgpu/internal/region.h"

#include <string.h>

namespace hami::vgpu {
namespace {

template <typename T>
std::atomic_ref<T> A(T& v) { return std::atomic_ref<T>(v); }

}  // namespace

void PrepareRegion(hami_vgpu_region* r, const Config& cfg) {
  hami_vgpu_region_v1& v1 = r->v1;
  if (A(v1.initialized_flag).load(std::memory_order_acquire) != HAMI_VGPU_MAGIC) {
    v1.major_version = HAMI_VGPU_MAJOR;
    v1.minor_version = HAMI_VGPU_MINOR;
    A(v1.utilization_switch).store(1);
    A(v1.recent_kernel).store(0);
    v1.priority = cfg.priority;
  }
  if (A(r->ext.magic).load(std::memory_order_acquire) != HAMI_VGPU_EXT_MAGIC) {
    memset(&r->ext, 0, sizeof(r->ext));
    r->ext.version = HAMI_VGPU_EXT_VERSION;
    r->ext.size = sizeof(r->ext);
    A(r->ext.magic).store(HAMI_VGPU_EXT_MAGIC, std::memory_order_release);
  }
  // Limits and identities are re-published by every process: with the
  // read-only file they are authoritative and identical for all processes.
  if (cfg.from_file || A(v1.initialized_flag).load() != HAMI_VGPU_MAGIC) {
    int n = cfg.num_devices < 0 ? 0 : cfg.num_devices;
    if (n > HAMI_VGPU_MAX_DEVICES) n = HAMI_VGPU_MAX_DEVICES;
    v1.device_num = uint64_t(n);
    for (int i = 0; i < n; ++i) {
      memcpy(v1.uuids[i], cfg.devices[i].uuid, HAMI_VGPU_UUID_LEN);
      v1.limit[i] = cfg.devices[i].memory_limit_bytes;
      v1.sm_limit[i] = cfg.devices[i].sm_limit_percent;
    }
    v1.priority = cfg.priority;
    r->ext.core_policy = cfg.core_policy;
  }
  A(v1.initialized_flag).store(HAMI_VGPU_MAGIC, std::memory_order_release);
}

int SlotBound(hami_vgpu_region* r) {
  int32_t hwm = A(r->ext.slot_hwm).load();
  if (hwm < 0) return 0;
  return hwm > HAMI_VGPU_MAX_PROCS ? HAMI_VGPU_MAX_PROCS : int(hwm);
}

int ClaimSlotIn(hami_vgpu_region* r, int32_t me, uint64_t start_time, bool host_pid,
                AliveFn alive) {
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < HAMI_VGPU_MAX_PROCS; ++i) {
      int32_t expect = 0;
      if (!A(r->v1.procs[i].pid).compare_exchange_strong(expect, me)) continue;
      hami_vgpu_proc_slot& s = r->v1.procs[i];
      A(r->ext.slots[i].start_time).store(start_time);
      A(s.hostpid).store(host_pid ? me : 0);
      A(s.status).store(1);
      int32_t hwm = A(r->ext.slot_hwm).load();
      while (hwm < i + 1 && !A(r->ext.slot_hwm).compare_exchange_weak(hwm, i + 1)) {
      }
      int32_t pn = A(r->v1.proc_num).load();
      while (pn < i + 1 && !A(r->v1.proc_num).compare_exchange_weak(pn, i + 1)) {
      }
      return i;
    }
    SweepDeadSlotsIn(r, me, alive);
  }
  return -1;
}

int SweepDeadSlotsIn(hami_vgpu_region* r, int32_t me, AliveFn alive) {
  int reclaimed = 0;
  const int bound = SlotBound(r);
  for (int i = 0; i < bound; ++i) {
    hami_vgpu_proc_slot& s = r->v1.procs[i];
    int32_t pid = A(s.pid).load();
    if (pid == 0 || pid == me) continue;
    if (pid > 0) {
      if (alive(pid, A(r->ext.slots[i].start_time).load())) continue;
    } else if (pid != INT32_MIN && alive(-pid, 0)) {
      continue;  // another live process is reclaiming it
    }
    if (!A(s.pid).compare_exchange_strong(pid, -me)) continue;
    A(s.status).store(0);
    for (int d = 0; d < HAMI_VGPU_MAX_DEVICES; ++d) {
      hami_vgpu_device_memory& m = s.used[d];
      A(m.context_size).store(0);
      A(m.module_size).store(0);
      A(m.data_size).store(0);
      A(m.total).store(0);
      A(s.device_util[d].sm_util).store(0);
      s.monitorused[d] = 0;
    }
    A(s.hostpid).store(0);
    A(r->ext.slots[i].start_time).store(0);
    A(s.pid).store(0, std::memory_order_release);
    ++reclaimed;
  }
  return reclaimed;
}

uint64_t ContainerUsageIn(hami_vgpu_region* r, int idx) {
  if (idx < 0 || idx >= HAMI_VGPU_MAX_DEVICES) return 0;
  uint64_t sum = 0;
  int hwm = A(r->ext.slot_hwm).load(std::memory_order_seq_cst);
  for (int i = 0; i < hwm && i < HAMI_VGPU_MAX_PROCS; ++i) {
    sum += A(r->v1.procs[i].used[idx].total).load(std::memory_order_seq_cst);
  }
  return sum;
}

}  // namespace hami::vgpu
