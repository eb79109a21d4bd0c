// Runs a short access to a shared mapping so that a SIGBUS (the file was
// truncated under the mapping) makes the access fail instead of killing the
// process. The guarded function must not allocate or own resources: on a fault
// control jumps out of it without unwinding.
#pragma once

namespace hami::monitor::internal {

// Returns false if `fn(arg)` faulted with SIGBUS.
bool RunGuarded(void (*fn)(void* arg), void* arg);

}  // namespace hami::monitor::internal
