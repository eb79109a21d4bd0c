#include "api/internal/annotation_views.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "api/internal/text.h"

namespace hami::api::internal {
namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

Status ExpectObject(const Json& json, const std::string& where) {
  if (json.is_object()) return OkStatus();
  return InvalidArgumentError(where + ": expected an object, got " + KindName(json));
}

Status ExpectArray(const Json& json, const std::string& where) {
  if (json.is_array()) return OkStatus();
  return InvalidArgumentError(where + ": expected an array, got " + KindName(json));
}

std::string Item(const std::string& where, std::string_view what, size_t i) {
  std::string prefix = where.empty() ? "" : where + ", ";
  return prefix + std::string(what) + " " + std::to_string(i + 1);
}

Json PlacementToJson(const MigPlacement& p) {
  Json j = Json::object();
  j["start"] = p.start;
  j["size"] = p.size;
  return j;
}

StatusOr<MigPlacement> PlacementFromJson(const Json& json, const std::string& where) {
  RETURN_IF_ERROR(ExpectObject(json, where));
  RETURN_IF_ERROR(CheckKnownKeys(json, {"start", "size"}, where));
  ObjectReader r(json, where);
  MigPlacement p;
  RETURN_IF_ERROR(r.Int32("start", 0, &p.start));
  RETURN_IF_ERROR(r.Int32("size", 0, &p.size));
  return p;
}

}  // namespace

Status CheckKnownKeys(const Json& object, std::initializer_list<std::string_view> allowed,
                      std::string_view where) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      return InvalidArgumentError(std::string(where) + ": unknown field '" + it.key() + "'");
    }
  }
  return OkStatus();
}

Json PodDevicesToJson(const PodDevices& pod) {
  Json out = Json::array();
  for (const ContainerDevices& container : pod) {
    Json c = Json::array();
    for (const ContainerDevice& d : container) {
      Json j = Json::object();
      j["uuid"] = d.uuid;
      j["type"] = d.type;
      j["usedmem"] = d.used_mem_mib;
      j["usedcores"] = d.used_cores;
      c.push_back(std::move(j));
    }
    out.push_back(std::move(c));
  }
  return out;
}

StatusOr<PodDevices> PodDevicesFromJson(const Json& json) {
  RETURN_IF_ERROR(ExpectArray(json, "pod devices"));
  PodDevices pod;
  for (size_t c = 0; c < json.size(); ++c) {
    std::string cwhere = Item("", "container", c);
    RETURN_IF_ERROR(ExpectArray(json[c], cwhere));
    ContainerDevices devices;
    for (size_t i = 0; i < json[c].size(); ++i) {
      std::string where = Item(cwhere, "device", i);
      const Json& j = json[c][i];
      RETURN_IF_ERROR(ExpectObject(j, where));
      RETURN_IF_ERROR(CheckKnownKeys(j, {"uuid", "type", "usedmem", "usedcores"}, where));
      ObjectReader r(j, where);
      ContainerDevice d;
      RETURN_IF_ERROR(r.String("uuid", &d.uuid));
      RETURN_IF_ERROR(r.String("type", &d.type));
      RETURN_IF_ERROR(r.Int32("usedmem", 0, &d.used_mem_mib));
      RETURN_IF_ERROR(r.Int32("usedcores", 0, &d.used_cores));
      devices.push_back(std::move(d));
    }
    pod.push_back(std::move(devices));
  }
  return pod;
}

Json NodeDevicesToJson(const std::vector<DeviceInfo>& devices) {
  Json out = Json::array();
  for (const DeviceInfo& d : devices) {
    Json j = Json::object();
    j["id"] = d.id;
    j["index"] = d.index;
    j["count"] = d.count;
    j["devmem"] = d.devmem_mib;
    j["devcore"] = d.devcore;
    j["type"] = d.type;
    j["numa"] = d.numa;
    j["mode"] = d.mode;
    Json profiles = Json::array();
    for (const MigProfile& p : d.mig_profiles) {
      Json pj = Json::object();
      pj["name"] = p.name;
      pj["memoryMB"] = p.memory_mib;
      pj["core"] = p.core_percent;
      pj["sliceCount"] = p.slice_count;
      pj["placements"] = Json::array();
      for (const MigPlacement& pl : p.placements) pj["placements"].push_back(PlacementToJson(pl));
      profiles.push_back(std::move(pj));
    }
    j["migProfiles"] = std::move(profiles);
    j["health"] = d.health;
    j["devicevendor"] = d.device_vendor;
    if (d.custom_info_json.empty()) {
      j["custominfo"] = nullptr;
    } else {
      Json custom = Json::parse(d.custom_info_json, nullptr, /*allow_exceptions=*/false);
      j["custominfo"] = custom.is_discarded() ? Json(d.custom_info_json) : custom;
    }
    out.push_back(std::move(j));
  }
  return out;
}

StatusOr<std::vector<DeviceInfo>> NodeDevicesFromJson(const Json& json) {
  RETURN_IF_ERROR(ExpectArray(json, "node devices"));
  std::vector<DeviceInfo> devices;
  for (size_t i = 0; i < json.size(); ++i) {
    std::string where = Item("", "device", i);
    const Json& j = json[i];
    RETURN_IF_ERROR(ExpectObject(j, where));
    RETURN_IF_ERROR(CheckKnownKeys(j,
                                   {"id", "index", "count", "devmem", "devcore", "type", "numa",
                                    "mode", "migProfiles", "health", "devicevendor", "custominfo"},
                                   where));
    ObjectReader r(j, where);
    DeviceInfo d;
    RETURN_IF_ERROR(r.String("id", &d.id));
    RETURN_IF_ERROR(r.Int32("index", 0, &d.index));
    RETURN_IF_ERROR(r.Int32("count", 0, &d.count));
    RETURN_IF_ERROR(r.Int("devmem", 0, kInt32Max, &d.devmem_mib));
    RETURN_IF_ERROR(r.Int32("devcore", 0, &d.devcore));
    RETURN_IF_ERROR(r.String("type", &d.type));
    RETURN_IF_ERROR(r.Int32("numa", 0, &d.numa));
    RETURN_IF_ERROR(r.String("mode", &d.mode));
    if (const Json* profiles = r.Find("migProfiles")) {
      RETURN_IF_ERROR(ExpectArray(*profiles, where + ", migProfiles"));
      for (size_t k = 0; k < profiles->size(); ++k) {
        std::string pwhere = Item(where, "migProfile", k);
        const Json& pj = (*profiles)[k];
        RETURN_IF_ERROR(ExpectObject(pj, pwhere));
        RETURN_IF_ERROR(
            CheckKnownKeys(pj, {"name", "memoryMB", "core", "sliceCount", "placements"}, pwhere));
        ObjectReader pr(pj, pwhere);
        MigProfile p;
        RETURN_IF_ERROR(pr.String("name", &p.name));
        RETURN_IF_ERROR(pr.Int("memoryMB", 0, kInt32Max, &p.memory_mib));
        RETURN_IF_ERROR(pr.Int32("core", 0, &p.core_percent));
        RETURN_IF_ERROR(pr.Int32("sliceCount", 0, &p.slice_count));
        if (const Json* placements = pr.Find("placements")) {
          RETURN_IF_ERROR(ExpectArray(*placements, pwhere + ", placements"));
          for (size_t n = 0; n < placements->size(); ++n) {
            ASSIGN_OR_RETURN(auto pl, PlacementFromJson((*placements)[n],
                                                        Item(pwhere, "placement", n)));
            p.placements.push_back(pl);
          }
        }
        d.mig_profiles.push_back(std::move(p));
      }
    }
    RETURN_IF_ERROR(r.Bool("health", &d.health));
    RETURN_IF_ERROR(r.String("devicevendor", &d.device_vendor));
    if (const Json* custom = r.Find("custominfo")) {
      if (!custom->is_object()) return r.Error("custominfo", "expected an object or null");
      if (!custom->empty()) AppendGoValue(d.custom_info_json, *custom);
    }
    devices.push_back(std::move(d));
  }
  return devices;
}

Json NodeLockToJson(const NodeLock& lock) {
  Json j = Json::object();
  j["time"] = FormatRfc3339(lock.time, lock.utc_offset_seconds);
  j["namespace"] = lock.pod_namespace;
  j["pod"] = lock.pod_name;
  j["legacy"] = lock.legacy();
  return j;
}

StatusOr<NodeLock> NodeLockFromJson(const Json& json) {
  RETURN_IF_ERROR(ExpectObject(json, "node lock"));
  RETURN_IF_ERROR(CheckKnownKeys(json, {"time", "namespace", "pod", "legacy"}, "node lock"));
  ObjectReader r(json, "node lock");
  std::string time;
  NodeLock lock;
  RETURN_IF_ERROR(r.String("time", &time));
  RETURN_IF_ERROR(r.String("namespace", &lock.pod_namespace));
  RETURN_IF_ERROR(r.String("pod", &lock.pod_name));
  auto t = ParseRfc3339(time, &lock.utc_offset_seconds);
  if (!t.ok()) return t.status().WithContext("node lock: field 'time'");
  lock.time = *t;
  bool legacy = lock.legacy();
  RETURN_IF_ERROR(r.Bool("legacy", &legacy));
  if (legacy != lock.legacy()) {
    return InvalidArgumentError("node lock: 'legacy' must be true exactly when namespace and pod "
                                "are empty");
  }
  return lock;
}

Json HandshakeToJson(const Handshake& h) {
  Json j = Json::object();
  j["requesting"] = h.requesting;
  j["requestedAt"] = h.requested_at.has_value()
                         ? Json(EncodeHandshakeRequesting(*h.requested_at).substr(11))
                         : Json(nullptr);
  j["raw"] = h.raw;
  return j;
}

StatusOr<std::string> HandshakeFromJson(const Json& json) {
  RETURN_IF_ERROR(ExpectObject(json, "handshake"));
  RETURN_IF_ERROR(CheckKnownKeys(json, {"requesting", "requestedAt", "raw"}, "handshake"));
  ObjectReader r(json, "handshake");
  std::string raw, at;
  RETURN_IF_ERROR(r.String("raw", &raw));
  RETURN_IF_ERROR(r.String("requestedAt", &at));
  if (r.Find("raw") != nullptr) return raw;  // the value as read wins
  if (at.empty()) return InvalidArgumentError("handshake: give 'raw' or 'requestedAt'");
  std::string value = "Requesting_" + at;
  Handshake h = DecodeHandshake(value);
  if (!h.requested_at.has_value()) {
    return InvalidArgumentError("handshake: field 'requestedAt': '" + at +
                                "' does not match 2006-01-02 15:04:05");
  }
  return value;
}

Json UnixSecondsToJson(int64_t seconds) {
  Json j = Json::object();
  j["unixSeconds"] = seconds;
  using namespace std::chrono;
  j["time"] = seconds <= 8'900'000'000  // inside system_clock's range
                  ? Json(FormatRfc3339(system_clock::time_point(std::chrono::seconds(seconds))))
                  : Json(nullptr);
  return j;
}

StatusOr<int64_t> UnixSecondsFromJson(const Json& json) {
  RETURN_IF_ERROR(ExpectObject(json, "unix seconds"));
  RETURN_IF_ERROR(CheckKnownKeys(json, {"unixSeconds", "time"}, "unix seconds"));
  ObjectReader r(json, "unix seconds");
  if (r.Find("unixSeconds") == nullptr) return r.Error("unixSeconds", "missing");
  int64_t v = 0;
  RETURN_IF_ERROR(r.Int("unixSeconds", 0, std::numeric_limits<int64_t>::max(), &v));
  return v;
}

Json UnixNanosToJson(int64_t nanos) {
  Json j = Json::object();
  j["unixNanos"] = nanos;
  using namespace std::chrono;
  j["time"] = FormatRfc3339(system_clock::time_point(duration_cast<system_clock::duration>(
      floor<seconds>(std::chrono::nanoseconds(nanos)))));
  return j;
}

StatusOr<int64_t> UnixNanosFromJson(const Json& json) {
  RETURN_IF_ERROR(ExpectObject(json, "unix nanoseconds"));
  RETURN_IF_ERROR(CheckKnownKeys(json, {"unixNanos", "time"}, "unix nanoseconds"));
  ObjectReader r(json, "unix nanoseconds");
  if (r.Find("unixNanos") == nullptr) return r.Error("unixNanos", "missing");
  int64_t v = 0;
  RETURN_IF_ERROR(r.Int("unixNanos", 0, std::numeric_limits<int64_t>::max(), &v));
  return v;
}

Status CheckIntegerTable(const Json& json) {
  if (!json.is_object()) {
    return InvalidArgumentError("integer table: expected a JSON object, got " + KindName(json));
  }
  for (auto it = json.begin(); it != json.end(); ++it) {
    const std::string where = "integer table: key " + Quote(it.key());
    int32_t n = 0;
    auto [p, ec] = std::from_chars(it.key().data(), it.key().data() + it.key().size(), n);
    if (ec != std::errc() || p != it.key().data() + it.key().size()) {
      return InvalidArgumentError(where + " is not an integer");
    }
    RETURN_IF_ERROR(JsonInt(it.value(), std::numeric_limits<int64_t>::min(),
                            std::numeric_limits<int64_t>::max(), where).status());
  }
  return OkStatus();
}

Json DsmluProfileToJson(const DsmluProfile& profile) {
  Json j = Json::object();
  j["index"] = profile.index;
  j["cores"] = profile.cores;
  j["memoryUnits"] = profile.memory_units;
  return j;
}

StatusOr<DsmluProfile> DsmluProfileFromJson(const Json& json) {
  RETURN_IF_ERROR(ExpectObject(json, "dsmlu profile"));
  RETURN_IF_ERROR(CheckKnownKeys(json, {"index", "cores", "memoryUnits"}, "dsmlu profile"));
  ObjectReader r(json, "dsmlu profile");
  DsmluProfile v;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  for (const char* key : {"index", "cores", "memoryUnits"}) {
    if (r.Find(key) == nullptr) return r.Error(key, "missing");
  }
  RETURN_IF_ERROR(r.Int("index", 0, kMax, &v.index));
  RETURN_IF_ERROR(r.Int("cores", 0, kMax, &v.cores));
  RETURN_IF_ERROR(r.Int("memoryUnits", 0, kMax, &v.memory_units));
  return v;
}

Json IndexListToJson(const std::vector<int64_t>& indexes) {
  Json out = Json::array();
  for (int64_t i : indexes) out.push_back(i);
  return out;
}

StatusOr<std::vector<int64_t>> IndexListFromJson(const Json& json) {
  if (!json.is_array() || json.empty()) {
    return InvalidArgumentError("index list: expected a non-empty JSON array, got " + KindName(json));
  }
  std::vector<int64_t> out;
  for (size_t i = 0; i < json.size(); ++i) {
    ASSIGN_OR_RETURN(int64_t v, JsonInt(json[i], 0, std::numeric_limits<int64_t>::max(),
                                        "index list[" + std::to_string(i) + "]"));
    out.push_back(v);
  }
  return out;
}

Json PairScoresToJson(const std::vector<DevicePairScore>& scores) {
  Json out = Json::array();
  for (const DevicePairScore& s : scores) {
    Json j = Json::object();
    j["uuid"] = s.uuid;
    j["score"] = Json::object();
    for (const auto& [uuid, value] : s.scores) j["score"][uuid] = value;
    out.push_back(std::move(j));
  }
  return out;
}

StatusOr<std::vector<DevicePairScore>> PairScoresFromJson(const Json& json) {
  RETURN_IF_ERROR(ExpectArray(json, "pair scores"));
  for (size_t i = 0; i < json.size(); ++i) {
    std::string where = Item("pair scores", "entry", i);
    RETURN_IF_ERROR(ExpectObject(json[i], where));
    RETURN_IF_ERROR(CheckKnownKeys(json[i], {"uuid", "score"}, where));
  }
  // The view is the wire form; reuse the decoder's checks.
  std::string text;
  AppendGoValue(text, json);
  return DecodePairScores(text);
}

Json MigAllocationsToJson(const std::vector<MigAllocation>& allocations) {
  Json out = Json::array();
  for (const MigAllocation& a : allocations) {
    Json j = Json::object();
    j["containerIndex"] = a.container_index;
    j["deviceIndex"] = a.device_index;
    j["gpuUUID"] = a.gpu_uuid;
    j["profile"] = a.profile;
    j["placement"] = PlacementToJson(a.placement);
    if (a.runtime.has_value()) {
      j["migUUID"] = a.runtime->mig_uuid;
      j["gpuInstanceID"] = a.runtime->gpu_instance_id;
      j["computeInstanceID"] = a.runtime->compute_instance_id;
    }
    out.push_back(std::move(j));
  }
  return out;
}

StatusOr<std::vector<MigAllocation>> MigAllocationsFromJson(const Json& json) {
  RETURN_IF_ERROR(ExpectArray(json, "MIG allocations"));
  for (size_t i = 0; i < json.size(); ++i) {
    std::string where = Item("MIG allocations", "entry", i);
    RETURN_IF_ERROR(ExpectObject(json[i], where));
    RETURN_IF_ERROR(CheckKnownKeys(json[i],
                                   {"containerIndex", "deviceIndex", "gpuUUID", "profile",
                                    "placement", "migUUID", "gpuInstanceID", "computeInstanceID"},
                                   where));
  }
  std::string text;
  AppendGoValue(text, json);
  return DecodeMigAllocations(text);
}

Json QuantityToJson(const Quantity& q) {
  // The view describes the stable serialized form. As in apimachinery, a
  // quantity's String() is not always a fixed point ("62.5Ki" prints "64000",
  // which reads back as DecimalSI and prints "64k"), so re-read until it is.
  Quantity stable = q;
  for (int i = 0; i < 3; ++i) {
    auto again = Quantity::Parse(stable.ToString());
    if (!again.ok()) break;
    const bool fixed = again->ToString() == stable.ToString() && again->format() == stable.format();
    stable = *again;
    if (fixed) break;
  }
  Json j = Json::object();
  j["canonical"] = stable.ToString();
  j["milli"] = stable.MilliValue();
  j["value"] = stable.Value();
  switch (stable.format()) {
    case Quantity::Format::kDecimalSI: j["format"] = "DecimalSI"; break;
    case Quantity::Format::kBinarySI: j["format"] = "BinarySI"; break;
    case Quantity::Format::kDecimalExponent: j["format"] = "DecimalExponent"; break;
  }
  return j;
}

StatusOr<Quantity> QuantityFromJson(const Json& json) {
  if (json.is_string()) return Quantity::Parse(json.get<std::string>());
  RETURN_IF_ERROR(ExpectObject(json, "quantity"));
  RETURN_IF_ERROR(CheckKnownKeys(json, {"canonical", "milli", "value", "format"}, "quantity"));
  ObjectReader r(json, "quantity");
  if (r.Find("milli") == nullptr) {
    std::string canonical;
    RETURN_IF_ERROR(r.String("canonical", &canonical));
    return Quantity::Parse(canonical);
  }
  int64_t milli = 0;
  RETURN_IF_ERROR(r.Int("milli", std::numeric_limits<int64_t>::min() + 1,
                        std::numeric_limits<int64_t>::max(), &milli));
  std::string format = "DecimalSI";
  RETURN_IF_ERROR(r.String("format", &format));
  Quantity::Format f;
  if (format == "DecimalSI") {
    f = Quantity::Format::kDecimalSI;
  } else if (format == "BinarySI") {
    f = Quantity::Format::kBinarySI;
  } else if (format == "DecimalExponent") {
    f = Quantity::Format::kDecimalExponent;
  } else {
    return r.Error("format", "'" + format + "' is not DecimalSI, BinarySI or DecimalExponent");
  }
  return Quantity::FromMilli(milli, f);
}

}  // namespace hami::api::internal
