#include "deviceplugin/kube_cluster.h"

#include "common/log.h"

namespace hami::deviceplugin {
namespace {

using k8s::Json;

std::vector<ContainerInfo> Containers(const Json& spec, const char* key) {
  std::vector<ContainerInfo> out;
  if (!spec.contains(key) || !spec[key].is_array()) return out;
  for (const Json& c : spec[key]) {
    if (!c.is_object()) continue;
    ContainerInfo info;
    if (c.contains("name") && c["name"].is_string()) info.name = c["name"].get<std::string>();
    if (c.contains("env") && c["env"].is_array()) {
      for (const Json& e : c["env"]) {
        if (e.is_object() && e.contains("name") && e["name"].is_string() && e.contains("value") &&
            e["value"].is_string()) {
          info.env[e["name"].get<std::string>()] = e["value"].get<std::string>();
        }
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

Json PatchJson(const AnnotationPatch& patch) {
  Json a = Json::object();
  for (const auto& [k, v] : patch) a[k] = v ? Json(*v) : Json(nullptr);
  return Json{{"metadata", {{"annotations", a}}}};
}

}  // namespace

PodInfo PodFromJson(const Json& pod) {
  PodInfo p;
  p.ns = k8s::Namespace(pod);
  p.name = k8s::Name(pod);
  p.uid = k8s::Uid(pod);
  if (!pod.is_object()) return p;
  const Json& md = pod.contains("metadata") ? pod["metadata"] : Json::object();
  if (md.is_object()) {
    p.terminating = md.contains("deletionTimestamp") && !md["deletionTimestamp"].is_null();
    if (md.contains("annotations") && md["annotations"].is_object()) {
      for (const auto& [k, v] : md["annotations"].items()) {
        if (v.is_string()) p.annotations[k] = v.get<std::string>();
      }
    }
  }
  if (pod.contains("status") && pod["status"].is_object() && pod["status"].contains("phase") &&
      pod["status"]["phase"].is_string()) {
    p.phase = pod["status"]["phase"].get<std::string>();
  }
  if (pod.contains("spec") && pod["spec"].is_object()) {
    const Json& spec = pod["spec"];
    if (spec.contains("nodeName") && spec["nodeName"].is_string()) p.node_name = spec["nodeName"].get<std::string>();
    p.init_containers = Containers(spec, "initContainers");
    p.containers = Containers(spec, "containers");
  }
  return p;
}

KubeCluster::KubeCluster(k8s::Client* client, const Clock* clock)
    : client_(client), locker_(client, clock) {}

StatusOr<std::map<std::string, std::string>> KubeCluster::GetNodeAnnotations(const std::string& node) {
  ASSIGN_OR_RETURN(Json obj, client_->Get(k8s::kNodes, "", node));
  std::map<std::string, std::string> out;
  const Json* a = obj.contains("metadata") ? &obj["metadata"] : nullptr;
  if (a != nullptr && a->contains("annotations") && (*a)["annotations"].is_object()) {
    for (const auto& [k, v] : (*a)["annotations"].items()) {
      if (v.is_string()) out[k] = v.get<std::string>();
    }
  }
  return out;
}

StatusOr<PodInfo> KubeCluster::GetPod(const std::string& ns, const std::string& name) {
  ASSIGN_OR_RETURN(Json obj, client_->Get(k8s::kPods, ns, name));
  return PodFromJson(obj);
}

StatusOr<std::vector<PodInfo>> KubeCluster::ListPodsOnNode(const std::string& node) {
  k8s::ListOptions opts;
  opts.field_selector = "spec.nodeName=" + node;
  ASSIGN_OR_RETURN(Json list, client_->List(k8s::kPods, "", opts));
  std::vector<PodInfo> out;
  if (list.contains("items") && list["items"].is_array()) {
    for (const Json& item : list["items"]) out.push_back(PodFromJson(item));
  }
  return out;
}

Status KubeCluster::PatchPodAnnotations(const std::string& ns, const std::string& name,
                                        const AnnotationPatch& patch) {
  auto r = client_->MergePatch(k8s::kPods, ns, name, PatchJson(patch));
  return r.ok() ? OkStatus() : r.status().WithContext("patch pod " + ns + "/" + name);
}

Status KubeCluster::PatchNodeAnnotations(const std::string& node, const AnnotationPatch& patch) {
  auto r = client_->MergePatch(k8s::kNodes, "", node, PatchJson(patch));
  return r.ok() ? OkStatus() : r.status().WithContext("patch node " + node);
}

Status KubeCluster::ReleaseNodeLock(const std::string& node, const std::string& ns,
                                    const std::string& name) {
  return locker_.Release(node, ns, name);
}

void KubeCluster::RecordPodEvent(const PodInfo& pod, const std::string& type, const std::string& reason,
                                 const std::string& message) {
  Json involved = {{"kind", "Pod"},
                   {"apiVersion", "v1"},
                   {"metadata", {{"namespace", pod.ns}, {"name", pod.name}, {"uid", pod.uid}}}};
  Status s = client_->RecordEvent(involved, type, reason, message, "hami-device-plugin");
  if (!s.ok()) log::Warn("deviceplugin", "cannot record event", {{"error", s.ToString()}});
}

}  // namespace hami::deviceplugin
