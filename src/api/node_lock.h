// Small scalar annotations: node lock, handshake, bind phase and times.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace hami::api {

// `hami.io/mutex.lock`: `<RFC3339>,<namespace>,<pod name>`; legacy form is a
// bare RFC3339 timestamp (owner unknown).
struct NodeLock {
  std::chrono::system_clock::time_point time;
  std::string pod_namespace;  // empty for the legacy form
  std::string pod_name;       // empty for the legacy form
  bool legacy() const { return pod_namespace.empty() && pod_name.empty(); }
  friend bool operator==(const NodeLock&, const NodeLock&) = default;
};
StatusOr<NodeLock> DecodeNodeLock(std::string_view text);
std::string EncodeNodeLock(const NodeLock& lock);

// `hami.io/node-handshake`: `Requesting_<YYYY-MM-DD HH:MM:SS>` (scheduler-local
// time), or anything else (e.g. `Reported ...`, written by old plugins).
struct Handshake {
  bool requesting = false;
  // Set only when requesting and the time parsed; seconds as written (no zone).
  std::optional<std::chrono::system_clock::time_point> requested_at;
  std::string raw;  // the value as read
};
Handshake DecodeHandshake(std::string_view text);
std::string EncodeHandshakeRequesting(std::chrono::system_clock::time_point local_time);

enum class BindPhase { kAllocating, kSuccess, kFailed };
StatusOr<BindPhase> DecodeBindPhase(std::string_view text);
std::string_view EncodeBindPhase(BindPhase phase);

// Unix-seconds annotations (`hami.io/vgpu-time`, `hami.io/bind-time`).
StatusOr<int64_t> DecodeUnixSeconds(std::string_view text);
std::string EncodeUnixSeconds(int64_t seconds);

}  // namespace hami::api
