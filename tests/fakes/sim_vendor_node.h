// TEST DOUBLE (never shipped): one simulated node of a non-NVIDIA vendor, as
// that vendor's own device plugin presents it. It publishes the node
// inventory annotations of the spec (register JSON/text and handshake,
// refreshed so the scheduler's handshake stays healthy), serves one
// device-plugin resource per spec entry (kubelet publishes their counts as
// node capacity, which capacity-based vendors read) and answers Allocate for
// the vendor's primary resources with the container's devices, read from the
// pod's allocated annotation through the vendor's own decoder: env
// `<spec.env>=<device ids>`. After the pod's last container it sets
// bind-phase success, marks the pod and releases the vendor's node lock
// (hami.io/mutex.lock, or its own such as cambricon.com/dsmlu.lock), as the
// vendors' plugins do.
//
// Spec file (YAML), one entry per node:
//   nodes:
//   - name: dcu-node
//     vendor: DCU                        # vendor keyword (hami vendors)
//     env: HIP_VISIBLE_DEVICES           # env answering Allocate
//     primary: [hygon.com/dcunum]        # default: the vendor's count resource
//     devices: {hygon.com/dcunum: 8}     # device-plugin resource -> kubelet devices
//     annotations:                       # {node} and {now} are substituted
//       hami.io/node-dcu-register: "DCU-{node}-0,4,65520,100,DCU-Z100,0,true,0,hami-core:"
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "deviceplugin/allocator.h"
#include "deviceplugin/cluster.h"
#include "vendors/vendor.h"

namespace hami::testing {

struct SimVendorSpec {
  std::string node;
  std::string vendor;
  std::string env;
  std::vector<std::string> primary;
  std::map<std::string, int> devices;
  std::map<std::string, std::string> annotations;
};

// Pod annotation the simulated plugin sets once a pod is fully allocated.
inline constexpr std::string_view kSimAllocatedAnnotation = "hami.dev/sim-vendor-allocated";

StatusOr<std::vector<SimVendorSpec>> ParseSimVendorSpecs(std::string_view yaml_text);

// The spec's annotations with {node} and {now} ("Reported <RFC3339>") filled in.
std::map<std::string, std::string> RenderNodeAnnotations(const SimVendorSpec& spec,
                                                         std::chrono::system_clock::time_point now);

class SimVendorNode {
 public:
  // `vendor` must outlive this object.
  SimVendorNode(deviceplugin::ClusterApi* api, const vendors::Vendor* vendor, SimVendorSpec spec);

  const SimVendorSpec& spec() const { return spec_; }
  Status PublishInventory(std::chrono::system_clock::time_point now);
  // Allocate for `resource` (one entry per container request of kubelet).
  StatusOr<::v1beta1::AllocateResponse> Allocate(
      std::string_view resource, const ::v1beta1::AllocateRequest& request);

  // The per-resource face a PluginServer talks to.
  class Resource final : public deviceplugin::AllocateHandler {
   public:
    Resource(SimVendorNode* node, std::string name) : node_(node), name_(std::move(name)) {}
    StatusOr<::v1beta1::AllocateResponse> Allocate(
        const ::v1beta1::AllocateRequest& request) override {
      return node_->Allocate(name_, request);
    }
    StatusOr<::v1beta1::PreferredAllocationResponse> GetPreferredAllocation(
        const ::v1beta1::PreferredAllocationRequest& request) override;

   private:
    SimVendorNode* node_;
    std::string name_;
  };

 private:
  bool IsPrimary(std::string_view resource) const;
  StatusOr<::v1beta1::ContainerAllocateResponse> AllocateContainer();

  deviceplugin::ClusterApi* api_;
  const vendors::Vendor* vendor_;
  SimVendorSpec spec_;
  std::mutex mu_;
  std::map<std::string, size_t> served_;  // pod uid -> containers served
};

}  // namespace hami::testing
