// Fuzzes the device-config.yaml and config.json parsers: never crash, never
// throw; the first byte picks which one. Every vendor section of a parsed YAML
// is read as its vendor reads it (ParseSectionFields), and a parsed config.json
// is resolved for a node it does not name and for the first one it names.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/config_sections.h"
#include "api/device_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    if (auto config = hami::api::ParseDeviceConfigYaml(text); config.ok()) {
      for (const auto& [name, yaml] : config->vendor_sections) {
        (void)hami::api::ParseSectionFields(yaml);
      }
    }
    (void)hami::api::ParseSectionFields(text);
  } else if (auto overrides = hami::api::ParseNodeConfigJson(text); overrides.ok()) {
    (void)hami::api::ResolveNodeSettings({}, *overrides, "node");
    if (!overrides->empty()) (void)hami::api::ResolveNodeSettings({}, *overrides, overrides->front().name);
  }
  return 0;
}
