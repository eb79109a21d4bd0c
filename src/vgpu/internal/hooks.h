// Declarations of every exported hook, typed by cudaTypedefs.h's PFN types and
// bound to the exact driver symbol name with an asm label (immune to cuda.h's
// versioning macros). A hand-written definition with a wrong signature fails
// to compile against these declarations.
#ifndef HAMI_VGPU_INTERNAL_HOOKS_H_
#define HAMI_VGPU_INTERNAL_HOOKS_H_

#include <cuda.h>
#include <cudaTypedefs.h>

#include <type_traits>

extern "C" {
#define HOOK(name, type)                                                    \
  __attribute__((visibility("default"))) std::remove_pointer_t<type> hami_hook_##name \
      __asm__(#name);
#define REAL(name, type)
#include "vgpu/cuda_symbols.def"
#undef HOOK
#undef REAL

// Forwarding target of the dlsym stub (glibc's dlsym).
__attribute__((visibility("hidden"))) extern void* hami_real_dlsym_ptr;
__attribute__((visibility("hidden"))) int hami_dlsym_decide(void* handle, const char* name,
                                                            void** out);
}

#endif  // HAMI_VGPU_INTERNAL_HOOKS_H_
