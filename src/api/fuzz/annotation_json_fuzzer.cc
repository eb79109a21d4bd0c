// Fuzzes the JSON views: the first byte picks an annotation key. When a value
// decodes, its view encodes, and the encoded value decodes to the same view.
// Also feeds the input to the encoder directly (must never crash).
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "api/annotation_json.h"
#include "api/fuzz/fuzz_check.h"

namespace {
constexpr std::string_view kKeys[] = {
    "hami.io/node-nvidia-register", "hami.io/node-dcu-register",
    "hami.io/vgpu-devices-allocated", "hami.io/mutex.lock",
    "hami.io/node-handshake", "hami.io/bind-phase",
    "hami.io/bind-time", "hami.io/node-nvidia-score",
    "hami.io/vgpu-mig-allocations", "quantity",
    "CAMBRICON_DSMLU_PROFILE", "mthreads.com/gpu-index",
    "metax-tech.com/node-gpu-devices", "metax-tech.com/gpu-devices-allocated",
    "enflame.com/gcu-drs-capacity", "assigned-containers",
    "huawei.com/Ascend910B3", "NEURON_ALLOC_TIME",
    "enflame.com/gcu-request-size", "NEURON_ALLOCATED",
    "aws.amazon.com/predicate-node", "metax-tech.com/gpu.topology.losses",
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view key = kKeys[data[0] % std::size(kKeys)];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  (void)hami::api::EncodeAnnotationFromJson(key, text);
  auto view = hami::api::DecodeAnnotationToJson(key, text);
  if (!view.ok()) return 0;
  auto encoded = hami::api::EncodeAnnotationFromJson(key, *view);
  FUZZ_CHECK(encoded.ok());
  auto again = hami::api::DecodeAnnotationToJson(key, *encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *view);
  return 0;
}
