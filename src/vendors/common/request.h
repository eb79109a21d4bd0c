// Reading a container's request from count / memory / memory-percentage /
// cores resources (HAMi's GenerateResourceRequests, reference 5.1-5.2), and
// the admission defaults shared by vendors. Units and defaults come from the
// vendor's ResourceSpec.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "vendors/vendor.h"

namespace hami::vendors::common {

struct ResourceSpec {
  std::string keyword;            // DeviceRequest::vendor
  std::string count;              // required; must be an integer > 0
  std::string memory;             // optional
  std::string memory_percentage;  // optional
  std::string cores;              // optional
  int64_t memory_unit_mib = 1;    // MiB per unit of `memory` (memory factor)
  int64_t default_memory_mib = 0; // when no memory is asked: this, or 0 = 100 %
  int32_t default_cores = 0;
};

class ResourceParser : public RequestParser {
 public:
  explicit ResourceParser(ResourceSpec spec) : spec_(std::move(spec)) {}
  std::optional<DeviceRequest> Parse(const ContainerResources& c) const override;
  const ResourceSpec& spec() const { return spec_; }

 private:
  ResourceSpec spec_;
};

// The ResourceParser of a vendor's count/memory/core resources, memory in
// units of names.memory_factor MiB, no percentage resource.
std::unique_ptr<const RequestParser> ParserFor(const VendorNames& names, int32_t default_cores);

// Admission default of most vendors: the container is ours when it names the
// count resource; an optional runtime class is set on such pods.
class CountMutator : public AdmissionMutator {
 public:
  explicit CountMutator(std::string count_resource, std::string runtime_class = {})
      : count_(std::move(count_resource)), runtime_class_(std::move(runtime_class)) {}
  StatusOr<AdmissionEffect> Mutate(ContainerResources& c) const override;

 private:
  std::string count_, runtime_class_;
};

}  // namespace hami::vendors::common
