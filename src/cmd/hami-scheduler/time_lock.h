// Time-only node locks (NodeLockKind::kTimeOnly, e.g. Cambricon's
// `cambricon.com/dsmlu.lock`): the annotation holds a bare RFC3339 time; a
// lock older than the expiry is taken over, an unparseable one is an error.
// The vendor's device plugin removes it after Allocate; the scheduler only
// removes it when the bind fails.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "k8s/client.h"

namespace hami::schedulerd {

inline constexpr std::chrono::seconds kTimeLockExpiry{120};

enum class TimeLockState { kFree, kHeld, kExpired, kInvalid };
// value == nullptr: the annotation is absent.
TimeLockState JudgeTimeLock(const std::string* value, std::chrono::system_clock::time_point now,
                            std::chrono::seconds expiry = kTimeLockExpiry);

// ResourceExhausted while another bind holds it.
Status TakeTimeLock(k8s::Client& client, const Clock& clock, std::string_view node, const std::string& key);
Status ReleaseTimeLock(k8s::Client& client, std::string_view node, const std::string& key);

}  // namespace hami::schedulerd
