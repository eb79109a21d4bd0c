#include "api/internal/text.h"

#include <charconv>
#include <limits>

namespace hami::api::internal {

size_t FindInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values above U+10FFFF are invalid.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

Status CheckAnnotationText(std::string_view text, std::string_view what) {
  if (text.size() > kMaxAnnotationBytes) {
    return InvalidArgumentError(std::string(what) + ": value is " + std::to_string(text.size()) +
                                " bytes, more than the 262144-byte Kubernetes annotation limit");
  }
  size_t bad = FindInvalidUtf8(text);
  if (bad != std::string_view::npos) {
    return InvalidArgumentError(std::string(what) + ": invalid UTF-8 at byte " +
                                std::to_string(bad));
  }
  return OkStatus();
}

StatusOr<int64_t> ParseInt(std::string_view text, int64_t min, int64_t max) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  bool all_digits = !digits.empty();
  for (char c : digits) {
    if (c < '0' || c > '9') all_digits = false;
  }
  if (!all_digits) return InvalidArgumentError(Quote(text) + " is not an integer");
  // Accumulate as a negative number so INT64_MIN parses.
  int64_t value = 0;
  bool overflow = false;
  for (char c : digits) {
    int d = c - '0';
    if (value < (std::numeric_limits<int64_t>::min() + d) / 10) {
      overflow = true;
      break;
    }
    value = value * 10 - d;
  }
  if (!overflow && !negative) {
    if (value == std::numeric_limits<int64_t>::min()) {
      overflow = true;
    } else {
      value = -value;
    }
  }
  if (overflow || value < min || value > max) {
    return OutOfRangeError(Quote(text) + " is out of range [" + std::to_string(min) + ", " +
                           std::to_string(max) + "]");
  }
  return value;
}

StatusOr<bool> ParseBool(std::string_view text) {
  if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" ||
      text == "True") {
    return true;
  }
  if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" ||
      text == "False") {
    return false;
  }
  return InvalidArgumentError(Quote(text) + " is not a boolean");
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = text.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string Quote(std::string_view text) {
  constexpr size_t kMax = 40;
  std::string out = "'";
  if (text.size() > kMax) {
    out.append(text.substr(0, kMax));
    out.append("...");
  } else {
    out.append(text);
  }
  out.push_back('\'');
  return out;
}

}  // namespace hami::api::internal
