// A Vendor assembled from its roles, with defaults for the roles most vendors
// share: admission = CountMutator on the count resource, annotations = the
// pod device list under the to-allocate (when named) and allocated keys.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vendors/config.h"
#include "vendors/vendor.h"

namespace hami::vendors::common {

// Annotations a vendor writes besides the device list (e.g. Cambricon's
// dsmlu profile), from the chosen devices per container.
using ExtraAnnotations =
    std::function<void(const api::PodDevices& devices, const FilterContext& context, AnnotationMap& out)>;

// What a pod's device leaves on the device besides usage (PodAnnotator::Mark).
using UsageMarker =
    std::function<PodAnnotator::UsageMark(const AnnotationMap& pod_annotations, const api::ContainerDevice& device)>;

// Writes the device list (reference 4.3) under names.to_allocate_annotation
// (skipped when empty) and names.allocated_annotation, then `extra`; decodes
// the list back.
class DeviceListAnnotator : public PodAnnotator {
 public:
  DeviceListAnnotator(const VendorNames& names, ExtraAnnotations extra = {}, UsageMarker mark = {})
      : names_(names), extra_(std::move(extra)), mark_(std::move(mark)) {}
  void Annotate(const api::PodDevices& devices, const FilterContext& context,
                AnnotationMap& out) const override;
  StatusOr<api::PodDevices> DecodeAllocated(std::string_view value) const override;
  UsageMark Mark(const AnnotationMap& pod_annotations, const api::ContainerDevice& device) const override {
    return mark_ ? mark_(pod_annotations, device) : UsageMark{};
  }

 private:
  const VendorNames& names_;
  ExtraAnnotations extra_;
  UsageMarker mark_;
};

// Card indexes of one container's devices, comma-separated (synthesised ids).
std::string IndexList(const api::ContainerDevices& devices);

struct VendorParts {
  VendorNames names;
  std::unique_ptr<const InventoryDecoder> inventory;  // required
  std::unique_ptr<const RequestParser> parser;        // required
  std::unique_ptr<const DeviceFitter> fitter;         // required
  std::unique_ptr<const AdmissionMutator> mutator;    // default CountMutator
  ExtraAnnotations extra;                             // default none
  UsageMarker mark;                                   // default none
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
