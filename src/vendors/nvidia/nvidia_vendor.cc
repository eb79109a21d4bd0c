#include "vendors/nvidia/nvidia_vendor.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "api/annotations.h"
#include "vendors/nvidia/nvidia_fit.h"

namespace hami::vendors::nvidia {
namespace {

const api::Quantity* Lookup(const ContainerResources& c, std::string_view name) {
  if (auto it = c.limits.find(name); it != c.limits.end()) return &it->second;
  if (auto it = c.requests.find(name); it != c.requests.end()) return &it->second;
  return nullptr;
}

// Largest sane per-container values; beyond them the request is nonsense.
constexpr int64_t kMaxCount = 1 << 16;
constexpr int64_t kMaxMemMib = int64_t{1} << 40;

class Parser final : public RequestParser {
 public:
  explicit Parser(const NvidiaConfig& c) : c_(c) {}
  std::optional<DeviceRequest> Parse(const ContainerResources& ctr) const override {
    const api::Quantity* count = Lookup(ctr, c_.resource_count_name);
    if (count == nullptr || !count->IsInteger()) return std::nullopt;
    int64_t n = count->Value();
    if (n <= 0 || n > kMaxCount) return std::nullopt;
    DeviceRequest r;
    r.vendor = std::string(api::kNvidiaDeviceKeyword);
    r.count = static_cast<int32_t>(n);
    if (const api::Quantity* mem = Lookup(ctr, c_.resource_memory_name)) {
      int64_t v = mem->Value();
      int64_t factor = std::max<int64_t>(1, c_.memory_factor);
      if (v < 0 || v > kMaxMemMib / factor) return std::nullopt;
      r.mem_mib = v * factor;
    }
    if (const api::Quantity* pct = Lookup(ctr, c_.resource_memory_percentage_name)) {
      int64_t v = pct->Value();
      if (v > 100) v = 100;
      if (v > 0) r.mem_percent = static_cast<int32_t>(v);
    }
    if (r.mem_mib == 0 && r.mem_percent == kMemPercentUnset) {
      if (c_.default_memory_mib > 0) {
        r.mem_mib = c_.default_memory_mib;
      } else {
        r.mem_percent = 100;
      }
    }
    r.cores = c_.default_cores;
    if (const api::Quantity* cores = Lookup(ctr, c_.resource_core_name)) {
      int64_t v = cores->Value();
      if (v < 0) return std::nullopt;
      r.cores = static_cast<int32_t>(std::min<int64_t>(v, std::numeric_limits<int32_t>::max()));
    }
    return r;
  }

 private:
  const NvidiaConfig& c_;
};

class Mutator final : public AdmissionMutator {
 public:
  explicit Mutator(const NvidiaConfig& c) : c_(c) {}
  StatusOr<AdmissionEffect> Mutate(ContainerResources& ctr) const override {
    AdmissionEffect e;
    const api::Quantity* pct = Lookup(ctr, c_.resource_memory_percentage_name);
    if (pct != nullptr && (pct->MilliValue() < 0 || pct->MilliValue() > 100000)) {
      return InvalidArgumentError("container " + ctr.name + ": " + c_.resource_memory_percentage_name +
                                  " must be between 0 and 100, got " + pct->ToString());
    }
    if (const api::Quantity* prio = Lookup(ctr, c_.resource_priority_name)) {
      e.env.emplace_back(std::string(api::kEnvTaskPriority), std::to_string(prio->Value()));
    }
    if (!c_.gpu_core_policy.empty() && c_.gpu_core_policy != "default") {
      e.env.emplace_back(std::string(api::kEnvCorePolicy), c_.gpu_core_policy);
    }
    const bool has_count = Lookup(ctr, c_.resource_count_name) != nullptr;
    const bool has_mem = Lookup(ctr, c_.resource_memory_name) != nullptr;
    const bool has_cores = Lookup(ctr, c_.resource_core_name) != nullptr;
    if (!has_count && (has_mem || pct != nullptr || has_cores) && c_.default_gpu_num > 0) {
      ctr.limits.insert_or_assign(c_.resource_count_name,
                                  api::Quantity::FromInteger(c_.default_gpu_num));
    }
    e.has_resource = Lookup(ctr, c_.resource_count_name) != nullptr;
    if (e.has_resource && !has_cores) {
      bool exclusive_mem = (pct != nullptr && pct->MilliValue() == 100000) || (!has_mem && pct == nullptr);
      if (exclusive_mem) {
        ctr.limits.insert_or_assign(c_.resource_core_name, api::Quantity::FromInteger(100));
      }
    }
    if (e.has_resource && !c_.runtime_class_name.empty()) e.runtime_class = c_.runtime_class_name;
    if (!e.has_resource && c_.overwrite_env) {
      e.env.emplace_back(std::string(api::kEnvVisibleDevices), "none");
    }
    return e;
  }

 private:
  const NvidiaConfig& c_;
};

class NvidiaVendor final : public Vendor {
 public:
  explicit NvidiaVendor(const NvidiaConfig& c) : config_(c), parser_(config_), mutator_(config_) {
    names_.keyword = std::string(api::kNvidiaDeviceKeyword);
    names_.register_annotation = std::string(api::kNodeNvidiaRegister);
    names_.handshake_annotation = std::string(api::kNodeHandshake);
    names_.pair_score_annotation = std::string(api::kNodeNvidiaScore);
    names_.to_allocate_annotation = std::string(api::kNvidiaDevicesToAllocate);
    names_.allocated_annotation = std::string(api::kNvidiaDevicesAllocated);
    names_.count_resource = config_.resource_count_name;
    names_.memory_resource = config_.resource_memory_name;
    names_.core_resource = config_.resource_core_name;
    names_.managed_resources = {config_.resource_count_name, config_.resource_memory_name,
                                config_.resource_core_name, config_.resource_memory_percentage_name,
                                config_.resource_priority_name};
    names_.uses_node_lock = true;
    names_.memory_factor = std::max<int64_t>(1, config_.memory_factor);
  }
  const VendorNames& names() const override { return names_; }
  const RequestParser& parser() const override { return parser_; }
  const AdmissionMutator& mutator() const override { return mutator_; }
  const DeviceFitter& fitter() const override { return fitter_; }
  StatusOr<DeviceInventory> DecodeInventory(std::string_view register_value,
                                                     std::string_view cordon_value) const override {
    ASSIGN_OR_RETURN(auto infos, api::DecodeNodeDevicesJson(register_value));
    std::vector<std::string_view> cordoned;
    std::string_view rest = cordon_value;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view tok = rest.substr(0, comma);
      while (!tok.empty() && std::isspace(static_cast<unsigned char>(tok.front()))) tok.remove_prefix(1);
      while (!tok.empty() && std::isspace(static_cast<unsigned char>(tok.back()))) tok.remove_suffix(1);
      if (!tok.empty()) cordoned.push_back(tok);
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
    DeviceInventory inv;
    std::vector<DeviceUsage>& out = inv.devices;
    out.reserve(infos.size());
    const std::string_view keyword = inv.Intern(names_.keyword);
    for (auto& info : infos) {
      DeviceUsage d;
      d.id = inv.Intern(std::move(info.id));
      d.index = info.index;
      d.type = inv.Intern(std::move(info.type));
      d.vendor = keyword;
      d.numa = info.numa;
      d.mode = inv.Intern(info.mode.empty() ? std::string("hami-core") : std::move(info.mode));
      d.healthy = info.health;
      d.cordoned = std::find(cordoned.begin(), cordoned.end(), d.id) != cordoned.end();
      d.count = info.count;
      d.total_mem_mib = info.devmem_mib;
      d.total_cores = info.devcore;
      out.push_back(d);
    }
    return inv;
  }

 private:
  NvidiaConfig config_;
  VendorNames names_;
  Parser parser_;
  Mutator mutator_;
  NvidiaFitter fitter_;
};

}  // namespace

std::unique_ptr<const Vendor> MakeNvidiaVendor(const DevicesConfig& config) {
  if (!config.nvidia_enabled) return nullptr;
  return std::make_unique<NvidiaVendor>(config.nvidia);
}

}  // namespace hami::vendors::nvidia
