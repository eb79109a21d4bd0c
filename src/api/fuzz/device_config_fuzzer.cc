// Fuzzes the device-config.yaml and config.json parsers: never crash, never
// throw; the first byte picks which one.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/device_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    (void)hami::api::ParseDeviceConfigYaml(text);
  } else if (auto overrides = hami::api::ParseNodeConfigJson(text); overrides.ok()) {
    (void)hami::api::ResolveNodeSettings({}, *overrides, "node");
  }
  return 0;
}
