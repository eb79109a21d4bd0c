#include "schedmetrics/snapshot_view.h"

#include <map>

namespace hami::schedmetrics {

ClusterView ViewFromSnapshot(const scheduler::ClusterSnapshot& snapshot,
                             std::vector<QuotaView> quotas,
                             const std::set<std::string, std::less<>>& unit_core_vendors) {
  ClusterView view;
  std::map<std::string, int32_t> total_cores_by_uuid;
  for (const auto& node : snapshot.nodes) {
    NodeView n{node.name, {}};
    for (const auto& d : node.devices) {
      n.devices.push_back(DeviceView{d.id, d.index, d.type, d.vendor, d.count, d.used,
                                     d.total_mem_mib, d.used_mem_mib, d.total_cores,
                                     d.used_cores, unit_core_vendors.contains(d.vendor)});
      total_cores_by_uuid[d.id] = d.total_cores;
    }
    view.nodes.push_back(std::move(n));
  }
  for (const auto& pod : snapshot.pods) {
    if (pod.reserved_only) continue;
    for (const auto& [vendor, containers] : pod.devices) {
      for (size_t c = 0; c < containers.size(); ++c) {
        for (const auto& dev : containers[c]) {
          auto it = total_cores_by_uuid.find(dev.uuid);
          view.pods.push_back(PodDeviceView{pod.namespace_name, pod.name, pod.node,
                                            static_cast<int32_t>(c), dev.uuid, vendor,
                                            dev.used_mem_mib, dev.used_cores,
                                            it == total_cores_by_uuid.end() ? 0 : it->second,
                                            unit_core_vendors.contains(vendor)});
        }
      }
    }
  }
  view.quotas = std::move(quotas);
  return view;
}

}  // namespace hami::schedmetrics
