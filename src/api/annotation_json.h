// JSON views of every annotation value hami reads or writes, and the mapping
// from annotation key to codec. Used by `hami decode|encode` and by tests/tools.
// DecodeAnnotationToJson prints a stable, documented view (docs/protocol.md);
// EncodeAnnotationFromJson is its exact inverse: for every value v that decodes,
// Encode(key, Decode(key, v)) reproduces HAMi's own encoding of v byte for byte.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace hami::api {

enum class AnnotationKind {
  kNodeDevicesJson,    // *-register, hami.io/node-register-* (JSON vendors)
  kNodeDevicesLegacy,  // hami.io/node-dcu-register, Iluvatar hami.io/node-<chip>-register
  kPodDevices,         // *-devices-to-allocate, *-devices-allocated
  kNodeLock,           // hami.io/mutex.lock, cambricon.com/dsmlu.lock
  kHandshake,          // hami.io/node-handshake*
  kBindPhase,          // hami.io/bind-phase
  kUnixSeconds,        // hami.io/bind-time, hami.io/vgpu-time
  kPairScores,         // hami.io/node-nvidia-score
  kMigAllocations,     // hami.io/vgpu-mig-allocations
  kQuantity,           // pseudo-key "quantity": a resource.Quantity
  kDsmluProfile,       // CAMBRICON_DSMLU_PROFILE
  kIndexList,          // mthreads.com/gpu-index, AWS_NEURON_IDS, BAIDU_COM_DEVICE_IDX
  kMetaxSgpuDevices,   // metax-tech.com/node-gpu-devices
  kMetaxSgpuAllocated, // metax-tech.com/gpu-devices-allocated
  kEnflameDrsCapacity, // enflame.com/gcu-drs-capacity
  kEnflameDrsAssigned, // assigned-containers
  kAscendShares,       // huawei.com/Ascend<chip> (not the -memory/-core resources)
  kUnixNanos,          // NEURON_ALLOC_TIME, *predicate-time of MetaX/Mthreads, gcu-assigned-time
  kInteger,            // enflame.com/gcu-assigned-{index,id}, gcu-request-size, request-gpu-num
  kBool,               // NEURON_ALLOCATED, enflame.com/gcu-assigned, CAMBRICON_DSMLU_ASSIGNED,
                       // hami-vnpu-core
  kText,               // *predicate-node, NEURON_RESOURCE_TYPE, enflame.com/gcu-assigned-minor
  kIntegerTable,       // metax-tech.com/gpu.topology.{losses,scores}: {"<n>":<int>}
};

// NotFound "unknown annotation key '<key>'" when hami has no codec for it.
// Keys named only by a vendor's configuration (e.g. hami.io/kunlun-allocated)
// are classified by the caller from the vendor registry (hami decode/encode).
StatusOr<AnnotationKind> ClassifyAnnotationKey(std::string_view key);

// Decodes `value` and returns its JSON view (compact, one line; pretty with
// indent 2 when `pretty`). Errors are the codec's, naming what and where.
StatusOr<std::string> DecodeAnnotationToJson(std::string_view key, std::string_view value,
                                             bool pretty = false);
StatusOr<std::string> DecodeAnnotationToJson(AnnotationKind kind, std::string_view value,
                                             bool pretty = false);

// Encodes the JSON view back to the annotation value. InvalidArgument for
// malformed JSON, wrong types, unknown fields, or a value the wire form cannot
// carry (e.g. a `,` inside a UUID).
StatusOr<std::string> EncodeAnnotationFromJson(std::string_view key, std::string_view json);
StatusOr<std::string> EncodeAnnotationFromJson(AnnotationKind kind, std::string_view json);

}  // namespace hami::api
