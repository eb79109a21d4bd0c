#include "vendors/kunlun/vxpu.h"

#include "vendors/common/composed.h"
#include "vendors/common/fit.h"
#include "vendors/common/inventory.h"
#include "vendors/common/request.h"
#include "vendors/kunlun/wings.h"

namespace hami::vendors::kunlun {
namespace {

constexpr int64_t kCardMib = 98304;

// The slice a memory request takes: 24576, 49152 or a whole card.
int64_t Slice(int64_t mib) {
  for (int64_t slice : {int64_t{24576}, int64_t{49152}}) {
    if (mib <= slice) return slice;
  }
  return kCardMib;
}

class Parser final : public RequestParser {
 public:
  explicit Parser(const VendorNames& n) : inner_(common::ParserFor(n, 0)) {}
  std::optional<DeviceRequest> Parse(const ContainerResources& c) const override {
    auto r = inner_->Parse(c);
    if (!r) return r;
    r->mem_mib = r->mem_mib > 0 ? Slice(r->mem_mib) : kCardMib;
    r->mem_percent = kMemPercentUnset;
    r->cores = static_cast<int32_t>(r->mem_mib * 100 / kCardMib);
    return r;
  }

 private:
  std::unique_ptr<const RequestParser> inner_;
};

// Rounds the memory limit (and request) up to its slice.
class Mutator final : public AdmissionMutator {
 public:
  explicit Mutator(const VendorNames& n) : count_(n.count_resource), memory_(n.memory_resource) {}
  StatusOr<AdmissionEffect> Mutate(ContainerResources& c) const override {
    AdmissionEffect e;
    e.has_resource = c.limits.count(count_) > 0;
    auto mem = c.limits.find(memory_);
    if (e.has_resource && mem != c.limits.end()) {
      const api::Quantity slice = api::Quantity::FromInteger(Slice(mem->second.Value()));
      mem->second = slice;
      c.requests.insert_or_assign(memory_, slice);
    }
    return e;
  }

 private:
  std::string count_, memory_;
};

// A card takes a slice when its memory allows and, if shared, only a slice of
// the size it already holds.
class Fitter final : public common::CommonFitter {
 public:
  Fitter() : CommonFitter({}) {}
  FitOutcome Fit(std::span<DeviceUsage* const> devices, const DeviceRequest& req, const FitConstraints&,
                 QuotaBudget&) const override {
    auto fits = [&](const DeviceUsage& d) {
      if (req.mem_mib + d.used_mem_mib > d.total_mem_mib) return false;
      return d.used == 0 || d.used_mem_mib / d.used == req.mem_mib;
    };
    return FitOnWings(devices, req.count, fits, [&](const DeviceUsage&) {
      return std::pair<int64_t, int32_t>(req.mem_mib, req.cores);
    });
  }
};

}  // namespace

void AddKunlunVxpu(const DevicesConfig& config, VendorList& out) {
  common::VendorParts p;
  p.names.keyword = "XPU";
  p.names.to_allocate_annotation = "hami.io/xpu-devices-to-allocate";
  p.names.allocated_annotation = "hami.io/xpu-devices-allocated";
  p.names.count_resource = config.Field("kunlun", "resourceVCountName", "kunlunxin.com/vxpu");
  p.names.memory_resource = config.Field("kunlun", "resourceVMemoryName", "kunlunxin.com/vxpu-memory");
  p.names.managed_resources = {p.names.count_resource, p.names.memory_resource};
  p.inventory = common::Registered(p.names, "hami.io/node-register-xpu", "hami.io/node-handshake-xpu",
                                   common::RegisterSpec::Format::kJson);
  p.parser = std::make_unique<Parser>(p.names);
  p.mutator = std::make_unique<Mutator>(p.names);
  p.fitter = std::make_unique<Fitter>();
  out.push_back(common::Compose(std::move(p)));
}

}  // namespace hami::vendors::kunlun
