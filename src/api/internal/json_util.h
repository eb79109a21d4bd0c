// Private JSON helpers for the api codecs: parsing with positioned errors and a
// nesting limit, Go encoding/json field lookup (case-insensitive keys, null =
// absent, last duplicate wins, integers must not be floats), and a writer that
// escapes strings exactly as Go's encoding/json does (HTML-safe, \b \f short
// forms, invalid UTF-8 -> U+FFFD) so our output is byte-identical to HAMi's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace hami::api::internal {

using Json = nlohmann::ordered_json;

inline constexpr int kMaxJsonDepth = 512;

// Parses `text` (already size/UTF-8 checked). InvalidArgument
// "<what>: invalid JSON at byte N: <reason>" on failure.
StatusOr<Json> ParseJson(std::string_view text, std::string_view what);

// Names a JSON kind for errors: "a string", "an object", ...
std::string KindName(const Json& value);

// Reads fields of one JSON object the way Go's decoder fills a struct.
class ObjectReader {
 public:
  // `where` prefixes every error, e.g. "device 2".
  ObjectReader(const Json& object, std::string where) : object_(object), where_(std::move(where)) {}

  // The value for `key` (exact or case-insensitive match, last one wins), or
  // nullptr when absent or null.
  const Json* Find(std::string_view key) const;

  // Each leaves *out untouched when the key is absent or null.
  Status Int(std::string_view key, int64_t min, int64_t max, int64_t* out) const;
  Status Int32(std::string_view key, int32_t min, int32_t* out) const;
  Status String(std::string_view key, std::string* out) const;
  Status Bool(std::string_view key, bool* out) const;

  Status Error(std::string_view key, std::string_view problem) const;
  const std::string& where() const { return where_; }

 private:
  const Json& object_;
  std::string where_;
};

// Checks one JSON value is an integer in [min, max]; `where` prefixes errors.
StatusOr<int64_t> JsonInt(const Json& value, int64_t min, int64_t max, std::string_view where);

// Appends `text` as a JSON string literal with Go's escaping.
void AppendGoString(std::string& out, std::string_view text);
// Appends `value` as compact JSON the way Go marshals the equivalent
// map[string]any / []any / float64 value (object keys sorted bytewise).
void AppendGoValue(std::string& out, const Json& value);

}  // namespace hami::api::internal
