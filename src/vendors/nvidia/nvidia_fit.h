// NVIDIA device Fit (reference 6.5): walks the policy-sorted devices from the
// end, applying HAMi's checks in order and counting the first failing reason
// per device; topology-aware selection via NVLink pair scores.
#pragma once

#include "vendors/vendor.h"

namespace hami::vendors::nvidia {

class NvidiaFitter final : public DeviceFitter {
 public:
  StatusOr<FitConstraints> ParseConstraints(const AnnotationMap& pod_annotations,
                                            std::string_view default_gpu_policy) const override;
  FitOutcome Fit(std::span<DeviceUsage* const> devices, const DeviceRequest& req,
                 const FitConstraints& constraints, QuotaBudget& quota) const override;
};

}  // namespace hami::vendors::nvidia
