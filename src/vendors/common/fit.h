// The one device-fit loop every vendor uses (reference 6.5 and the common
// pattern of section 10): walks the policy-sorted devices from the end and
// applies, in HAMi's order, health, cordon, type/mode, NUMA grouping, UUID,
// slots, mutex, quota, memory, cores, exclusivity and full-core checks,
// counting the first failing reason per device. Topology-aware selection by
// pair scores when the constraints carry them. Vendors adapt it through the
// selection annotation keys they read and a few virtual hooks.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vendors/vendor.h"

namespace hami::vendors::common {

// Pod annotation keys a vendor reads to select devices (empty = not read).
struct SelectionKeys {
  std::string use_type, nouse_type;  // case-insensitive substrings of the device type
  std::string use_uuid, nouse_uuid;  // exact device ids
  std::string mode;                  // device mode must be a substring of the value
  std::string numa_bind;             // boolean: one NUMA node per container
};

// The device passes the pod's use/nouse UUID lists.
bool UuidAllowed(const DeviceUsage& d, const FitConstraints& c);
// The first of HAMi's per-device checks a vendor's own fit loop starts with
// (health, UUID lists, a free slot) that `d` fails, as a reason token of
// api/reasons.h; empty when it passes them.
std::string_view FirstBasicRefusal(const DeviceUsage& d, const FitConstraints& c);

class CommonFitter : public DeviceFitter {
 public:
  // Fit walks the sorted list from the end (SortDevices puts the preferred last).
  explicit CommonFitter(SelectionKeys keys) : keys_(std::move(keys)) {}
  StatusOr<FitConstraints> ParseConstraints(const AnnotationMap& pod_annotations,
                                            std::string_view default_gpu_policy) const override;
  FitOutcome Fit(std::span<DeviceUsage* const> devices, const DeviceRequest& req,
                 const FitConstraints& constraints, QuotaBudget& quota) const override;

 protected:
  // Memory the request takes on `d`: the MiB asked, else its percentage of
  // the device.
  virtual int64_t MemoryMib(const DeviceUsage& d, const DeviceRequest& req) const;
  // Cores the request takes on `d`: percent, clamped to 100.
  virtual int32_t Cores(const DeviceUsage& d, const DeviceRequest& req) const;
  // A vendor's own refusal (a reason token of api/reasons.h), checked after the
  // common ones; empty = fits. `pod` holds the devices the pod already got.
  virtual std::string_view Refuse(const DeviceUsage& d, const DeviceRequest& req, int64_t mem_mib,
                             int32_t cores, const QuotaBudget& pod) const;
  // The type written into the pod device list; empty = the vendor keyword.
  virtual std::string_view AllocationType(const DeviceUsage& d) const;
  // Topology the devices carry themselves (Ascend's NetworkID): when true,
  // every eligible device is collected, as under the topology-aware policy,
  // and Choose picks the request's count among them.
  virtual bool CollectAll(std::span<DeviceUsage* const> devices) const;
  // The `want` devices taken from `candidates` (more than `want`, walk
  // order); fewer than `want` refuses. Default: best pair scores.
  virtual std::vector<FitOutcome::Pick> Choose(std::span<DeviceUsage* const> devices,
                                               const std::vector<FitOutcome::Pick>& candidates, int want,
                                               const FitConstraints& constraints) const;

  // Whole-card vendors (Enflame GCU): a device in use is refused with
  // ExclusiveDeviceAllocateConflict before the slot check.
  bool exclusive_devices_ = false;

 private:
  SelectionKeys keys_;
};

}  // namespace hami::vendors::common
