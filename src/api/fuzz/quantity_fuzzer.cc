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
  // As in apimachinery, String() may change once more when re-read ("62.5Ki"
  // prints "64000", which reads back as DecimalSI and prints "64k"); after
  // that it is a fixed point.
  auto third = hami::api::Quantity::Parse(second->ToString());
  FUZZ_CHECK(third.ok());
  FUZZ_CHECK(third->MilliValue() == first->MilliValue());
  FUZZ_CHECK(third->ToString() == second->ToString());
  return 0;
}
