// Small scalar annotations: node lock, handshake, bind phase and times.
// Decoders never throw; they return InvalidArgument/OutOfRange naming what is
// wrong. Times are parsed like Go's time.Parse (RFC3339 accepts fractional
// seconds; the zone offset is kept so re-encoding is byte-identical).
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
  // Zone offset the timestamp was written with (0 = "Z"); Encode writes it back.
  int32_t utc_offset_seconds = 0;
  bool legacy() const { return pod_namespace.empty() && pod_name.empty(); }
  friend bool operator==(const NodeLock&, const NodeLock&) = default;
};
// Exactly 1 (legacy) or 3 comma-separated parts; the time must parse.
StatusOr<NodeLock> DecodeNodeLock(std::string_view text);
// Seconds precision (Go's time.RFC3339 layout drops fractions).
std::string EncodeNodeLock(const NodeLock& lock);

// RFC3339 as Go's time.Parse(time.RFC3339, ...) reads it; the offset found is
// stored in *utc_offset_seconds when not null.
StatusOr<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text,
                                                             int32_t* utc_offset_seconds = nullptr);
// `YYYY-MM-DDTHH:MM:SS` + `Z` (offset 0) or `+hh:mm`, shown at that offset.
std::string FormatRfc3339(std::chrono::system_clock::time_point time,
                          int32_t utc_offset_seconds = 0);

// `hami.io/node-handshake`: `Requesting_<YYYY-MM-DD HH:MM:SS>` (scheduler-local
// time), or anything else (e.g. `Reported ...`, written by old plugins).
struct Handshake {
  bool requesting = false;
  // Set only when requesting and the time parsed; seconds as written (no zone).
  std::optional<std::chrono::system_clock::time_point> requested_at;
  std::string raw;  // the value as read
};
// Never fails: HAMi treats unparseable values as healthy. `requesting` when the
// value contains "Requesting"; the time is the text after the first `_` (up to
// a next `_`), in the layout `2006-01-02 15:04:05`, read as if it were UTC.
Handshake DecodeHandshake(std::string_view text);
// `Requesting_` + the calendar fields of `local_time` read as UTC (callers add
// their zone offset first, mirroring DecodeHandshake).
std::string EncodeHandshakeRequesting(std::chrono::system_clock::time_point local_time);

enum class BindPhase { kAllocating, kSuccess, kFailed };
StatusOr<BindPhase> DecodeBindPhase(std::string_view text);
std::string_view EncodeBindPhase(BindPhase phase);

// Unix-seconds annotations (`hami.io/vgpu-time`, `hami.io/bind-time`): decimal
// digits (leading '+' accepted like Go's ParseInt); negative values are refused.
StatusOr<int64_t> DecodeUnixSeconds(std::string_view text);
std::string EncodeUnixSeconds(int64_t seconds);

}  // namespace hami::api
