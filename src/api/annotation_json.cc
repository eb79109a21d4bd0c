#include "api/annotation_json.h"

#include <array>

#include "api/internal/annotation_views.h"
#include "api/internal/text.h"
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
  // Before the suffix rules: MetaX's own allocation ends like a device list.
  if (key == kMetaxSgpuDevicesAnnotation) return AnnotationKind::kMetaxSgpuDevices;
  if (key == kMetaxSgpuAllocatedAnnotation) return AnnotationKind::kMetaxSgpuAllocated;
  if (EndsWith(key, "-register") || key.starts_with("hami.io/node-register-")) {
    return AnnotationKind::kNodeDevicesJson;
  }
  if (EndsWith(key, "-devices-to-allocate") || EndsWith(key, "-devices-allocated")) {
    return AnnotationKind::kPodDevices;
  }
  if (key == "hami.io/mutex.lock" || key == "cambricon.com/dsmlu.lock") {
    return AnnotationKind::kNodeLock;
  }
  if (key.starts_with("hami.io/node-handshake")) return AnnotationKind::kHandshake;
  if (key == "hami.io/bind-phase") return AnnotationKind::kBindPhase;
  if (key == "hami.io/bind-time" || key == "hami.io/vgpu-time") return AnnotationKind::kUnixSeconds;
  if (key == "hami.io/node-nvidia-score") return AnnotationKind::kPairScores;
  if (key == "hami.io/vgpu-mig-allocations") return AnnotationKind::kMigAllocations;
  if (key == "CAMBRICON_DSMLU_PROFILE") return AnnotationKind::kDsmluProfile;
  if (key == "mthreads.com/gpu-index") return AnnotationKind::kIndexList;
  return NotFoundError("unknown annotation key " + internal::Quote(key) +
                       " (known: *-register, hami.io/node-register-*, *-devices-to-allocate, "
                       "*-devices-allocated, hami.io/mutex.lock, hami.io/node-handshake*, "
                       "hami.io/bind-phase, hami.io/bind-time, hami.io/vgpu-time, "
                       "hami.io/node-nvidia-score, hami.io/vgpu-mig-allocations, CAMBRICON_DSMLU_PROFILE, "
                       "mthreads.com/gpu-index, metax-tech.com/node-gpu-devices, "
                       "metax-tech.com/gpu-devices-allocated, quantity)");
}

StatusOr<std::string> DecodeAnnotationToJson(std::string_view key, std::string_view value,
                                             bool pretty) {
  ASSIGN_OR_RETURN(AnnotationKind kind, ClassifyAnnotationKey(key));
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
  }
  return InternalError("unhandled annotation kind");
}

StatusOr<std::string> EncodeAnnotationFromJson(std::string_view key, std::string_view json) {
  ASSIGN_OR_RETURN(AnnotationKind kind, ClassifyAnnotationKey(key));
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
  }
  return InternalError("unhandled annotation kind");
}

}  // namespace hami::api
