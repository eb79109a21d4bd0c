// Fuzzes libvgpu's reading of the read-only limits file (key=value lines) and
// of HAMi's size strings: never crash; the parsed configuration stays within
// its fixed bounds (device count, NUL-terminated strings).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "vgpu/internal/runtime.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);  // NUL-terminated copy
  hami::vgpu::Config cfg{};
  if (hami::vgpu::ParseLimitsText(text.c_str(), &cfg)) {
    if (cfg.num_devices < 0 || cfg.num_devices > HAMI_VGPU_MAX_DEVICES) std::abort();
    if (memchr(cfg.region_path, '\0', sizeof cfg.region_path) == nullptr) std::abort();
    for (int i = 0; i < cfg.num_devices; ++i) {
      if (memchr(cfg.devices[i].uuid, '\0', sizeof cfg.devices[i].uuid) == nullptr) std::abort();
    }
  }
  (void)hami::vgpu::ParseSizeBytes(text.c_str());
  return 0;
}
