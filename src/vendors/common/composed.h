// A Vendor assembled from its roles, with defaults for the roles most vendors
// share: admission = CountMutator on the count resource, annotations = the
// pod device list under the to-allocate (when named) and allocated keys.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vendors/config.h"
#include "vendors/vendor.h"

namespace hami::vendors::common {

// Writes the device list (reference 4.3) under names.to_allocate_annotation
// (skipped when empty) and names.allocated_annotation, then the vendor's
// Extra() annotations; decodes the list back.
class DeviceListAnnotator : public PodAnnotator {
 public:
  explicit DeviceListAnnotator(const VendorNames& names) : names_(names) {}
  void Annotate(const api::PodDevices& devices, const FilterContext& context,
                AnnotationMap& out) const override;
  StatusOr<api::PodDevices> DecodeAllocated(std::string_view value) const override;

 protected:
  virtual void Extra(const api::PodDevices& devices, const FilterContext& context,
                     AnnotationMap& out) const;

 private:
  const VendorNames& names_;
};

// Composes a vendor's annotator type: VendorParts::annotator = &Make<T>.
template <typename T>
std::unique_ptr<const PodAnnotator> MakeAnnotator(const VendorNames& names) {
  return std::make_unique<T>(names);
}

struct VendorParts {
  VendorNames names;
  std::unique_ptr<const InventoryDecoder> inventory;  // required
  std::unique_ptr<const RequestParser> parser;        // required
  std::unique_ptr<const DeviceFitter> fitter;         // required
  std::unique_ptr<const AdmissionMutator> mutator;    // default CountMutator
  // Default DeviceListAnnotator; a factory because annotators may keep a
  // reference to the final names.
  std::unique_ptr<const PodAnnotator> (*annotator)(const VendorNames&) = nullptr;
};

std::unique_ptr<const Vendor> Compose(VendorParts parts);

// The names most vendors share: keyword, device-list keys (to_allocate may be
// empty), and up to three resources (count, memory, cores) read from the
// config section's resourceCountName / resourceMemoryName / resourceCoreName
// with HAMi's defaults; every named resource is also a managed resource.
VendorNames StandardNames(const DevicesConfig& config, std::string_view section, std::string keyword,
                          std::string to_allocate, std::string allocated,
                          std::vector<std::string_view> default_resources);

}  // namespace hami::vendors::common
