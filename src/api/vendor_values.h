// Small values other vendors' device plugins read from pod annotations
// (hami-protocol.md section 10): Cambricon's `CAMBRICON_DSMLU_PROFILE`
// (`<card index>_<cores>_<memory in 256 MiB units>`) and comma-separated
// device index lists (`mthreads.com/gpu-index`). Decoders never throw and
// reject anything the encoder would not write.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hami::api {

struct DsmluProfile {
  int64_t index = 0;
  int64_t cores = 0;
  int64_t memory_units = 0;  // 256 MiB each
  friend bool operator==(const DsmluProfile&, const DsmluProfile&) = default;
};
StatusOr<DsmluProfile> DecodeDsmluProfile(std::string_view text);
std::string EncodeDsmluProfile(const DsmluProfile& profile);

// Non-empty, non-negative decimal integers joined by `,`.
StatusOr<std::vector<int64_t>> DecodeIndexList(std::string_view text);
std::string EncodeIndexList(const std::vector<int64_t>& indexes);

}  // namespace hami::api
