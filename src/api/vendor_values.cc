#include "api/vendor_values.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "api/internal/json_util.h"
#include "api/internal/text.h"

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

StatusOr<std::vector<AscendDeviceShare>> DecodeAscendShares(std::string_view text) {
  constexpr std::string_view kWhat = "ascend devices";
  RETURN_IF_ERROR(internal::CheckAnnotationText(text, kWhat));
  if (text.empty()) return InvalidArgumentError("ascend devices: empty value");
  ASSIGN_OR_RETURN(internal::Json root, internal::ParseJson(text, kWhat));
  if (root.is_null()) return std::vector<AscendDeviceShare>{};
  if (!root.is_array()) {
    return InvalidArgumentError("ascend devices: expected a JSON array, got " + internal::KindName(root));
  }
  std::vector<AscendDeviceShare> out;
  for (size_t i = 0; i < root.size(); ++i) {
    const std::string where = "ascend devices: device " + std::to_string(i + 1);
    AscendDeviceShare& s = out.emplace_back();
    if (root[i].is_null()) continue;
    if (!root[i].is_object()) {
      return InvalidArgumentError(where + ": expected an object, got " + internal::KindName(root[i]));
    }
    internal::ObjectReader r(root[i], where);
    RETURN_IF_ERROR(r.String("UUID", &s.uuid));
    RETURN_IF_ERROR(r.String("temp", &s.temp));
    using I32 = std::numeric_limits<int32_t>;
    using I64 = std::numeric_limits<int64_t>;
    RETURN_IF_ERROR(r.Int("memory", I64::min(), I64::max(), &s.memory_mib));
    int64_t cores = 0;
    RETURN_IF_ERROR(r.Int("core", I32::min(), I32::max(), &cores));
    s.cores = static_cast<int32_t>(cores);
  }
  return out;
}

std::string EncodeAscendShares(const std::vector<AscendDeviceShare>& shares) {
  if (shares.empty()) return "null";
  std::string out;
  for (const auto& s : shares) {
    out += out.empty() ? "[{\"UUID\":" : ",{\"UUID\":";
    internal::AppendGoString(out, s.uuid);
    if (!s.temp.empty()) out += ",\"temp\":", internal::AppendGoString(out, s.temp);
    if (s.memory_mib != 0) out += ",\"memory\":" + std::to_string(s.memory_mib);
    if (s.cores != 0) out += ",\"core\":" + std::to_string(s.cores);
    out += '}';
  }
  return out + "]";
}

std::string EncodeIndexList(const std::vector<int64_t>& indexes) {
  std::string out;
  for (size_t i = 0; i < indexes.size(); ++i) out += (i ? "," : "") + std::to_string(indexes[i]);
  return out;
}

}  // namespace hami::api
