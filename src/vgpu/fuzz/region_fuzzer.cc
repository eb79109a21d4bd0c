// Fuzzes the shared region as libvgpu reads it: a region another process left
// (any content) is attached, swept, a slot claimed, usage summed and every
// device's limiter stepped. The input is a first byte of options, then 12-byte
// patches (4-byte offset, 8-byte value) written over a region two live and one
// dead process share, so every field of the 2 MiB region is in reach. Never
// crashes, never reads outside the region, and the results stay in bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "vgpu/internal/limiter.h"
#include "vgpu/internal/region.h"

namespace {

using namespace hami::vgpu;

constexpr int32_t kMe = 4242;
// Odd pids run; even ones are gone. No syscall.
bool FakeAlive(int32_t pid, uint64_t) { return pid > 0 && pid % 2 == 1; }

Config MakeConfig(uint8_t options) {
  Config cfg{};
  cfg.num_devices = 1 + options % 4;
  for (int i = 0; i < cfg.num_devices; ++i) {
    cfg.devices[i].uuid[0] = char('A' + i);
    cfg.devices[i].memory_limit_bytes = uint64_t(i) << 30;
    cfg.devices[i].sm_limit_percent = uint32_t(30 * i);
  }
  cfg.from_file = (options & 4) != 0;
  cfg.core_policy = (options >> 3) % 3;
  cfg.priority = (options >> 5) & 1;
  return cfg;
}

hami_vgpu_region* Baseline() {
  static hami_vgpu_region* base = [] {
    auto* r = new (std::align_val_t(64)) hami_vgpu_region;
    std::memset(r, 0, sizeof(*r));
    PrepareRegion(r, MakeConfig(5));
    for (int32_t pid : {11, 12, 13}) {  // 12 is dead
      int slot = ClaimSlotIn(r, pid, 100, false, FakeAlive);
      r->v1.procs[slot].used[0].total = 1 << 20;
    }
    return r;
  }();
  return base;
}

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static hami_vgpu_region* r = new (std::align_val_t(64)) hami_vgpu_region;
  if (size == 0) return 0;
  std::memcpy(r, Baseline(), sizeof(*r));
  const Config cfg = MakeConfig(data[0]);
  auto* bytes = reinterpret_cast<uint8_t*>(r);
  for (size_t at = 1; at + 12 <= size; at += 12) {
    uint32_t offset;
    std::memcpy(&offset, data + at, 4);
    offset = (offset % uint32_t(sizeof(*r) / 4)) * 4;
    size_t n = sizeof(*r) - offset < 8 ? sizeof(*r) - offset : 8;
    std::memcpy(bytes + offset, data + at + 4, n);
  }

  PrepareRegion(r, cfg);
  Check(r->v1.initialized_flag == HAMI_VGPU_MAGIC && r->ext.magic == HAMI_VGPU_EXT_MAGIC);
  if (cfg.from_file) {
    for (int i = 0; i < cfg.num_devices; ++i) Check(r->v1.limit[i] == cfg.devices[i].memory_limit_bytes);
  }
  SweepDeadSlotsIn(r, kMe, FakeAlive);
  const int bound = SlotBound(r);
  Check(bound >= 0 && bound <= HAMI_VGPU_MAX_PROCS);
  for (int i = 0; i < bound; ++i) {
    int32_t pid = r->v1.procs[i].pid;
    Check(pid == 0 || pid == kMe || FakeAlive(pid, 0) || (pid < 0 && pid != INT32_MIN && FakeAlive(-pid, 0)));
  }
  int slot = ClaimSlotIn(r, kMe, 7, (data[0] & 64) != 0, FakeAlive);
  Check(slot >= -1 && slot < HAMI_VGPU_MAX_PROCS);
  if (slot >= 0) Check(r->v1.procs[slot].pid == kMe && SlotBound(r) > slot);
  for (int idx = -1; idx <= HAMI_VGPU_MAX_DEVICES; ++idx) (void)ContainerUsageIn(r, idx);
  Check(ContainerUsageIn(r, -1) == 0 && ContainerUsageIn(r, HAMI_VGPU_MAX_DEVICES) == 0);

  for (int d = 0; d < HAMI_VGPU_MAX_DEVICES; ++d) {
    const hami_vgpu_limiter& L = r->ext.limiter[d];
    int64_t next = RefilledTokens(L.tokens, L.rate_milli, L.last_refill_ns, L.controller_beat_ns);
    Check(next >= L.tokens);  // a refill never takes tokens away
    uint64_t sleep_ns = DebtSleepNs(L.tokens, L.rate_milli);
    Check(sleep_ns <= 5'000'000);
    if (L.tokens < 0 && L.rate_milli != 0) Check(sleep_ns >= 50'000);
    double used = double(L.consumed) / (double(L.launches % 1000) + 0.001);
    (void)NextRate(L.rate_milli, used, double(L.util_percent), double(r->v1.sm_limit[d]),
                   (L.throttled_ns & 1) != 0);
  }
  return 0;
}
