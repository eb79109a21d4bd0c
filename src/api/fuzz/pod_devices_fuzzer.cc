// Fuzzes DecodePodDevices: never crashes; when it succeeds, EncodePodDevices of the result decodes
// to the same value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/fuzz/fuzz_check.h"
#include "api/pod_devices.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = hami::api::DecodePodDevices(text);
  if (!first.ok()) return 0;
  auto second = hami::api::DecodePodDevices(hami::api::EncodePodDevices(*first));
  FUZZ_CHECK(second.ok());
  FUZZ_CHECK(*second == *first);
  return 0;
}
