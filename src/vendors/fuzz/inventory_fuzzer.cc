// Fuzzes every vendor's inventory decoder, allocated-annotation decoder and
// usage mark: the input is put in each vendor's registration annotation, in
// the node's instance-type label and in the pod annotations marks read, and,
// read as integers, in its capacity resources. Never crashes; a decoded inventory
// only holds the vendor's own devices with non-negative totals.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "api/fuzz/fuzz_check.h"
#include "vendors/registry.h"

namespace {

const hami::vendors::VendorList& Vendors() {
  static const hami::vendors::VendorList* vendors = [] {
    hami::vendors::DevicesConfig config;
    config.enable_iluvatar = config.enable_ascend = true;
    return new hami::vendors::VendorList(hami::vendors::MakeVendors(config));
  }();
  return *vendors;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hami::vendors;
  const std::string text(reinterpret_cast<const char*>(data), size);
  int64_t number = 0;
  std::memcpy(&number, data, std::min(size, sizeof(number)));
  number %= 128;  // capacities; larger ones only cost time (4096 ran 15 inputs/s)
  for (const auto& v : Vendors()) {
    const VendorNames& n = v->names();
    AnnotationMap annotations;
    ResourceList capacity;
    if (!n.register_annotation.empty()) annotations[n.register_annotation] = text;
    annotations["metax-tech.com/gpu.topology.losses"] = text;
    annotations["metax-tech.com/node-gpu-devices"] = text;
    annotations["hami.io/device-cordon"] = text;
    annotations["hami-vnpu-core"] = text;
    for (const std::string& r : n.managed_resources) {
      capacity.insert_or_assign(r, hami::api::Quantity::FromInteger(number));
    }
    const AnnotationMap labels = {{"node.kubernetes.io/instance-type", text}};
    NodeView node{"fuzz-node", &annotations, &capacity, &capacity, &labels};
    auto inv = v->inventory().Decode(node);
    if (inv.ok()) {
      for (const DeviceUsage& d : inv->devices) {
        FUZZ_CHECK(d.vendor == n.keyword);
        FUZZ_CHECK(d.count >= 0 && d.total_mem_mib >= 0 && d.total_cores >= 0);
      }
      if (inv->score) {
        std::vector<HeldDevice> taken;
        for (const DeviceUsage& d : inv->devices) {
          taken.push_back({d.id, static_cast<int32_t>(number % 101), static_cast<int32_t>(taken.size() % 2)});
        }
        taken.resize(std::min<size_t>(taken.size(), static_cast<size_t>(number % 9)));
        FitConstraints constraints;
        constraints.pod_values["metax-tech.com/sgpu-app-class"] = number % 3 == 0 ? "online" : "offline";
        constraints.pod_values["metax-tech.com/sgpu-topology-aware"] = "true";
        (void)inv->score(ScoreInput{inv->devices, taken, &constraints, number % 2 == 0});
      }
    }
    (void)v->annotator().DecodeAllocated(text);
    // Usage marks read pod annotations the scheduler wrote (Enflame DRS: assigned-containers).
    const AnnotationMap pod{{"assigned-containers", text}, {"enflame.com/gcu-request-size", text}};
    const auto mark = v->annotator().Mark(pod, {"fuzz", n.keyword, static_cast<int32_t>(number), 0});
    FUZZ_CHECK(mark.slots >= 0);
  }
  return 0;
}
