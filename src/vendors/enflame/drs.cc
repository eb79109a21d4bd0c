#include "vendors/enflame/drs.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "api/enflame_drs.h"
#include "api/reasons.h"
#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/text.h"

namespace hami::vendors::enflame {
namespace {

constexpr std::string_view kKeyword = "Enflame";
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
// DeviceRequest::mem_percent marks how mem_mib / cores are meant (HAMi's
// MemPercentagereq): the slice count asked directly, or a memory / core spec.
constexpr int32_t kDirect = 0;
constexpr int32_t kBySpec = -1;

// Go's strconv.Atoi (sign, digits, int64 range).
std::optional<int64_t> Atoi(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view TrimSuffix(std::string_view s, std::string_view suffix) {
  if (s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix) s.remove_suffix(suffix.size());
  return s;
}

// "<slices>g.<GB>gb" (case and spaces ignored) -> {slices, GB}; 0 = unreadable.
std::pair<int64_t, int64_t> ParseProfile(std::string_view name) {
  const std::string lower = common::Lower(common::Trim(name));
  const size_t dot = lower.find('.');
  if (dot == std::string::npos) return {0, 0};
  const std::string_view text(lower);
  const auto size = Atoi(TrimSuffix(common::Trim(text.substr(0, dot)), "g"));
  if (!size) return {0, 0};
  std::string_view mem = text.substr(dot + 1);
  mem = mem.substr(0, mem.find('.'));
  const auto gb = Atoi(TrimSuffix(common::Trim(mem), "gb"));
  return {*size, gb.value_or(0)};
}

int64_t Clamp32(int64_t v) { return std::clamp<int64_t>(v, 0, kInt32Max); }

// DeviceUsage::detail: length-prefixed fields, the card's minor, the node's
// largest slice count, then the profile table (name, id pairs).
void AppendField(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

struct Detail {
  std::string_view minor;
  int64_t max_slice = 0;
  std::vector<std::pair<std::string_view, std::string_view>> profiles;
};

std::optional<std::string_view> NextField(std::string_view& in) {
  const size_t colon = in.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto n = Atoi(in.substr(0, colon));
  if (!n || *n < 0 || static_cast<size_t>(*n) > in.size() - colon - 1) return std::nullopt;
  std::string_view out = in.substr(colon + 1, static_cast<size_t>(*n));
  in.remove_prefix(colon + 1 + static_cast<size_t>(*n));
  return out;
}

Detail ReadDetail(std::string_view in) {
  Detail d;
  auto minor = NextField(in);
  auto max_slice = NextField(in);
  if (!minor || !max_slice) return d;
  d.minor = *minor;
  d.max_slice = Atoi(*max_slice).value_or(0);
  while (!in.empty()) {
    auto name = NextField(in);
    auto id = NextField(in);
    if (!name || !id) break;
    d.profiles.emplace_back(*name, *id);
  }
  return d;
}

struct Profile {
  std::string_view name, id;
  int64_t size = 0, memory_gb = 0;
  int32_t core_percent = 0;
  int64_t MemoryMib() const { return Clamp32(memory_gb * 1024); }
};

// The profiles of `devices` (one entry per name), smallest first: by slices,
// then memory, then name.
std::vector<Profile> Profiles(const std::vector<Detail>& details) {
  int64_t max_slice = 0;
  for (const auto& d : details) max_slice = std::max(max_slice, d.max_slice);
  std::vector<Profile> out;
  if (max_slice <= 0) return out;
  for (const auto& d : details) {
    for (const auto& entry : d.profiles) {
      const auto& name = entry.first;  // clang 14: no structured binding in the lambda
      const auto& id = entry.second;
      const auto [size, gb] = ParseProfile(name);
      if (size <= 0 || gb <= 0) continue;
      if (std::any_of(out.begin(), out.end(), [&](const Profile& p) { return p.name == name; })) continue;
      // ceil(size x 100 / max_slice), at least 1.
      const int64_t core = std::max<int64_t>((std::min(size, kInt32Max) * 100 + max_slice - 1) / max_slice, 1);
      out.push_back({name, id, size, gb, static_cast<int32_t>(std::min<int64_t>(core, kInt32Max))});
    }
  }
  std::sort(out.begin(), out.end(), [](const Profile& a, const Profile& b) {
    if (a.size != b.size) return a.size < b.size;
    if (a.memory_gb != b.memory_gb) return a.memory_gb < b.memory_gb;
    return a.name < b.name;
  });
  return out;
}

// HAMi's profile choice: the profile of exactly the slices asked; or the
// smallest one with enough memory (GB; MiB when above twice the largest
// profile's GB) and core %.
std::optional<Profile> ChooseProfile(const std::vector<Profile>& profiles, const DeviceRequest& req) {
  if (profiles.empty()) return std::nullopt;
  if (req.mem_percent == kDirect) {
    for (const auto& p : profiles) {
      if (p.size == req.mem_mib) return p;
    }
    return std::nullopt;
  }
  const int64_t max_gb = profiles.back().memory_gb;
  int64_t want_gb = std::max<int64_t>(req.mem_mib, 0);
  if (want_gb > max_gb * 2) want_gb = (want_gb + 1023) / 1024;
  for (const auto& p : profiles) {
    if (want_gb > 0 && p.memory_gb < want_gb) continue;
    if (req.cores > 0 && p.core_percent < req.cores) continue;
    return p;
  }
  return std::nullopt;
}

std::vector<Detail> DetailsOf(std::span<DeviceUsage* const> devices) {
  std::vector<Detail> out;
  for (const DeviceUsage* d : devices) out.push_back(ReadDetail(d->detail));
  return out;
}

class Inventory final : public InventoryDecoder {
 public:
  StatusOr<DeviceInventory> Decode(const NodeView& node) const override {
    DeviceInventory inv;
    const std::string* text = node.Annotation(api::kEnflameDrsCapacityAnnotation);
    if (text == nullptr) return inv;
    ASSIGN_OR_RETURN(auto spec, api::DecodeEnflameDrsCapacity(*text));
    int64_t max_slice = 0, max_gb = 0;
    for (const auto& [name, id] : spec.profiles) {
      const auto [size, gb] = ParseProfile(name);
      max_slice = std::max(max_slice, size);
      max_gb = std::max(max_gb, gb);
    }
    const std::string where = std::string(api::kEnflameDrsCapacityAnnotation) + " of node " + std::string(node.name);
    if (max_slice <= 0) return InvalidArgumentError(where + ": no valid drs profile");
    if (max_gb <= 0) max_gb = max_slice;
    if (spec.devices.empty()) return InvalidArgumentError(where + ": no drs device");
    std::string profiles;
    for (const auto& [name, id] : spec.profiles) AppendField(profiles, name), AppendField(profiles, id);
    const std::string_view keyword = inv.Intern(std::string(kKeyword));
    for (size_t i = 0; i < spec.devices.size(); ++i) {
      const auto& s = spec.devices[i];
      if (!s.capacity || *s.capacity <= 0) {
        return InvalidArgumentError(where + ": device " + std::to_string(i + 1) + ": invalid drs capacity");
      }
      const auto index = Atoi(s.index);
      const int64_t idx = index && *index >= 0 && *index <= kInt32Max ? *index : static_cast<int64_t>(i);
      std::string_view minor = common::Trim(s.minor);
      std::string detail;
      AppendField(detail, minor.empty() ? std::to_string(idx) : std::string(minor));
      AppendField(detail, std::to_string(max_slice));
      detail += profiles;
      DeviceUsage d;
      d.id = inv.Intern(std::string(node.name) + "-enflame-drs-" + std::to_string(idx));
      d.index = static_cast<int32_t>(idx);
      d.type = d.vendor = keyword;
      d.count = static_cast<int32_t>(*s.capacity);
      d.total_mem_mib = Clamp32(max_gb * 1024);
      d.total_cores = 100;
      d.detail = inv.Intern(std::move(detail));
      inv.devices.push_back(d);
    }
    return inv;
  }
};

// One slice instance per container: limits first, then requests. A bad
// slice count falls back to the memory / core spec; values above int32 mean
// no request (as HAMi).
class Parser final : public RequestParser {
 public:
  explicit Parser(const VendorNames& n) : drs_(n.count_resource), memory_(n.memory_resource), core_(n.core_resource) {}
  std::optional<DeviceRequest> Parse(const ContainerResources& c) const override {
    DeviceRequest r{std::string(kKeyword), 1, 0, kDirect, 0};
    if (const api::Quantity* q = common::Lookup(c, drs_); q != nullptr && q->IsInteger() && q->Value() > 0) {
      if (q->Value() > kInt32Max) return std::nullopt;
      r.mem_mib = q->Value();
      return r;
    }
    const api::Quantity* mem = common::Lookup(c, memory_);
    const api::Quantity* core = common::Lookup(c, core_);
    if (mem == nullptr && core == nullptr) return std::nullopt;
    if ((mem != nullptr && mem->Value() > kInt32Max) || (core != nullptr && core->Value() > kInt32Max)) {
      return std::nullopt;
    }
    r.mem_percent = kBySpec;
    r.mem_mib = mem == nullptr ? 0 : std::max<int64_t>(mem->Value(), 0);
    r.cores = core == nullptr ? 0 : static_cast<int32_t>(std::max<int64_t>(core->Value(), 0));
    return r;
  }

 private:
  std::string drs_, memory_, core_;
};

// HAMi's checks: slices > 0, memory > 0, core % in (0,100]; each value the
// container names is copied between limits and requests.
class Mutator final : public AdmissionMutator {
 public:
  explicit Mutator(const VendorNames& n) : drs_(n.count_resource), memory_(n.memory_resource), core_(n.core_resource) {}
  StatusOr<AdmissionEffect> Mutate(ContainerResources& c) const override {
    AdmissionEffect e;
    auto copy = [&](const std::string& res) {
      auto it = c.limits.find(res);
      api::Quantity q = it == c.limits.end() ? api::Quantity() : it->second;
      if (q.MilliValue() == 0) {
        auto jt = c.requests.find(res);
        if (jt != c.requests.end()) q = jt->second;
      }
      c.limits.try_emplace(res, q);
      c.requests.try_emplace(res, q);
    };
    if (const api::Quantity* q = common::Lookup(c, drs_)) {
      if (q->Value() <= 0) return InvalidArgumentError(drs_ + " must be greater than 0");
      const api::Quantity slices = *q;
      c.limits.try_emplace(drs_, slices);
      c.requests.try_emplace(drs_, slices);
      e.has_resource = true;
      return e;
    }
    const api::Quantity* mem = common::Lookup(c, memory_);
    const api::Quantity* core = common::Lookup(c, core_);
    if (mem == nullptr && core == nullptr) return e;
    if (mem != nullptr && mem->Value() <= 0) return InvalidArgumentError(memory_ + " must be greater than 0");
    if (core != nullptr && (core->Value() <= 0 || core->Value() > 100)) {
      return InvalidArgumentError(core_ + " must be in range (0,100]");
    }
    if (mem != nullptr) copy(memory_);
    if (core != nullptr) copy(core_);
    e.has_resource = true;
    return e;
  }

 private:
  std::string drs_, memory_, core_;
};

// Chooses the profile first (ModeNotFit over all cards when none fits), then
// the shared loop with the profile's memory and core %; a pick takes its slices.
class Fitter final : public common::CommonFitter {
 public:
  Fitter() : CommonFitter({.use_uuid = "enflame.com/use-gpuuuid", .nouse_uuid = "enflame.com/nouse-gpuuuid"}) {}
  FitOutcome Fit(std::span<DeviceUsage* const> devices, const DeviceRequest& req, const FitConstraints& c,
                 QuotaBudget& quota) const override {
    const auto profile = ChooseProfile(Profiles(DetailsOf(devices)), req);
    if (!profile) {
      FitOutcome out;
      out.examined = static_cast<int>(devices.size());
      out.reasons[std::string(api::reasons::kModeNotFit)] = 1;
      return out;
    }
    DeviceRequest r = req;
    r.mem_mib = profile->MemoryMib();
    r.mem_percent = kMemPercentUnset;
    r.cores = profile->core_percent;
    FitOutcome out = CommonFitter::Fit(devices, r, c, quota);
    for (auto& p : out.chosen) p.slots = static_cast<int32_t>(std::min(profile->size, kInt32Max));
    return out;
  }
};

// The profile behind a device-list entry (its memory and core %).
std::optional<Profile> ProfileOf(const std::vector<Profile>& profiles, const api::ContainerDevice& d) {
  for (const auto& p : profiles) {
    if (p.MemoryMib() == d.used_mem_mib && p.core_percent == d.used_cores) return p;
  }
  return std::nullopt;
}

// Enflame's plugin reads these: the first container's card and slices, and
// every container's profile instance.
void Annotations(const api::PodDevices& devices, const FilterContext& context, AnnotationMap& out) {
  out["enflame.com/gcu-assigned"] = "false";
  out["enflame.com/gcu-assigned-time"] = std::to_string(context.now_unix_nanos);
  std::vector<Detail> details;
  for (const DeviceUsage& d : context.devices) {
    if (d.vendor == kKeyword) details.push_back(ReadDetail(d.detail));
  }
  const std::vector<Profile> profiles = Profiles(details);
  api::EnflameDrsAssignments assigned;
  bool first = true;
  for (size_t ci = 0; ci < devices.size(); ++ci) {
    if (devices[ci].empty()) continue;
    const api::ContainerDevice& chosen = devices[ci].front();
    const auto profile = ProfileOf(profiles, chosen);
    const int32_t slices = profile ? static_cast<int32_t>(std::min(profile->size, kInt32Max)) : 1;
    const std::string name = ci < context.containers.size() ? context.containers[ci].name : "container-" + std::to_string(ci);
    assigned[name] = {false, slices, profile ? std::string(profile->id) : "", profile ? std::string(profile->name) : ""};
    if (!first) continue;
    first = false;
    for (const DeviceUsage& d : context.devices) {
      if (d.id != chosen.uuid || d.vendor != kKeyword) continue;
      out["enflame.com/gcu-assigned-index"] = out["enflame.com/gcu-assigned-id"] = std::to_string(d.index);
      out["enflame.com/gcu-assigned-minor"] = std::string(ReadDetail(d.detail).minor);
    }
    out["enflame.com/gcu-request-size"] = std::to_string(slices);
  }
  if (!assigned.empty()) {
    out[std::string(api::kEnflameAssignedContainersAnnotation)] = api::EncodeEnflameDrsAssignments(assigned);
  }
}

// The slices a device-list entry takes: the assignment whose profile has
// its memory, else the pod's request size; one when neither says.
PodAnnotator::UsageMark Mark(const AnnotationMap& pod, const api::ContainerDevice& d) {
  PodAnnotator::UsageMark m;
  if (const std::string* text = common::FindAnnotation(pod, api::kEnflameAssignedContainersAnnotation)) {
    if (auto assigned = api::DecodeEnflameDrsAssignments(*text); assigned.ok()) {
      for (const auto& [name, a] : *assigned) {
        if (a.request > 0 && Clamp32(ParseProfile(a.profile_name).second * 1024) == d.used_mem_mib) {
          m.slots = a.request;
          return m;
        }
      }
    }
  }
  if (const std::string* size = common::FindAnnotation(pod, "enflame.com/gcu-request-size")) {
    if (auto n = Atoi(*size); n && *n > 0 && *n <= kInt32Max) m.slots = static_cast<int32_t>(*n);
  }
  return m;
}

}  // namespace

void AddDrs(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  VendorNames& n = p.names;
  n.keyword = std::string(kKeyword);
  n.register_annotation = std::string(api::kEnflameDrsCapacityAnnotation);
  n.allocated_annotation = "hami.io/enflame-vgpu-devices-allocated";
  n.count_resource = config.Field("enflame", "resourceNameDRSGCU",
                                  config.Field("enflame", "resourceNameVGCU", "enflame.com/drs-gcu"));
  n.memory_resource = config.Field("enflame", "resourceNameGCUMemory", "enflame.com/gcu-memory");
  n.core_resource = config.Field("enflame", "resourceNameGCUCore", "enflame.com/gcu-core");
  n.managed_resources = {n.count_resource, n.memory_resource, n.core_resource};
  n.node_lock = NodeLockKind::kNone;
  p.inventory = std::make_unique<Inventory>();
  p.parser = std::make_unique<Parser>(n);
  p.mutator = std::make_unique<Mutator>(n);
  p.fitter = std::make_unique<Fitter>();
  p.extra = &Annotations;
  p.mark = &Mark;
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::enflame
