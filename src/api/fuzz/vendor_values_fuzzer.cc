// Fuzzes the vendor value codecs (CAMBRICON_DSMLU_PROFILE, index lists):
// never crashes; what decodes re-encodes to the same text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/fuzz/fuzz_check.h"
#include "api/vendor_values.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto p = hami::api::DecodeDsmluProfile(text); p.ok()) {
    FUZZ_CHECK(hami::api::EncodeDsmluProfile(*p) == text);
  }
  if (auto v = hami::api::DecodeIndexList(text); v.ok()) {
    FUZZ_CHECK(hami::api::EncodeIndexList(*v) == text);
  }
  return 0;
}
