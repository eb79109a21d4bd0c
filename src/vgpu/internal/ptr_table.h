// Lock-free, allocation-free map from driver handles (device pointers, VMM
// handles, arrays, contexts) to what was charged for them. Fixed capacity in
// an anonymous mapping made at init; linear probing with tombstone reuse.
// Keys are unique while live (the driver never hands out a live key twice).
#ifndef HAMI_VGPU_INTERNAL_PTR_TABLE_H_
#define HAMI_VGPU_INTERNAL_PTR_TABLE_H_

#include <stdint.h>

namespace hami::vgpu {

enum AllocKind : uint8_t {
  kKindDevPtr = 1, kKindVmm = 2, kKindArray = 3, kKindMipmap = 4, kKindContext = 5,
};

struct Charge {
  uint64_t bytes;
  int device_index;
  int field;
};

bool PtrTableInit();                       // once, from Init
void PtrTableResetAfterFork();             // child forgets the parent's entries
bool PtrTableInsert(uint64_t key, AllocKind kind, Charge c);
bool PtrTableErase(uint64_t key, AllocKind kind, Charge* out);  // false if unknown

}  // namespace hami::vgpu

#endif  // HAMI_VGPU_INTERNAL_PTR_TABLE_H_
