// GPU pair scores (`hami.io/node-nvidia-score`):
// `[{"uuid":"GPU-a","score":{"GPU-b":200,...}},...]`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hami::api {

struct DevicePairScore {
  std::string uuid;
  std::map<std::string, int32_t> scores;  // other UUID -> score
  friend bool operator==(const DevicePairScore&, const DevicePairScore&) = default;
};

StatusOr<std::vector<DevicePairScore>> DecodePairScores(std::string_view text);
std::string EncodePairScores(const std::vector<DevicePairScore>& scores);

}  // namespace hami::api
