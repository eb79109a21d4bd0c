#include "api/node_lock.h"

#include <cstdio>
#include <limits>

#include "api/internal/text.h"

namespace hami::api {
namespace {

using std::chrono::system_clock;

constexpr int64_t kMaxAbsSeconds = 9'000'000'000;

// Reads exactly `n` ASCII digits at text[*pos]; false if they are not there.
bool Digits(std::string_view text, size_t* pos, size_t n, int* out) {
  if (*pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

// Parses "YYYY-MM-DD<sep>hh:mm:ss" at text[*pos] into a UTC-naive time point.
Status ParseDateTime(std::string_view text, size_t* pos, char sep, system_clock::time_point* out) {
  int year, month, day, hour, minute, second;
  if (!Digits(text, pos, 4, &year) || !Expect(text, pos, '-') || !Digits(text, pos, 2, &month) ||
      !Expect(text, pos, '-') || !Digits(text, pos, 2, &day) || !Expect(text, pos, sep) ||
      !Digits(text, pos, 2, &hour) || !Expect(text, pos, ':') || !Digits(text, pos, 2, &minute) ||
      !Expect(text, pos, ':') || !Digits(text, pos, 2, &second)) {
    return InvalidArgumentError(internal::Quote(text) + " does not match " +
                                (sep == 'T' ? "2006-01-02T15:04:05Z07:00" : "2006-01-02 15:04:05") +
                                " at byte " + std::to_string(*pos));
  }
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                  std::chrono::day(day)};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) {
    return OutOfRangeError(internal::Quote(text) + ": date or time field out of range");
  }
  std::chrono::sys_seconds secs = std::chrono::sys_days(ymd) + std::chrono::hours(hour) +
                                  std::chrono::minutes(minute) + std::chrono::seconds(second);
  // system_clock counts nanoseconds in int64: about 1678-2262. Stay well inside.
  if (secs.time_since_epoch().count() < -kMaxAbsSeconds ||
      secs.time_since_epoch().count() > kMaxAbsSeconds) {
    return OutOfRangeError(internal::Quote(text) + ": year outside 1685-2255");
  }
  *out = secs;
  return OkStatus();
}

std::string FormatDateTime(system_clock::time_point time, char sep) {
  auto secs = std::chrono::floor<std::chrono::seconds>(time);
  auto days = std::chrono::floor<std::chrono::days>(secs);
  std::chrono::year_month_day ymd(days);
  std::chrono::hh_mm_ss<std::chrono::seconds> hms(secs - days);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u%c%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), sep,
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace

StatusOr<system_clock::time_point> ParseRfc3339(std::string_view text,
                                                int32_t* utc_offset_seconds) {
  size_t pos = 0;
  system_clock::time_point t;
  RETURN_IF_ERROR(ParseDateTime(text, &pos, 'T', &t));
  // Go accepts a fraction after the seconds even when the layout has none.
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    size_t start = ++pos;
    int64_t nanos = 0;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9) nanos = nanos * 10 + (text[pos] - '0'), ++digits;
      ++pos;
    }
    if (pos == start) {
      return InvalidArgumentError(internal::Quote(text) + ": empty fraction at byte " +
                                  std::to_string(pos));
    }
    while (digits++ < 9) nanos *= 10;
    t += std::chrono::duration_cast<system_clock::duration>(std::chrono::nanoseconds(nanos));
  }
  int32_t offset = 0;
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int hh, mm;
    if (!Digits(text, &pos, 2, &hh) || !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &mm)) {
      return InvalidArgumentError(internal::Quote(text) + ": bad zone offset at byte " +
                                  std::to_string(pos));
    }
    if (hh > 23 || mm > 59) {
      return OutOfRangeError(internal::Quote(text) + ": zone offset out of range");
    }
    offset = sign * (hh * 3600 + mm * 60);
  } else {
    return InvalidArgumentError(internal::Quote(text) + ": missing zone ('Z' or +hh:mm) at byte " +
                                std::to_string(pos));
  }
  if (pos != text.size()) {
    return InvalidArgumentError(internal::Quote(text) + ": extra text at byte " +
                                std::to_string(pos));
  }
  if (utc_offset_seconds != nullptr) *utc_offset_seconds = offset;
  return t - std::chrono::seconds(offset);
}

std::string FormatRfc3339(system_clock::time_point time, int32_t utc_offset_seconds) {
  std::string out = FormatDateTime(time + std::chrono::seconds(utc_offset_seconds), 'T');
  if (utc_offset_seconds == 0) return out + "Z";
  int32_t abs = utc_offset_seconds < 0 ? -utc_offset_seconds : utc_offset_seconds;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%c%02d:%02d", utc_offset_seconds < 0 ? '-' : '+', abs / 3600,
                (abs % 3600) / 60);
  return out + buf;
}

StatusOr<NodeLock> DecodeNodeLock(std::string_view text) {
  RETURN_IF_ERROR(internal::CheckAnnotationText(text, "node lock"));
  auto parts = internal::Split(text, ',');
  if (parts.size() != 1 && parts.size() != 3) {
    return InvalidArgumentError("node lock: " + internal::Quote(text) + " has " +
                                std::to_string(parts.size()) +
                                " comma-separated parts, want 3 (<RFC3339>,<namespace>,<pod>) "
                                "or 1 (legacy <RFC3339>)");
  }
  NodeLock lock;
  auto time = ParseRfc3339(parts[0], &lock.utc_offset_seconds);
  if (!time.ok()) return time.status().WithContext("node lock: part 1 (time)");
  lock.time = *time;
  if (parts.size() == 3) {
    if (parts[1].empty() || parts[2].empty()) {
      return InvalidArgumentError("node lock: empty " +
                                  std::string(parts[1].empty() ? "namespace (part 2)"
                                                               : "pod name (part 3)"));
    }
    lock.pod_namespace = std::string(parts[1]);
    lock.pod_name = std::string(parts[2]);
  }
  return lock;
}

std::string EncodeNodeLock(const NodeLock& lock) {
  std::string out = FormatRfc3339(lock.time, lock.utc_offset_seconds);
  if (!lock.legacy()) out += "," + lock.pod_namespace + "," + lock.pod_name;
  return out;
}

Handshake DecodeHandshake(std::string_view text) {
  Handshake h;
  h.raw = std::string(text);
  h.requesting = text.find("Requesting") != std::string_view::npos;
  if (!h.requesting) return h;
  size_t underscore = text.find('_');
  if (underscore == std::string_view::npos) return h;
  std::string_view when = text.substr(underscore + 1);
  when = when.substr(0, when.find('_'));
  size_t pos = 0;
  system_clock::time_point t;
  if (ParseDateTime(when, &pos, ' ', &t).ok() && pos == when.size()) h.requested_at = t;
  return h;
}

std::string EncodeHandshakeRequesting(system_clock::time_point local_time) {
  return "Requesting_" + FormatDateTime(local_time, ' ');
}

StatusOr<BindPhase> DecodeBindPhase(std::string_view text) {
  if (text == "allocating") return BindPhase::kAllocating;
  if (text == "success") return BindPhase::kSuccess;
  if (text == "failed") return BindPhase::kFailed;
  return InvalidArgumentError("bind phase: " + internal::Quote(text) +
                              " is not one of allocating, success, failed");
}

std::string_view EncodeBindPhase(BindPhase phase) {
  switch (phase) {
    case BindPhase::kAllocating: return "allocating";
    case BindPhase::kSuccess: return "success";
    case BindPhase::kFailed: return "failed";
  }
  return "failed";
}

StatusOr<int64_t> DecodeUnixSeconds(std::string_view text) {
  auto v = internal::ParseInt(text, 0, std::numeric_limits<int64_t>::max());
  if (!v.ok()) return v.status().WithContext("unix seconds");
  return *v;
}

std::string EncodeUnixSeconds(int64_t seconds) { return std::to_string(seconds); }

}  // namespace hami::api
