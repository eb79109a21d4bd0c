#include "vendors/common/request.h"

#include <algorithm>
#include <limits>

#include "vendors/common/text.h"

namespace hami::vendors::common {
namespace {

// Largest sane per-container values; beyond them the request is nonsense.
constexpr int64_t kMaxCount = 1 << 16;
constexpr int64_t kMaxMemMib = int64_t{1} << 40;

}  // namespace

std::optional<DeviceRequest> ResourceParser::Parse(const ContainerResources& ctr) const {
  const api::Quantity* count = Lookup(ctr, spec_.count);
  if (count == nullptr || !count->IsInteger()) return std::nullopt;
  int64_t n = count->Value();
  if (n <= 0 || n > kMaxCount) return std::nullopt;
  DeviceRequest r;
  r.vendor = spec_.keyword;
  r.count = static_cast<int32_t>(n);
  if (const api::Quantity* mem = spec_.memory.empty() ? nullptr : Lookup(ctr, spec_.memory)) {
    int64_t v = mem->Value();
    int64_t unit = std::max<int64_t>(1, spec_.memory_unit_mib);
    if (v < 0 || v > kMaxMemMib / unit) return std::nullopt;
    r.mem_mib = v * unit;
  }
  if (const api::Quantity* pct =
          spec_.memory_percentage.empty() ? nullptr : Lookup(ctr, spec_.memory_percentage)) {
    int64_t v = std::min<int64_t>(pct->Value(), 100);
    if (v > 0) r.mem_percent = static_cast<int32_t>(v);
  }
  if (r.mem_mib == 0 && r.mem_percent == kMemPercentUnset) {
    if (spec_.default_memory_mib > 0) {
      r.mem_mib = spec_.default_memory_mib;
    } else {
      r.mem_percent = 100;
    }
  }
  r.cores = spec_.default_cores;
  if (const api::Quantity* cores = spec_.cores.empty() ? nullptr : Lookup(ctr, spec_.cores)) {
    int64_t v = cores->Value();
    if (v < 0) return std::nullopt;
    r.cores = static_cast<int32_t>(std::min<int64_t>(v, std::numeric_limits<int32_t>::max()));
  }
  return r;
}

std::unique_ptr<const RequestParser> ParserFor(const VendorNames& names, int32_t default_cores) {
  return std::make_unique<ResourceParser>(ResourceSpec{names.keyword, names.count_resource,
                                                       names.memory_resource, "", names.core_resource,
                                                       names.memory_factor, 0, default_cores});
}

StatusOr<AdmissionEffect> CountMutator::Mutate(ContainerResources& c) const {
  AdmissionEffect e;
  e.has_resource = Lookup(c, count_) != nullptr;
  if (e.has_resource && !runtime_class_.empty()) e.runtime_class = runtime_class_;
  return e;
}

}  // namespace hami::vendors::common
