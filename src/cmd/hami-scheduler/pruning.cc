#include "cmd/hami-scheduler/pruning.h"

#include <initializer_list>

namespace hami::schedulerd {
namespace {

// Keeps only `keys` of obj[section] (when it is an object).
void KeepOnly(k8s::Json& obj, const char* section, std::initializer_list<const char*> keys) {
  auto it = obj.find(section);
  if (it == obj.end() || !it->is_object()) return;
  k8s::Json kept = k8s::Json::object();
  for (const char* k : keys) {
    auto f = it->find(k);
    if (f != it->end()) kept[k] = std::move(*f);
  }
  *it = std::move(kept);
}

void PruneMetadata(k8s::Json& obj) {
  KeepOnly(obj, "metadata", {"name", "namespace", "uid", "resourceVersion", "annotations", "labels",
                             "deletionTimestamp", "creationTimestamp"});
}

void PruneContainers(k8s::Json& spec, const char* key) {
  auto list = spec.find(key);
  if (list == spec.end() || !list->is_array()) return;
  for (auto& c : *list) {
    if (c.is_object()) {
      k8s::Json wrapper = {{"c", std::move(c)}};
      KeepOnly(wrapper, "c", {"name", "resources", "securityContext"});
      c = std::move(wrapper["c"]);
    }
  }
}

}  // namespace

void PrunePod(k8s::Json& pod) {
  if (!pod.is_object()) return;
  PruneMetadata(pod);
  KeepOnly(pod, "spec", {"nodeName", "schedulerName", "containers", "initContainers"});
  if (auto spec = pod.find("spec"); spec != pod.end() && spec->is_object()) {
    PruneContainers(*spec, "containers");
    PruneContainers(*spec, "initContainers");
  }
  KeepOnly(pod, "status", {"phase", "initContainerStatuses"});
}

void PruneNode(k8s::Json& node) {
  if (!node.is_object()) return;
  PruneMetadata(node);
  KeepOnly(node, "spec", {"unschedulable"});
  KeepOnly(node, "status", {"allocatable", "capacity"});
}

void PruneQuota(k8s::Json& quota) {
  if (!quota.is_object()) return;
  PruneMetadata(quota);
  KeepOnly(quota, "spec", {"hard"});
  quota.erase("status");
}

}  // namespace hami::schedulerd
