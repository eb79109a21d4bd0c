#include "api/annotation_json.h"

#include <array>
#include <limits>

#include "api/internal/annotation_views.h"
#include "api/internal/text.h"
#include "api/enflame_drs.h"
#include "api/metax_sgpu.h"

namespace hami::api {
namespace {

using internal::Json;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Legacy (colon/comma) registration keys: Hygon and the Iluvatar chips.
constexpr std::array<std::string_view, 5> kLegacyRegisterKeys = {
    "hami.io/node-dcu-register",     "hami.io/node-MR-V100-register",
    "hami.io/node-MR-V50-register",  "hami.io/node-BI-V150-register",
    "hami.io/node-BI-V100-register",
};

// Single-valued vendor keys, by the kind of their value.
struct KeyKind {
  std::string_view key;
  AnnotationKind kind;
};
constexpr KeyKind kExactKeys[] = {
    {"hami.io/mutex.lock", AnnotationKind::kNodeLock},
    {"cambricon.com/dsmlu.lock", AnnotationKind::kNodeLock},
    {"hami.io/bind-phase", AnnotationKind::kBindPhase},
    {"hami.io/bind-time", AnnotationKind::kUnixSeconds},
    {"hami.io/vgpu-time", AnnotationKind::kUnixSeconds},
    {"predicate-time", AnnotationKind::kUnixSeconds},
    {"hami.io/node-nvidia-score", AnnotationKind::kPairScores},
    {"hami.io/vgpu-mig-allocations", AnnotationKind::kMigAllocations},
    {"CAMBRICON_DSMLU_PROFILE", AnnotationKind::kDsmluProfile},
    {"CAMBRICON_DSMLU_ASSIGNED", AnnotationKind::kBool},
    {"mthreads.com/gpu-index", AnnotationKind::kIndexList},
    {"mthreads.com/predicate-time", AnnotationKind::kUnixNanos},
    {"mthreads.com/predicate-node", AnnotationKind::kText},
    {"mthreads.com/request-gpu-num", AnnotationKind::kInteger},
    {"metax-tech.com/predicate-time", AnnotationKind::kUnixNanos},
    {"metax-tech.com/gpu.topology.losses", AnnotationKind::kIntegerTable},
    {"metax-tech.com/gpu.topology.scores", AnnotationKind::kIntegerTable},
    {kEnflameDrsCapacityAnnotation, AnnotationKind::kEnflameDrsCapacity},
    {kEnflameAssignedContainersAnnotation, AnnotationKind::kEnflameDrsAssigned},
    {"enflame.com/gcu-assigned", AnnotationKind::kBool},
    {"enflame.com/gcu-assigned-time", AnnotationKind::kUnixNanos},
    {"enflame.com/gcu-assigned-index", AnnotationKind::kInteger},
    {"enflame.com/gcu-assigned-id", AnnotationKind::kInteger},
    {"enflame.com/gcu-assigned-minor", AnnotationKind::kText},
    {"enflame.com/gcu-request-size", AnnotationKind::kInteger},
    {"BAIDU_COM_DEVICE_IDX", AnnotationKind::kIndexList},
    {"AWS_NEURON_IDS", AnnotationKind::kIndexList},
    {"NEURON_ALLOC_TIME", AnnotationKind::kUnixNanos},
    {"NEURON_ALLOCATED", AnnotationKind::kBool},
    {"NEURON_RESOURCE_TYPE", AnnotationKind::kText},
    {"aws.amazon.com/predicate-node", AnnotationKind::kText},
    {"hami-vnpu-core", AnnotationKind::kBool},
};

std::string Dump(const Json& json, bool pretty) {
  // ordered_json keeps the documented field order; ensure_ascii off keeps UTF-8.
  return json.dump(pretty ? 2 : -1, ' ', false, Json::error_handler_t::replace);
}

// Re-decodes an encoded value and checks it gives back what was encoded, so a
// value the wire form cannot carry is an error instead of silently changing.
template <typename T, typename Decoder>
StatusOr<std::string> Checked(std::string encoded, const T& value, Decoder decode) {
  auto back = decode(encoded);
  if (!back.ok() || !(*back == value)) {
    return InvalidArgumentError(
        "the value cannot be written in this annotation's format (a field holds a separator "
        "character or an out-of-range number)");
  }
  return encoded;
}

}  // namespace

StatusOr<AnnotationKind> ClassifyAnnotationKey(std::string_view key) {
  if (key == "quantity") return AnnotationKind::kQuantity;
  for (std::string_view legacy : kLegacyRegisterKeys) {
    if (key == legacy) return AnnotationKind::kNodeDevicesLegacy;
  }
  for (const KeyKind& k : kExactKeys) {
    if (key == k.key) return k.kind;
  }
  // Before the suffix rules: MetaX's own allocation ends like a device list.
  if (key == kMetaxSgpuDevicesAnnotation) return AnnotationKind::kMetaxSgpuDevices;
  if (key == kMetaxSgpuAllocatedAnnotation) return AnnotationKind::kMetaxSgpuAllocated;
  if (EndsWith(key, "-register") || key.starts_with("hami.io/node-register-")) {
    return AnnotationKind::kNodeDevicesJson;
  }
  if (EndsWith(key, "-devices-to-allocate") || EndsWith(key, "-devices-allocated")) {
    return AnnotationKind::kPodDevices;
  }
  if (key.starts_with("hami.io/node-handshake")) return AnnotationKind::kHandshake;
  // Ascend's per-chip runtime list shares its name with the count resource.
  if (key.starts_with("huawei.com/Ascend") && !EndsWith(key, "-memory") &&
      !EndsWith(key, "-core")) {
    return AnnotationKind::kAscendShares;
  }
  return NotFoundError("unknown annotation key " + internal::Quote(key) +
                       " (known: *-register, hami.io/node-register-*, *-devices-to-allocate, "
                       "*-devices-allocated, each vendor's allocated key, hami.io/node-handshake*, "
                       "node locks, bind and time keys, every vendor's plugin annotations "
                       "(see `hami decode --help`), quantity)");
}

StatusOr<std::string> DecodeAnnotationToJson(std::string_view key, std::string_view value,
                                             bool pretty) {
  ASSIGN_OR_RETURN(AnnotationKind kind, ClassifyAnnotationKey(key));
  return DecodeAnnotationToJson(kind, value, pretty);
}

StatusOr<std::string> DecodeAnnotationToJson(AnnotationKind kind, std::string_view value,
                                             bool pretty) {
  switch (kind) {
    case AnnotationKind::kNodeDevicesJson: {
      ASSIGN_OR_RETURN(auto v, DecodeNodeDevicesJson(value));
      return Dump(internal::NodeDevicesToJson(v), pretty);
    }
    case AnnotationKind::kNodeDevicesLegacy: {
      ASSIGN_OR_RETURN(auto v, DecodeNodeDevicesLegacy(value));
      return Dump(internal::NodeDevicesToJson(v), pretty);
    }
    case AnnotationKind::kPodDevices: {
      ASSIGN_OR_RETURN(auto v, DecodePodDevices(value));
      return Dump(internal::PodDevicesToJson(v), pretty);
    }
    case AnnotationKind::kNodeLock: {
      ASSIGN_OR_RETURN(auto v, DecodeNodeLock(value));
      return Dump(internal::NodeLockToJson(v), pretty);
    }
    case AnnotationKind::kHandshake: {
      RETURN_IF_ERROR(internal::CheckAnnotationText(value, "handshake"));
      return Dump(internal::HandshakeToJson(DecodeHandshake(value)), pretty);
    }
    case AnnotationKind::kBindPhase: {
      ASSIGN_OR_RETURN(auto v, DecodeBindPhase(value));
      return Dump(Json(std::string(EncodeBindPhase(v))), pretty);
    }
    case AnnotationKind::kUnixSeconds: {
      ASSIGN_OR_RETURN(auto v, DecodeUnixSeconds(value));
      return Dump(internal::UnixSecondsToJson(v), pretty);
    }
    case AnnotationKind::kPairScores: {
      ASSIGN_OR_RETURN(auto v, DecodePairScores(value));
      return Dump(internal::PairScoresToJson(v), pretty);
    }
    case AnnotationKind::kMigAllocations: {
      ASSIGN_OR_RETURN(auto v, DecodeMigAllocations(value));
      return Dump(internal::MigAllocationsToJson(v), pretty);
    }
    case AnnotationKind::kQuantity: {
      ASSIGN_OR_RETURN(auto v, Quantity::Parse(value));
      return Dump(internal::QuantityToJson(v), pretty);
    }
    case AnnotationKind::kDsmluProfile: {
      ASSIGN_OR_RETURN(auto v, DecodeDsmluProfile(value));
      return Dump(internal::DsmluProfileToJson(v), pretty);
    }
    case AnnotationKind::kIndexList: {
      ASSIGN_OR_RETURN(auto v, DecodeIndexList(value));
      return Dump(internal::IndexListToJson(v), pretty);
    }
    case AnnotationKind::kMetaxSgpuDevices: {  // the view is the canonical value
      ASSIGN_OR_RETURN(auto v, DecodeMetaxSgpuDevices(value));
      return Dump(Json::parse(EncodeMetaxSgpuDevices(v), nullptr, false), pretty);
    }
    case AnnotationKind::kMetaxSgpuAllocated: {
      ASSIGN_OR_RETURN(auto v, DecodeMetaxSgpuAllocation(value));
      return Dump(Json::parse(EncodeMetaxSgpuAllocation(v), nullptr, false), pretty);
    }
    case AnnotationKind::kEnflameDrsCapacity: {
      ASSIGN_OR_RETURN(auto v, DecodeEnflameDrsCapacity(value));
      return Dump(Json::parse(EncodeEnflameDrsCapacity(v), nullptr, false), pretty);
    }
    case AnnotationKind::kEnflameDrsAssigned: {
      ASSIGN_OR_RETURN(auto v, DecodeEnflameDrsAssignments(value));
      return Dump(Json::parse(EncodeEnflameDrsAssignments(v), nullptr, false), pretty);
    }
    case AnnotationKind::kAscendShares: {
      ASSIGN_OR_RETURN(auto v, DecodeAscendShares(value));
      return Dump(Json::parse(EncodeAscendShares(v), nullptr, false), pretty);
    }
    case AnnotationKind::kUnixNanos: {
      ASSIGN_OR_RETURN(auto v, DecodeUnixSeconds(value));
      return Dump(internal::UnixNanosToJson(v), pretty);
    }
    case AnnotationKind::kInteger: {
      ASSIGN_OR_RETURN(auto v, DecodeIndexList(value));
      if (v.size() != 1) {
        return InvalidArgumentError("integer: " + internal::Quote(value) + " is a list");
      }
      return Dump(Json(v[0]), pretty);
    }
    case AnnotationKind::kBool: {
      if (value != "true" && value != "false") {
        return InvalidArgumentError("boolean: " + internal::Quote(value) + " is not true or false");
      }
      return Dump(Json(value == "true"), pretty);
    }
    case AnnotationKind::kText: {
      RETURN_IF_ERROR(internal::CheckAnnotationText(value, "text"));
      return Dump(Json(std::string(value)), pretty);
    }
    case AnnotationKind::kIntegerTable: {
      RETURN_IF_ERROR(internal::CheckAnnotationText(value, "integer table"));
      ASSIGN_OR_RETURN(Json root, internal::ParseJson(value, "integer table"));
      RETURN_IF_ERROR(internal::CheckIntegerTable(root));
      return Dump(root, pretty);
    }
  }
  return InternalError("unhandled annotation kind");
}

StatusOr<std::string> EncodeAnnotationFromJson(std::string_view key, std::string_view json) {
  ASSIGN_OR_RETURN(AnnotationKind kind, ClassifyAnnotationKey(key));
  return EncodeAnnotationFromJson(kind, json);
}

StatusOr<std::string> EncodeAnnotationFromJson(AnnotationKind kind, std::string_view json) {
  // The JSON view of a 256 KiB annotation can be several times larger.
  constexpr size_t kMaxJsonInputBytes = 16 * 1024 * 1024;
  if (json.size() > kMaxJsonInputBytes) {
    return InvalidArgumentError("JSON input: larger than 16 MiB");
  }
  if (size_t bad = internal::FindInvalidUtf8(json); bad != std::string_view::npos) {
    return InvalidArgumentError("JSON input: invalid UTF-8 at byte " + std::to_string(bad));
  }
  ASSIGN_OR_RETURN(Json root, internal::ParseJson(json, "JSON input"));
  switch (kind) {
    case AnnotationKind::kNodeDevicesJson: {
      ASSIGN_OR_RETURN(auto v, internal::NodeDevicesFromJson(root));
      return Checked(EncodeNodeDevicesJson(v), v, DecodeNodeDevicesJson);
    }
    case AnnotationKind::kNodeDevicesLegacy: {
      ASSIGN_OR_RETURN(auto v, internal::NodeDevicesFromJson(root));
      RETURN_IF_ERROR(ValidateNodeDevicesLegacy(v));
      return Checked(EncodeNodeDevicesLegacy(v), v, DecodeNodeDevicesLegacy);
    }
    case AnnotationKind::kPodDevices: {
      ASSIGN_OR_RETURN(auto v, internal::PodDevicesFromJson(root));
      RETURN_IF_ERROR(ValidatePodDevices(v));
      return Checked(EncodePodDevices(v), v, DecodePodDevices);
    }
    case AnnotationKind::kNodeLock: {
      ASSIGN_OR_RETURN(auto v, internal::NodeLockFromJson(root));
      // The wire form has whole seconds.
      v.time = std::chrono::floor<std::chrono::seconds>(v.time);
      return Checked(EncodeNodeLock(v), v, DecodeNodeLock);
    }
    case AnnotationKind::kHandshake:
      return internal::HandshakeFromJson(root);
    case AnnotationKind::kBindPhase: {
      if (!root.is_string()) return InvalidArgumentError("bind phase: expected a JSON string");
      ASSIGN_OR_RETURN(auto v, DecodeBindPhase(root.get<std::string>()));
      return std::string(EncodeBindPhase(v));
    }
    case AnnotationKind::kUnixSeconds: {
      ASSIGN_OR_RETURN(auto v, internal::UnixSecondsFromJson(root));
      return EncodeUnixSeconds(v);
    }
    case AnnotationKind::kPairScores: {
      ASSIGN_OR_RETURN(auto v, internal::PairScoresFromJson(root));
      return EncodePairScores(v);
    }
    case AnnotationKind::kMigAllocations: {
      ASSIGN_OR_RETURN(auto v, internal::MigAllocationsFromJson(root));
      return EncodeMigAllocations(v);
    }
    case AnnotationKind::kQuantity: {
      ASSIGN_OR_RETURN(auto v, internal::QuantityFromJson(root));
      return v.ToString();
    }
    case AnnotationKind::kDsmluProfile: {
      ASSIGN_OR_RETURN(auto v, internal::DsmluProfileFromJson(root));
      return EncodeDsmluProfile(v);
    }
    case AnnotationKind::kIndexList: {
      ASSIGN_OR_RETURN(auto v, internal::IndexListFromJson(root));
      return EncodeIndexList(v);
    }
    case AnnotationKind::kMetaxSgpuDevices: {
      ASSIGN_OR_RETURN(auto v, DecodeMetaxSgpuDevices(json));
      return EncodeMetaxSgpuDevices(v);
    }
    case AnnotationKind::kMetaxSgpuAllocated: {
      ASSIGN_OR_RETURN(auto v, DecodeMetaxSgpuAllocation(json));
      return EncodeMetaxSgpuAllocation(v);
    }
    case AnnotationKind::kEnflameDrsCapacity: {
      ASSIGN_OR_RETURN(auto v, DecodeEnflameDrsCapacity(json));
      return EncodeEnflameDrsCapacity(v);
    }
    case AnnotationKind::kEnflameDrsAssigned: {
      ASSIGN_OR_RETURN(auto v, DecodeEnflameDrsAssignments(json));
      return EncodeEnflameDrsAssignments(v);
    }
    case AnnotationKind::kAscendShares: {
      ASSIGN_OR_RETURN(auto v, DecodeAscendShares(json));
      return EncodeAscendShares(v);
    }
    case AnnotationKind::kUnixNanos: {
      ASSIGN_OR_RETURN(auto v, internal::UnixNanosFromJson(root));
      return EncodeUnixSeconds(v);
    }
    case AnnotationKind::kInteger: {
      ASSIGN_OR_RETURN(int64_t v, internal::JsonInt(root, 0, std::numeric_limits<int64_t>::max(),
                                                    "integer"));
      return std::to_string(v);
    }
    case AnnotationKind::kBool: {
      if (!root.is_boolean()) {
        return InvalidArgumentError("boolean: expected true or false, got " + internal::KindName(root));
      }
      return std::string(root.get<bool>() ? "true" : "false");
    }
    case AnnotationKind::kText: {
      if (!root.is_string()) {
        return InvalidArgumentError("text: expected a JSON string, got " + internal::KindName(root));
      }
      std::string v = root.get<std::string>();
      RETURN_IF_ERROR(internal::CheckAnnotationText(v, "text"));
      return v;
    }
    case AnnotationKind::kIntegerTable: {
      RETURN_IF_ERROR(internal::CheckIntegerTable(root));
      return root.dump();
    }
  }
  return InternalError("unhandled annotation kind");
}

}  // namespace hami::api
