// `hami decode <annotation-key> <value|->`: prints the JSON view of a value.
#include <iostream>
#include <memory>

#include "api/annotation_json.h"
#include "cmd/hami/command.h"

namespace hami::cli {

std::function<int()> DefineDecodeCommand(CLI::App& command) {
  struct Args {
    std::string key;
    std::string value;
    bool pretty = false;
  };
  auto args = std::make_shared<Args>();
  command.add_option("key", args->key, "annotation key, or 'quantity'")->required();
  command.add_option("value", args->value, "the annotation value, or - for stdin")->required();
  command.add_flag("--pretty", args->pretty, "indent the JSON");
  command.footer(
      "Keys: *-register, hami.io/node-register-*, hami.io/node-dcu-register, "
      "hami.io/node-<MR-V100|MR-V50|BI-V150|BI-V100>-register, *-devices-to-allocate, "
      "*-devices-allocated, hami.io/mutex.lock, hami.io/node-handshake*, hami.io/bind-phase, "
      "hami.io/bind-time, hami.io/vgpu-time, hami.io/node-nvidia-score, "
      "hami.io/vgpu-mig-allocations, CAMBRICON_DSMLU_PROFILE, mthreads.com/gpu-index, metax-tech.com/node-gpu-devices, "
      "metax-tech.com/gpu-devices-allocated, quantity. "
      "The JSON schemas are in docs/protocol.md.");
  return [args] {
    auto json = api::DecodeAnnotationToJson(args->key, ReadValueArgument(args->value),
                                            args->pretty);
    if (!json.ok()) {
      PrintError("decode", json.status().message());
      return 1;
    }
    std::cout << *json << '\n';
    return 0;
  };
}

}  // namespace hami::cli
