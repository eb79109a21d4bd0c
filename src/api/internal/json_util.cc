#include "api/internal/json_util.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "api/internal/text.h"

namespace hami::api::internal {
namespace {

// Depth of [ and { nesting outside strings; stops counting once over the limit.
bool TooDeep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void AppendGoNumber(std::string& out, const Json& value) {
  if (value.is_number_integer() && !value.is_number_unsigned()) {
    out.append(std::to_string(value.get<int64_t>()));
    return;
  }
  if (value.is_number_unsigned()) {
    out.append(std::to_string(value.get<uint64_t>()));
    return;
  }
  double d = value.get<double>();
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 1e21) {
    // Go prints integral float64 values without a fraction or exponent.
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.0f", d);
    out.append(buf);
    return;
  }
  out.append(value.dump());
}

}  // namespace

StatusOr<Json> ParseJson(std::string_view text, std::string_view what) {
  if (TooDeep(text)) {
    return InvalidArgumentError(std::string(what) + ": JSON nested deeper than " +
                                std::to_string(kMaxJsonDepth) + " levels");
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    std::string reason = e.what();
    // Keep nlohmann's reason but drop its "[json.exception...] parse error at ...:" prefix.
    size_t colon = reason.find(": ");
    if (colon != std::string::npos) reason = reason.substr(colon + 2);
    return InvalidArgumentError(std::string(what) + ": invalid JSON at byte " +
                                std::to_string(e.byte) + ": " + reason);
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string(what) + ": invalid JSON: " + e.what());
  }
}

std::string KindName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_float: return "a non-integer number";
    default: return "a number";
  }
}

StatusOr<int64_t> JsonInt(const Json& value, int64_t min, int64_t max, std::string_view where) {
  std::string prefix = std::string(where);
  if (value.is_number_unsigned()) {
    uint64_t u = value.get<uint64_t>();
    if (max >= 0 && u <= static_cast<uint64_t>(max) && static_cast<int64_t>(u) >= min) {
      return static_cast<int64_t>(u);
    }
    return OutOfRangeError(prefix + std::to_string(u) + " is out of range [" + std::to_string(min) +
                           ", " + std::to_string(max) + "]");
  }
  if (value.is_number_integer()) {
    int64_t v = value.get<int64_t>();
    if (v >= min && v <= max) return v;
    return OutOfRangeError(prefix + std::to_string(v) + " is out of range [" + std::to_string(min) +
                           ", " + std::to_string(max) + "]");
  }
  if (value.is_number_float()) {
    return InvalidArgumentError(prefix + value.dump() + " is not an integer");
  }
  return InvalidArgumentError(prefix + "expected an integer, got " + KindName(value));
}

const Json* ObjectReader::Find(std::string_view key) const {
  const Json* found = nullptr;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (it.key() == key || EqualFold(it.key(), key)) found = &it.value();
  }
  if (found != nullptr && found->is_null()) return nullptr;
  return found;
}

Status ObjectReader::Error(std::string_view key, std::string_view problem) const {
  return InvalidArgumentError(where_ + ": field '" + std::string(key) + "': " +
                              std::string(problem));
}

Status ObjectReader::Int(std::string_view key, int64_t min, int64_t max, int64_t* out) const {
  const Json* v = Find(key);
  if (v == nullptr) return OkStatus();
  auto n = JsonInt(*v, min, max, where_ + ": field '" + std::string(key) + "': ");
  if (!n.ok()) return n.status();
  *out = *n;
  return OkStatus();
}

Status ObjectReader::Int32(std::string_view key, int32_t min, int32_t* out) const {
  int64_t v = *out;
  RETURN_IF_ERROR(Int(key, min, std::numeric_limits<int32_t>::max(), &v));
  *out = static_cast<int32_t>(v);
  return OkStatus();
}

Status ObjectReader::String(std::string_view key, std::string* out) const {
  const Json* v = Find(key);
  if (v == nullptr) return OkStatus();
  if (!v->is_string()) return Error(key, "expected a string, got " + KindName(*v));
  *out = v->get<std::string>();
  return OkStatus();
}

Status ObjectReader::Bool(std::string_view key, bool* out) const {
  const Json* v = Find(key);
  if (v == nullptr) return OkStatus();
  if (!v->is_boolean()) return Error(key, "expected a boolean, got " + KindName(*v));
  *out = v->get<bool>();
  return OkStatus();
}

void AppendGoString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        case '<':
        case '>':
        case '&':
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
          break;
        default:
          if (c < 0x20) {
            out.append("\\u00");
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Multi-byte: copy a valid sequence, replace an invalid byte with U+FFFD.
    std::string_view rest = text.substr(i, std::min<size_t>(4, text.size() - i));
    size_t len = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : 2;
    if (len > rest.size() || FindInvalidUtf8(rest.substr(0, len)) != std::string_view::npos) {
      out.append("\\ufffd");
      ++i;
      continue;
    }
    std::string_view seq = text.substr(i, len);
    if (seq == "\xE2\x80\xA8") {
      out.append("\\u2028");
    } else if (seq == "\xE2\x80\xA9") {
      out.append("\\u2029");
    } else {
      out.append(seq);
    }
    i += len;
  }
  out.push_back('"');
}

void AppendGoValue(std::string& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: out.append("null"); return;
    case Json::value_t::boolean: out.append(value.get<bool>() ? "true" : "false"); return;
    case Json::value_t::string: AppendGoString(out, value.get_ref<const std::string&>()); return;
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const Json& item : value) {
        if (!first) out.push_back(',');
        first = false;
        AppendGoValue(out, item);
      }
      out.push_back(']');
      return;
    }
    case Json::value_t::object: {
      // Go sorts map keys; the last duplicate wins.
      std::map<std::string, const Json*> sorted;
      for (auto it = value.begin(); it != value.end(); ++it) sorted[it.key()] = &it.value();
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : sorted) {
        if (!first) out.push_back(',');
        first = false;
        AppendGoString(out, key);
        out.push_back(':');
        AppendGoValue(out, *item);
      }
      out.push_back('}');
      return;
    }
    default: AppendGoNumber(out, value); return;
  }
}

}  // namespace hami::api::internal
