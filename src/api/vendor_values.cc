#include "api/vendor_values.h"

#include <algorithm>
#include <charconv>

namespace hami::api {
namespace {

// A non-negative decimal without sign or leading zeros ("0" itself allowed).
StatusOr<int64_t> Number(std::string_view s, std::string_view what) {
  int64_t v = 0;
  const bool digits = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (!digits || ec != std::errc() || p != s.data() + s.size() || (s.size() > 1 && s[0] == '0')) {
    return InvalidArgumentError(std::string(what) + ": '" + std::string(s) + "' is not a non-negative integer");
  }
  return v;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

}  // namespace

StatusOr<DsmluProfile> DecodeDsmluProfile(std::string_view text) {
  auto parts = Split(text, '_');
  if (parts.size() != 3) return InvalidArgumentError("dsmlu profile: want <index>_<cores>_<memory units>");
  DsmluProfile p;
  ASSIGN_OR_RETURN(p.index, Number(parts[0], "dsmlu profile index"));
  ASSIGN_OR_RETURN(p.cores, Number(parts[1], "dsmlu profile cores"));
  ASSIGN_OR_RETURN(p.memory_units, Number(parts[2], "dsmlu profile memory"));
  return p;
}

std::string EncodeDsmluProfile(const DsmluProfile& p) {
  return std::to_string(p.index) + "_" + std::to_string(p.cores) + "_" + std::to_string(p.memory_units);
}

StatusOr<std::vector<int64_t>> DecodeIndexList(std::string_view text) {
  std::vector<int64_t> out;
  for (std::string_view part : Split(text, ',')) {
    ASSIGN_OR_RETURN(int64_t v, Number(part, "index list"));
    out.push_back(v);
  }
  return out;
}

std::string EncodeIndexList(const std::vector<int64_t>& indexes) {
  std::string out;
  for (size_t i = 0; i < indexes.size(); ++i) out += (i ? "," : "") + std::to_string(indexes[i]);
  return out;
}

}  // namespace hami::api
