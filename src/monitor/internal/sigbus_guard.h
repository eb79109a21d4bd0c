// Runs a short access to a shared mapping so that a SIGBUS (the file was
// truncated under the mapping) makes the access fail instead of killing the
// process. The guarded function must not allocate or own resources: on a fault
// control jumps out of it without unwinding. It must also be declared
// HAMI_GUARDED_ACCESS: under ThreadSanitizer every atomic access runs inside the
// sanitizer's runtime, which holds a lock for the address while it touches
// memory; jumping out of the fault left that lock held, and the next access to
// the address (same mapping re-extended, or a new mapping at the same address)
// blocked forever. The accesses are to memory shared with other processes,
// which the sanitizer cannot see anyway.
#pragma once

#if defined(__clang__)
#define HAMI_GUARDED_ACCESS __attribute__((disable_sanitizer_instrumentation, noinline))
#elif defined(__GNUC__)
#define HAMI_GUARDED_ACCESS __attribute__((no_sanitize_thread, noinline))
#else
#define HAMI_GUARDED_ACCESS
#endif

namespace hami::monitor::internal {

// Returns false if `fn(arg)` faulted with SIGBUS.
bool RunGuarded(void (*fn)(void* arg), void* arg);

}  // namespace hami::monitor::internal
