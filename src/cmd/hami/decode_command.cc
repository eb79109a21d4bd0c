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
      "Keys: every vendor's device lists (*-devices-to-allocate, *-devices-allocated, "
      "hami.io/kunlun-allocated), handshakes (hami.io/node-handshake*) and locks "
      "(hami.io/mutex.lock, cambricon.com/dsmlu.lock) from the vendor registry; registrations "
      "(*-register, hami.io/node-register-*, metax-tech.com/node-gpu-devices, "
      "enflame.com/gcu-drs-capacity, metax-tech.com/gpu.topology.losses|scores, hami-vnpu-core); "
      "hami.io/bind-phase, hami.io/bind-time, hami.io/vgpu-time, hami.io/node-nvidia-score, "
      "hami.io/vgpu-mig-allocations; plugin values: CAMBRICON_DSMLU_PROFILE, "
      "CAMBRICON_DSMLU_ASSIGNED, mthreads.com/gpu-index|predicate-time|predicate-node|"
      "request-gpu-num, metax-tech.com/gpu-devices-allocated|predicate-time, huawei.com/<Ascend chip>, "
      "predicate-time, assigned-containers, enflame.com/gcu-assigned[-time|-index|-id|-minor], "
      "enflame.com/gcu-request-size, BAIDU_COM_DEVICE_IDX, AWS_NEURON_IDS, NEURON_ALLOC_TIME, "
      "NEURON_ALLOCATED, NEURON_RESOURCE_TYPE, aws.amazon.com/predicate-node; and quantity. "
      "The JSON views are in docs/protocol.md.");
  return [args] {
    auto kind = ClassifyKey(args->key);
    auto json = kind.ok()
                    ? api::DecodeAnnotationToJson(*kind, ReadValueArgument(args->value), args->pretty)
                    : StatusOr<std::string>(kind.status());
    if (!json.ok()) {
      PrintError("decode", json.status().message());
      return 1;
    }
    std::cout << *json << '\n';
    return 0;
  };
}

}  // namespace hami::cli
