#include "vgpu/internal/ptr_table.h"

#include <sys/mman.h>

#include <atomic>

namespace hami::vgpu {
namespace {

constexpr uint64_t kCapacity = 1u << 20;  // entries; 16 MiB of virtual memory
constexpr uint64_t kEmpty = 0, kTomb = 1, kBusy = 2, kKeyBias = 3;

struct Entry {
  uint64_t key;   // atomic
  uint64_t meta;  // bytes(48) | field(4) | kind(4) | index(8)
};

constinit Entry* g_entries = nullptr;

uint64_t Hash(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return k;
}
uint64_t Pack(AllocKind kind, const Charge& c) {
  return (c.bytes << 16) | (uint64_t(c.field & 0xf) << 12) | (uint64_t(kind & 0xf) << 8) |
         uint64_t(c.device_index & 0xff);
}

}  // namespace

bool PtrTableInit() {
  void* p = mmap(nullptr, kCapacity * sizeof(Entry), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return false;
  g_entries = static_cast<Entry*>(p);
  return true;
}

void PtrTableResetAfterFork() {
  if (g_entries) madvise(g_entries, kCapacity * sizeof(Entry), MADV_DONTNEED);
}

bool PtrTableInsert(uint64_t key, AllocKind kind, Charge c) {
  if (!g_entries) return false;
  uint64_t k = key + kKeyBias;
  for (uint64_t i = 0, h = Hash(k); i < kCapacity; ++i) {
    Entry& e = g_entries[(h + i) & (kCapacity - 1)];
    std::atomic_ref<uint64_t> ek(e.key);
    uint64_t cur = ek.load(std::memory_order_relaxed);
    if (cur != kEmpty && cur != kTomb) continue;
    if (!ek.compare_exchange_strong(cur, kBusy, std::memory_order_acquire)) continue;
    std::atomic_ref<uint64_t>(e.meta).store(Pack(kind, c), std::memory_order_relaxed);
    ek.store(k, std::memory_order_release);
    return true;
  }
  return false;
}

bool PtrTableErase(uint64_t key, AllocKind kind, Charge* out) {
  if (!g_entries) return false;
  uint64_t k = key + kKeyBias;
  for (uint64_t i = 0, h = Hash(k); i < kCapacity; ++i) {
    Entry& e = g_entries[(h + i) & (kCapacity - 1)];
    std::atomic_ref<uint64_t> ek(e.key);
    uint64_t cur = ek.load(std::memory_order_acquire);
    if (cur == kEmpty) return false;
    if (cur != k) continue;
    uint64_t meta = std::atomic_ref<uint64_t>(e.meta).load(std::memory_order_relaxed);
    if (((meta >> 8) & 0xf) != uint64_t(kind & 0xf)) continue;
    if (!ek.compare_exchange_strong(cur, kTomb, std::memory_order_acq_rel)) return false;
    out->bytes = meta >> 16;
    out->field = int((meta >> 12) & 0xf);
    out->device_index = int(meta & 0xff);
    return true;
  }
  return false;
}

}  // namespace hami::vgpu
