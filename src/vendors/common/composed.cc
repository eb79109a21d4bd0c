#include "vendors/common/composed.h"

#include "vendors/common/inventory.h"
#include "vendors/common/request.h"

namespace hami::vendors::common {
namespace {

class ComposedVendor final : public Vendor {
 public:
  explicit ComposedVendor(VendorParts p) : parts_(std::move(p)) {
    if (!parts_.mutator) parts_.mutator = std::make_unique<CountMutator>(parts_.names.count_resource);
    annotator_ = std::make_unique<DeviceListAnnotator>(parts_.names, std::move(parts_.extra),
                                                       std::move(parts_.mark));
  }
  const VendorNames& names() const override { return parts_.names; }
  const RequestParser& parser() const override { return *parts_.parser; }
  const AdmissionMutator& mutator() const override { return *parts_.mutator; }
  const DeviceFitter& fitter() const override { return *parts_.fitter; }
  const InventoryDecoder& inventory() const override { return *parts_.inventory; }
  const PodAnnotator& annotator() const override { return *annotator_; }

 private:
  VendorParts parts_;
  std::unique_ptr<const PodAnnotator> annotator_;
};

}  // namespace

void DeviceListAnnotator::Annotate(const api::PodDevices& devices, const FilterContext& context,
                                   AnnotationMap& out) const {
  std::string encoded = api::EncodePodDevices(devices);
  if (!names_.to_allocate_annotation.empty()) out[names_.to_allocate_annotation] = encoded;
  out[names_.allocated_annotation] = std::move(encoded);
  if (extra_) extra_(devices, context, out);
}

std::string IndexList(const api::ContainerDevices& devices) {
  std::string out;
  for (const auto& d : devices) out += (out.empty() ? "" : ",") + std::to_string(SynthesizedIndex(d.uuid));
  return out;
}

StatusOr<api::PodDevices> DeviceListAnnotator::DecodeAllocated(std::string_view value) const {
  return api::DecodePodDevices(value);
}

std::unique_ptr<const Vendor> Compose(VendorParts parts) {
  return std::make_unique<ComposedVendor>(std::move(parts));
}

VendorNames StandardNames(const DevicesConfig& config, std::string_view section, std::string keyword,
                          std::string to_allocate, std::string allocated,
                          std::vector<std::string_view> default_resources) {
  VendorNames n;
  n.keyword = std::move(keyword);
  n.to_allocate_annotation = std::move(to_allocate);
  n.allocated_annotation = std::move(allocated);
  default_resources.resize(3);
  std::string* targets[] = {&n.count_resource, &n.memory_resource, &n.core_resource};
  const char* keys[] = {"resourceCountName", "resourceMemoryName", "resourceCoreName"};
  for (int i = 0; i < 3; ++i) {
    if (default_resources[i].empty()) continue;
    *targets[i] = config.Field(section, keys[i], default_resources[i]);
    n.managed_resources.push_back(*targets[i]);
  }
  return n;
}

}  // namespace hami::vendors::common
