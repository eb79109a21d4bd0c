// Structured logging for the hami services: one line per event,
// `ts=... level=... component=... msg="..." key=value ...`, written to stderr.
// Thread-safe. Not for libvgpu (which logs raw, allocation-free).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace hami::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Sets the minimum level printed (default kInfo). Call from main only.
void SetLevel(Level level);
Level GetLevel();
// Parses "debug"/"info"/"warning"/"error" (case-insensitive); returns false if unknown.
bool ParseLevel(std::string_view text, Level* out);

using Field = std::pair<std::string_view, std::string>;

void Write(Level level, std::string_view component, std::string_view message,
           std::initializer_list<Field> fields = {});

inline void Debug(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  if (GetLevel() <= Level::kDebug) Write(Level::kDebug, c, m, f);
}
inline void Info(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, c, m, f);
}
inline void Warn(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kWarning, c, m, f);
}
inline void Error(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kError, c, m, f);
}

}  // namespace hami::log
