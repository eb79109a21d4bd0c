// Fuzzes DecodeNodeLock: never crashes; when it succeeds, the encoding (whole
// seconds) decodes to the same lock.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/fuzz/fuzz_check.h"
#include "api/node_lock.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = hami::api::DecodeNodeLock(text);
  if (!first.ok()) return 0;
  hami::api::NodeLock lock = *first;
  lock.time = std::chrono::floor<std::chrono::seconds>(lock.time);
  auto second = hami::api::DecodeNodeLock(hami::api::EncodeNodeLock(lock));
  FUZZ_CHECK(second.ok());
  FUZZ_CHECK(*second == lock);
  return 0;
}
