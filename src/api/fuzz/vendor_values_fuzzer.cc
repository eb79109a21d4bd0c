// Fuzzes the vendor value codecs (CAMBRICON_DSMLU_PROFILE, index lists, the
// MetaX sGPU inventory and allocation, Ascend's per-chip device list, Enflame
// DRS capacity and assignments): never crashes; what decodes
// re-encodes to the same text (the JSON ones: to a value that decodes to the
// same thing).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/enflame_drs.h"
#include "api/fuzz/fuzz_check.h"
#include "api/metax_sgpu.h"
#include "api/vendor_values.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto p = hami::api::DecodeDsmluProfile(text); p.ok()) {
    FUZZ_CHECK(hami::api::EncodeDsmluProfile(*p) == text);
  }
  if (auto v = hami::api::DecodeIndexList(text); v.ok()) {
    FUZZ_CHECK(hami::api::EncodeIndexList(*v) == text);
  }
  if (auto v = hami::api::DecodeMetaxSgpuDevices(text); v.ok()) {
    auto back = hami::api::DecodeMetaxSgpuDevices(hami::api::EncodeMetaxSgpuDevices(*v));
    FUZZ_CHECK(back.ok() && *back == *v);
  }
  if (auto v = hami::api::DecodeMetaxSgpuAllocation(text); v.ok()) {
    auto back = hami::api::DecodeMetaxSgpuAllocation(hami::api::EncodeMetaxSgpuAllocation(*v));
    FUZZ_CHECK(back.ok() && *back == *v);
  }
  if (auto v = hami::api::DecodeAscendShares(text); v.ok()) {
    auto back = hami::api::DecodeAscendShares(hami::api::EncodeAscendShares(*v));
    FUZZ_CHECK(back.ok() && *back == *v);
  }
  if (auto v = hami::api::DecodeEnflameDrsCapacity(text); v.ok()) {
    auto back = hami::api::DecodeEnflameDrsCapacity(hami::api::EncodeEnflameDrsCapacity(*v));
    FUZZ_CHECK(back.ok() && *back == *v);
  }
  if (auto v = hami::api::DecodeEnflameDrsAssignments(text); v.ok()) {
    auto back = hami::api::DecodeEnflameDrsAssignments(hami::api::EncodeEnflameDrsAssignments(*v));
    FUZZ_CHECK(back.ok() && *back == *v);
  }
  return 0;
}
