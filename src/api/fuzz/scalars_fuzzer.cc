// Fuzzes the scalar decoders (handshake, bind phase, unix seconds): never
// crash; successful decodes survive encode + decode.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/fuzz/fuzz_check.h"
#include "api/node_lock.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hami::api;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Handshake h = DecodeHandshake(text);
  FUZZ_CHECK(h.raw == text);
  if (h.requested_at.has_value()) {
    Handshake again = DecodeHandshake(EncodeHandshakeRequesting(*h.requested_at));
    FUZZ_CHECK(again.requesting && again.requested_at == h.requested_at);
  }
  if (auto phase = DecodeBindPhase(text); phase.ok()) {
    FUZZ_CHECK(EncodeBindPhase(*phase) == text);
  }
  if (auto seconds = DecodeUnixSeconds(text); seconds.ok()) {
    auto again = DecodeUnixSeconds(EncodeUnixSeconds(*seconds));
    FUZZ_CHECK(again.ok() && *again == *seconds);
  }
  return 0;
}
