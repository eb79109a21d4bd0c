// Small values other vendors' device plugins read from pod annotations
// (hami-protocol.md section 10): Cambricon's `CAMBRICON_DSMLU_PROFILE`
// (`<card index>_<cores>_<memory in 256 MiB units>`) and comma-separated
// device index lists (`mthreads.com/gpu-index`), and Huawei Ascend's
// `huawei.com/<chip>` runtime list. Decoders never throw and reject anything
// the encoder would not write.
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

// One device of Ascend's `huawei.com/<chip>` annotation: a JSON array of
// `{"UUID","temp","memory","core"}` (Go field order; zero values other than
// UUID left out), `null` when empty. The decoder reads JSON as Go's
// encoding/json does (case-insensitive keys, null = zero value).
struct AscendDeviceShare {
  std::string uuid;
  std::string temp;  // the vNPU template (hard split); empty for soft split
  int64_t memory_mib = 0;
  int32_t cores = 0;
  friend bool operator==(const AscendDeviceShare&, const AscendDeviceShare&) = default;
};
StatusOr<std::vector<AscendDeviceShare>> DecodeAscendShares(std::string_view text);
std::string EncodeAscendShares(const std::vector<AscendDeviceShare>& shares);

}  // namespace hami::api
