// Private helpers shared by the api codecs: bounded integer parsing with Go
// strconv semantics, UTF-8 validation, the annotation size limit and
// splitting. Not part of the public api; include only from src/api.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hami::api::internal {

// Kubernetes rejects objects whose annotations total more than 256 KiB, so no
// real value is larger; bigger inputs are refused before any parsing.
inline constexpr size_t kMaxAnnotationBytes = 256 * 1024;

// Checks the size limit and that `text` is valid UTF-8 (annotations are JSON
// strings on the wire). `what` names the value in the error message.
Status CheckAnnotationText(std::string_view text, std::string_view what);

// Offset of the first byte that is not part of valid UTF-8, or npos.
size_t FindInvalidUtf8(std::string_view text);

// Parses a base-10 integer like Go's strconv.ParseInt: optional '+'/'-' sign,
// ASCII digits only, no spaces. Range-checked against [min, max].
// Errors read "'<text>' is not an integer" or "'<text>' is out of range [min, max]".
StatusOr<int64_t> ParseInt(std::string_view text, int64_t min, int64_t max);

// Go's strconv.ParseBool: 1,t,T,TRUE,true,True / 0,f,F,FALSE,false,False.
StatusOr<bool> ParseBool(std::string_view text);

// Splits on `sep`; "a,,b" -> {"a","","b"}; "" -> {""}.
std::vector<std::string_view> Split(std::string_view text, char sep);

// Quotes `text` for an error message, shortening long values.
std::string Quote(std::string_view text);

}  // namespace hami::api::internal
