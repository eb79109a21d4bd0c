// The vendor mix of hami-cluster-load (issue #24): K copies of each simulated
// vendor node of a vendor-nodes.yaml spec (tests/fakes/sim_vendor_node.h, as
// each vendor's device plugin publishes its inventory), P pods per vendor
// from the examples/vendors/*.yaml limits, and the check of what the
// scheduler wrote for them. Pure functions (no API traffic); errors as values.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bench/cluster_load/load.h"
#include "common/status.h"
#include "sim_vendor_node.h"
#include "vendors/registry.h"

namespace hami::bench::cluster_load {

// Node label carrying the vendor keyword of a simulated vendor node.
inline constexpr std::string_view kVendorNodeLabel = "hami.io/scale-run-vendor";

// One vendor example pod, as examples/expected.yaml describes it.
struct VendorPodTemplate {
  std::string example;    // "vendors/hygon-dcu.yaml"
  std::string pod;        // "dcu-share"
  std::string spec_node;  // the vendor-nodes.yaml entry it runs on ("sim-dcu")
  std::string vendor;     // vendor keyword
  std::string allocated;  // allocated annotation key
  int devices = 0;        // devices over all containers
  std::vector<Json> limits;  // per container: resource -> quantity string
};

// The `examples` entries of expected.yaml under "vendors/", in file order
// (limits still empty).
StatusOr<std::vector<VendorPodTemplate>> ParseVendorExpectations(std::string_view expected_yaml);
// Fills t->limits from the example's pod manifest.
Status ReadTemplateLimits(std::string_view pod_yaml, VendorPodTemplate* t);

// "<prefix><spec name>-<copy>", e.g. "vmix-sim-dcu-3".
std::string VendorNodeName(std::string_view prefix, const testing::SimVendorSpec& spec, int copy);
// The Node a kubelet + the vendor's device plugin would leave: the spec's
// annotations rendered for `name` at `now`, capacity/allocatable = the spec's
// devices plus cpu/memory/pods, Ready, labels hostname and kVendorNodeLabel.
Json VendorNodeObject(const testing::SimVendorSpec& spec, std::string_view name,
                      std::chrono::system_clock::time_point now, int max_pods = 110);

// Pod `index` of the mix: template index % templates.size(), named
// PodName(spec, index), schedulerName spec.extender_scheduler, no node pinned.
size_t VendorTemplateOf(int index, size_t templates);
Json VendorPodObject(const VendorPodTemplate& t, const PodSpec& spec, int index);

struct VendorMixReport {
  struct PerVendor {
    int pods_bound = 0;
    int pods_ok = 0;          // right vendor's node, decodable, right device count
    int devices_used = 0;
    double max_mem_fill = 0;  // fullest device: allocated / inventory memory
    int max_slots = 0;        // fullest device: slots taken
  };
  std::map<std::string, PerVendor> vendors;  // by keyword
  int pods_checked = 0;
  std::vector<std::string> problems;  // first few
  int problem_count = 0;
  bool ok() const { return problem_count == 0; }
};

// Per bound pod of ours (PodIndex(spec, name) >= 0): on a node labelled with
// its template's vendor, the vendor's allocated annotation present, decoded
// by the vendor's annotator, the template's device count, every device in
// that node's inventory (decoded by the vendor's inventory decoder). Per
// device: memory sum <= inventory memory (when it gives one), slots (the
// annotator's Mark, default 1) <= inventory count (when it gives one).
VendorMixReport CheckVendorMix(const std::vector<Json>& pods, const std::vector<Json>& nodes,
                               const std::vector<VendorPodTemplate>& templates,
                               const PodSpec& spec, const vendors::VendorList& vendors);

}  // namespace hami::bench::cluster_load
