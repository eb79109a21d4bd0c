#include "vendors/awsneuron/awsneuron.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <numeric>

#include "api/reasons.h"
#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/text.h"

namespace hami::vendors::awsneuron {
namespace {

namespace reasons = api::reasons;

constexpr std::string_view kKeyword = "AWSNeuron";
constexpr std::string_view kInstanceTypeLabel = "node.kubernetes.io/instance-type";
constexpr int64_t kMaxDevices = INT32_MAX;
// HAMi v2.10 splits core requests by (and charges device requests with) at
// most two cores per device, whatever the node has.
constexpr int32_t kCoresPerRequestDevice = 2;
constexpr int64_t kMaxCores = kMaxDevices * kCoresPerRequestDevice;
constexpr int32_t kMaxCoresPerDevice = 30;  // the core mask is an int32
constexpr int32_t kInferentia = 1;          // DeviceUsage::group

// The resource names each role reads (copied: the roles outlive VendorParts).
struct Resources {
  std::string count, cores;
};

// HAMi's validateResourceRequest.
StatusOr<int64_t> Validate(const api::Quantity& q, const std::string& resource, int64_t max) {
  if (!q.IsInteger()) return InvalidArgumentError(resource + " must be an integer");
  const int64_t v = q.Value();
  if (v <= 0) return InvalidArgumentError(resource + " must be greater than 0");
  if (v > max) return InvalidArgumentError(resource + " must not exceed " + std::to_string(max));
  return v;
}

// What a container asks: nothing (nullopt), whole devices or cores (HAMi's
// GenerateResourceRequests and splitCoreRequest); an error is a refusal.
StatusOr<std::optional<DeviceRequest>> Read(const ContainerResources& c, const Resources& names) {
  DeviceRequest r;
  r.vendor = std::string(kKeyword);
  r.mem_percent = 0;
  r.cores = kCoresPerRequestDevice;
  if (const api::Quantity* q = common::Lookup(c, names.count)) {
    ASSIGN_OR_RETURN(int64_t n, Validate(*q, names.count, kMaxDevices));
    r.count = static_cast<int32_t>(n);
    return std::optional(r);
  }
  const api::Quantity* q = common::Lookup(c, names.cores);
  if (q == nullptr) return std::optional<DeviceRequest>();
  ASSIGN_OR_RETURN(int64_t cores, Validate(*q, names.cores, kMaxCores));
  if (cores <= kCoresPerRequestDevice) {
    r.count = 1;
    r.cores = static_cast<int32_t>(cores);
    return std::optional(r);
  }
  if (cores % kCoresPerRequestDevice != 0) {
    return InvalidArgumentError(names.cores + " must be 1 or a multiple of " +
                                std::to_string(kCoresPerRequestDevice) + ", got " + std::to_string(cores));
  }
  r.count = static_cast<int32_t>(cores / kCoresPerRequestDevice);
  return std::optional(r);
}

class Parser final : public RequestParser {
 public:
  explicit Parser(Resources names) : names_(std::move(names)) {}
  std::optional<DeviceRequest> Parse(const ContainerResources& c) const override {
    auto r = Read(c, names_);
    return r.ok() ? *r : std::nullopt;
  }

 private:
  Resources names_;
};

// HAMi's MutateAdmission: the container is ours when it asks for devices or
// cores; a request the scheduler could not read is denied.
class Mutator final : public AdmissionMutator {
 public:
  explicit Mutator(Resources names) : names_(std::move(names)) {}
  StatusOr<AdmissionEffect> Mutate(ContainerResources& c) const override {
    ASSIGN_OR_RETURN(auto r, Read(c, names_));
    AdmissionEffect e;
    e.has_resource = r.has_value();
    return e;
  }

 private:
  Resources names_;
};

class Inventory final : public InventoryDecoder {
 public:
  explicit Inventory(Resources names) : names_(std::move(names)) {}
  StatusOr<DeviceInventory> Decode(const NodeView& node) const override {
    const int64_t devices = node.Capacity(names_.count).value_or(0);
    if (devices <= 0) return DeviceInventory{};
    const int64_t per_device = std::max<int64_t>(0, node.Capacity(names_.cores).value_or(0)) / devices;
    if (per_device > kMaxCoresPerDevice) {
      return InvalidArgumentError(names_.cores + " gives " + std::to_string(per_device) +
                                  " cores per device, more than " + std::to_string(kMaxCoresPerDevice));
    }
    common::SynthesizedDevices s;
    s.keyword = s.type = s.id_word = std::string(kKeyword);
    s.n = static_cast<int32_t>(std::min<int64_t>(devices, 1 << 16));
    s.count = static_cast<int32_t>(per_device);
    s.total_cores = static_cast<int32_t>((int64_t{1} << per_device) - 1);
    DeviceInventory inv = common::Synthesize(node, s);
    const std::string* type = node.Label(kInstanceTypeLabel);
    if (type != nullptr && (type->find("inf") != std::string::npos || type->find("Inf") != std::string::npos)) {
      for (auto& d : inv.devices) d.group = kInferentia;
    }
    return inv;
  }

 private:
  Resources names_;
};

int FreeCores(const DeviceUsage& d) {
  return std::popcount(static_cast<uint32_t>(d.total_cores)) - std::popcount(static_cast<uint32_t>(d.used_cores));
}

// The lowest `cores` free cores of `d` as a mask.
int32_t TakeCores(const DeviceUsage& d, int32_t cores) {
  uint32_t free = static_cast<uint32_t>(d.total_cores) & ~static_cast<uint32_t>(d.used_cores), mask = 0;
  for (; cores > 0 && free != 0; --cores) {
    const uint32_t low = free & (~free + 1);
    mask |= low;
    free &= ~low;
  }
  return static_cast<int32_t>(mask);
}

// Whole idle devices with consecutive indexes (HAMi's graphSelect, taken by
// index, not by the position in the policy order HAMi walks).
FitOutcome WholeDevices(std::span<DeviceUsage* const> devices, int count) {
  FitOutcome out;
  const int n = static_cast<int>(devices.size());
  out.examined = n;
  std::vector<int> by_index(n);
  std::iota(by_index.begin(), by_index.end(), 0);
  std::sort(by_index.begin(), by_index.end(), [&](int a, int b) { return devices[a]->index < devices[b]->index; });
  const bool inferentia = n > 0 && devices[0]->group == kInferentia;
  const int step = inferentia ? 1 : (count == 4 || count == 8 || count == 16 ? count : 0);
  for (int start = 0; step > 0 && start + count <= n; start += step) {
    const bool idle = std::all_of(by_index.begin() + start, by_index.begin() + start + count, [&](int p) {
      return devices[p]->used == 0 && devices[p]->healthy;
    });
    if (!idle) continue;
    for (int k = start; k < start + count; ++k) {
      const DeviceUsage& d = *devices[by_index[k]];
      out.chosen.push_back({by_index[k], d.total_mem_mib, d.total_cores, {}});
    }
    out.ok = true;
    return out;
  }
  out.reasons[std::string(reasons::kNumaNotFit)] = 1;
  return out;
}

class Fitter final : public common::CommonFitter {
 public:
  Fitter() : CommonFitter({"", "", "aws.amazon.com/use-neuron-uuid", "aws.amazon.com/nouse-neuron-uuid", "", ""}) {}
  FitOutcome Fit(std::span<DeviceUsage* const> devices, const DeviceRequest& req, const FitConstraints& c,
                 QuotaBudget&) const override {
    if (req.count > 1) return WholeDevices(devices, req.count);
    FitOutcome out;
    auto fail = [&](std::string_view reason) { ++out.reasons[std::string(reason)]; };
    for (int i = static_cast<int>(devices.size()) - 1; i >= 0; --i) {
      const DeviceUsage& d = *devices[i];
      ++out.examined;
      if (auto reason = common::FirstBasicRefusal(d, c); !reason.empty()) { fail(reason); continue; }
      if (c.gpu_policy.mutex && d.used > 0) { fail(reasons::kExclusiveDeviceAllocateConflict); continue; }
      if (FreeCores(d) < req.cores) { fail(reasons::kCardInsufficientCore); continue; }
      out.chosen.push_back({i, 0, TakeCores(d, req.cores), {}});
      out.ok = true;
      out.reasons.clear();
      return out;
    }
    out.examined = static_cast<int>(devices.size());
    return out;
  }
};

// Cores per device of the node's device `id` (its slots); 2 when unknown.
int32_t CoresPerDevice(std::span<const DeviceUsage> devices, std::string_view id) {
  for (const DeviceUsage& d : devices) {
    if (d.vendor == kKeyword && d.id == id) return d.count;
  }
  return kCoresPerRequestDevice;
}

// HAMi's PatchAnnotations: the indexes accumulate over the containers.
void Placement(const Resources& names, const api::PodDevices& devices, const FilterContext& context,
               AnnotationMap& out) {
  std::string ids;
  for (size_t c = 0; c < devices.size() && c < context.containers.size(); ++c) {
    if (devices[c].empty()) continue;
    const ResourceList& limits = context.containers[c].limits;
    const auto count = limits.find(names.count);
    for (const api::ContainerDevice& d : devices[c]) {
      const int32_t index = common::SynthesizedIndex(d.uuid);
      if (count != limits.end()) {
        if (count->second.Value() > 0) ids += std::to_string(index) + ",";
        continue;
      }
      const int32_t per_device = CoresPerDevice(context.devices, d.uuid);
      for (int32_t bit = 0; bit < std::min(per_device, kMaxCoresPerDevice); ++bit) {
        if ((d.used_cores & (1 << bit)) == 0) continue;
        ids += std::to_string(int64_t{per_device} * index + bit) + ",";
        out["NEURON_RESOURCE_TYPE"] = names.cores;
      }
    }
    if (ids.empty()) continue;
    out["AWS_NEURON_IDS"] = ids.substr(0, ids.size() - 1);
    out["NEURON_ALLOC_TIME"] = std::to_string(context.now_unix_nanos);
    out["NEURON_ALLOCATED"] = "false";
    out["aws.amazon.com/predicate-node"] = std::string(context.node);
  }
}

}  // namespace

void AddAwsNeuron(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  p.names = common::StandardNames(config, "awsneuron", std::string(kKeyword), "",
                                  "hami.io/aws-neuron-devices-allocated",
                                  {"aws.amazon.com/neuron", "", "aws.amazon.com/neuroncore"});
  p.names.node_lock = NodeLockKind::kNone;
  const Resources names{p.names.count_resource, p.names.core_resource};
  p.inventory = std::make_unique<Inventory>(names);
  p.parser = std::make_unique<Parser>(names);
  p.mutator = std::make_unique<Mutator>(names);
  p.fitter = std::make_unique<Fitter>();
  p.extra = [names](const api::PodDevices& devices, const FilterContext& context, AnnotationMap& annotations) {
    Placement(names, devices, context, annotations);
  };
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::awsneuron
