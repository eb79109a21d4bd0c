#include "cmd/hami-scheduler/roles.h"

#include <string>

#include "common/log.h"

namespace hami::schedulerd {

Status LabelSchedulerPods(k8s::Client* client, std::string_view ns, std::string_view self_pod) {
  k8s::ListOptions opts;
  opts.label_selector = std::string(kSchedulerPodSelector);
  ASSIGN_OR_RETURN(k8s::Json list, client->List(k8s::kPods, ns, opts));
  Status first = OkStatus();
  auto items = list.find("items");
  if (items == list.end() || !items->is_array()) return first;
  for (const auto& pod : *items) {
    std::string name = k8s::Name(pod);
    std::string want = name == self_pod ? "leader" : "follower";
    std::string have;
    if (auto meta = pod.find("metadata"); meta != pod.end() && meta->is_object()) {
      if (auto labels = meta->find("labels"); labels != meta->end() && labels->is_object()) {
        auto it = labels->find(std::string(kSchedulerRoleLabel));
        if (it != labels->end() && it->is_string()) have = it->get<std::string>();
      }
    }
    if (have == want) continue;
    k8s::Json patch = {{"metadata", {{"labels", {{std::string(kSchedulerRoleLabel), want}}}}}};
    auto res = client->MergePatch(k8s::kPods, ns, name, patch);
    if (!res.ok()) {
      log::Warn("scheduler", "cannot label scheduler pod", {{"pod", name}, {"error", res.status().ToString()}});
      if (first.ok()) first = res.status();
    }
  }
  return first;
}

}  // namespace hami::schedulerd
