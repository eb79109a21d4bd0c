#include "api/mig_allocations.h"

#include <limits>
#include <set>
#include <utility>

#include "api/internal/json_util.h"
#include "api/internal/text.h"

namespace hami::api {
namespace {

using internal::Json;
using internal::ObjectReader;

StatusOr<MigAllocation> DecodeOne(const Json& item, const std::string& where) {
  if (!item.is_object()) {
    return InvalidArgumentError(where + ": expected an object, got " + internal::KindName(item));
  }
  ObjectReader r(item, where);
  MigAllocation a;
  RETURN_IF_ERROR(r.Int32("containerIndex", 0, &a.container_index));
  RETURN_IF_ERROR(r.Int32("deviceIndex", 0, &a.device_index));
  RETURN_IF_ERROR(r.String("gpuUUID", &a.gpu_uuid));
  RETURN_IF_ERROR(r.String("profile", &a.profile));
  if (a.gpu_uuid.empty()) return r.Error("gpuUUID", "missing or empty");
  if (a.profile.empty()) return r.Error("profile", "missing or empty");
  if (const Json* placement = r.Find("placement")) {
    if (!placement->is_object()) {
      return r.Error("placement", "expected an object, got " + internal::KindName(*placement));
    }
    ObjectReader p(*placement, where + ", placement");
    RETURN_IF_ERROR(p.Int32("start", 0, &a.placement.start));
    RETURN_IF_ERROR(p.Int32("size", 0, &a.placement.size));
  } else {
    return r.Error("placement", "missing");
  }
  const bool has_uuid = r.Find("migUUID") != nullptr;
  const bool has_gi = r.Find("gpuInstanceID") != nullptr;
  const bool has_ci = r.Find("computeInstanceID") != nullptr;
  if (has_uuid || has_gi || has_ci) {
    if (!(has_uuid && has_gi && has_ci)) {
      return InvalidArgumentError(where +
                                  ": migUUID, gpuInstanceID and computeInstanceID must be all "
                                  "present or all absent");
    }
    MigRuntimeIdentity id;
    RETURN_IF_ERROR(r.String("migUUID", &id.mig_uuid));
    RETURN_IF_ERROR(r.Int32("gpuInstanceID", 0, &id.gpu_instance_id));
    RETURN_IF_ERROR(r.Int32("computeInstanceID", 0, &id.compute_instance_id));
    if (id.mig_uuid.empty()) return r.Error("migUUID", "empty");
    a.runtime = std::move(id);
  }
  return a;
}

}  // namespace

StatusOr<std::vector<MigAllocation>> DecodeMigAllocations(std::string_view text) {
  constexpr std::string_view kWhat = "MIG allocations";
  RETURN_IF_ERROR(internal::CheckAnnotationText(text, kWhat));
  if (text.empty()) return InvalidArgumentError("MIG allocations: empty value");
  ASSIGN_OR_RETURN(Json root, internal::ParseJson(text, kWhat));
  std::vector<MigAllocation> out;
  if (root.is_null()) return out;
  if (!root.is_array()) {
    return InvalidArgumentError("MIG allocations: expected a JSON array, got " +
                                internal::KindName(root));
  }
  std::set<std::pair<int32_t, int32_t>> seen;
  for (size_t i = 0; i < root.size(); ++i) {
    std::string where = "MIG allocations: entry " + std::to_string(i + 1);
    ASSIGN_OR_RETURN(MigAllocation a, DecodeOne(root[i], where));
    if (!seen.insert({a.container_index, a.device_index}).second) {
      return InvalidArgumentError(where + ": duplicate (containerIndex " +
                                  std::to_string(a.container_index) + ", deviceIndex " +
                                  std::to_string(a.device_index) + ")");
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::string EncodeMigAllocations(const std::vector<MigAllocation>& allocations) {
  std::string out = "[";
  for (size_t i = 0; i < allocations.size(); ++i) {
    const MigAllocation& a = allocations[i];
    if (i > 0) out.push_back(',');
    out.append("{\"containerIndex\":" + std::to_string(a.container_index) +
               ",\"deviceIndex\":" + std::to_string(a.device_index) + ",\"gpuUUID\":");
    internal::AppendGoString(out, a.gpu_uuid);
    out.append(",\"profile\":");
    internal::AppendGoString(out, a.profile);
    out.append(",\"placement\":{\"start\":" + std::to_string(a.placement.start) +
               ",\"size\":" + std::to_string(a.placement.size) + "}");
    if (a.runtime.has_value()) {
      out.append(",\"migUUID\":");
      internal::AppendGoString(out, a.runtime->mig_uuid);
      out.append(",\"gpuInstanceID\":" + std::to_string(a.runtime->gpu_instance_id) +
                 ",\"computeInstanceID\":" + std::to_string(a.runtime->compute_instance_id));
    }
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

}  // namespace hami::api
