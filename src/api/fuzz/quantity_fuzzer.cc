// Fuzzes Quantity::Parse: never crashes; a parsed value's canonical string
// parses back to the same value and the same string.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/fuzz/fuzz_check.h"
#include "api/quantity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = hami::api::Quantity::Parse(text);
  if (!first.ok()) return 0;
  std::string canonical = first->ToString();
  auto second = hami::api::Quantity::Parse(canonical);
  FUZZ_CHECK(second.ok());
  FUZZ_CHECK(second->MilliValue() == first->MilliValue());
  FUZZ_CHECK(second->ToString() == canonical);
  return 0;
}
