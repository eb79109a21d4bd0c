#include "api/pair_scores.h"

#include <limits>

#include "api/internal/json_util.h"
#include "api/internal/text.h"

namespace hami::api {

using internal::Json;

StatusOr<std::vector<DevicePairScore>> DecodePairScores(std::string_view text) {
  constexpr std::string_view kWhat = "pair scores";
  RETURN_IF_ERROR(internal::CheckAnnotationText(text, kWhat));
  if (text.empty()) return InvalidArgumentError("pair scores: empty value");
  ASSIGN_OR_RETURN(Json root, internal::ParseJson(text, kWhat));
  std::vector<DevicePairScore> out;
  if (root.is_null()) return out;
  if (!root.is_array()) {
    return InvalidArgumentError("pair scores: expected a JSON array, got " +
                                internal::KindName(root));
  }
  for (size_t i = 0; i < root.size(); ++i) {
    std::string where = "pair scores: entry " + std::to_string(i + 1);
    const Json& item = root[i];
    DevicePairScore score;
    if (item.is_null()) {
      out.push_back(std::move(score));
      continue;
    }
    if (!item.is_object()) {
      return InvalidArgumentError(where + ": expected an object, got " + internal::KindName(item));
    }
    internal::ObjectReader r(item, where);
    RETURN_IF_ERROR(r.String("uuid", &score.uuid));
    if (const Json* scores = r.Find("score")) {
      if (!scores->is_object()) {
        return r.Error("score", "expected an object, got " + internal::KindName(*scores));
      }
      for (auto it = scores->begin(); it != scores->end(); ++it) {
        ASSIGN_OR_RETURN(int64_t v,
                         internal::JsonInt(it.value(), std::numeric_limits<int32_t>::min(),
                                           std::numeric_limits<int32_t>::max(),
                                           where + ": score for " + internal::Quote(it.key()) +
                                               ": "));
        score.scores[it.key()] = static_cast<int32_t>(v);
      }
    }
    out.push_back(std::move(score));
  }
  return out;
}

std::string EncodePairScores(const std::vector<DevicePairScore>& scores) {
  std::string out = "[";
  for (size_t i = 0; i < scores.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"uuid\":");
    internal::AppendGoString(out, scores[i].uuid);
    out.append(",\"score\":{");
    bool first = true;
    for (const auto& [uuid, value] : scores[i].scores) {
      if (!first) out.push_back(',');
      first = false;
      internal::AppendGoString(out, uuid);
      out.push_back(':');
      out.append(std::to_string(value));
    }
    out.append("}}");
  }
  out.push_back(']');
  return out;
}

}  // namespace hami::api
