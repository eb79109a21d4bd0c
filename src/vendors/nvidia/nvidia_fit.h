// NVIDIA device Fit (reference 6.5): the common fit loop reading NVIDIA's
// selection annotations (nvidia.com/use-gputype, use-gpuuuid, vgpu-mode,
// numa-bind); cordon and topology-aware selection come with the loop.
#pragma once

#include "api/annotations.h"
#include "vendors/common/fit.h"

namespace hami::vendors::nvidia {

class NvidiaFitter final : public common::CommonFitter {
 public:
  NvidiaFitter()
      : CommonFitter({std::string(api::kUseGpuType), std::string(api::kNoUseGpuType),
                      std::string(api::kUseGpuUuid), std::string(api::kNoUseGpuUuid),
                      std::string(api::kVgpuMode), std::string(api::kNumaBind)}) {}
};

}  // namespace hami::vendors::nvidia
