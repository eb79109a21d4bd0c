// ClusterApi over the Kubernetes API client (src/k8s): pods and nodes as JSON,
// merge patches for annotations, the owner-checked node lock release of
// k8s::NodeLocker and core/v1 Events from component hami-device-plugin.
#pragma once

#include "common/clock.h"
#include "deviceplugin/cluster.h"
#include "k8s/client.h"
#include "k8s/node_lock.h"

namespace hami::deviceplugin {

class KubeCluster final : public ClusterApi {
 public:
  KubeCluster(k8s::Client* client, const Clock* clock);

  StatusOr<std::map<std::string, std::string>> GetNodeAnnotations(const std::string& node) override;
  StatusOr<PodInfo> GetPod(const std::string& ns, const std::string& name) override;
  StatusOr<std::vector<PodInfo>> ListPodsOnNode(const std::string& node) override;
  Status PatchPodAnnotations(const std::string& ns, const std::string& name,
                             const AnnotationPatch& patch) override;
  Status PatchNodeAnnotations(const std::string& node, const AnnotationPatch& patch) override;
  Status ReleaseNodeLock(const std::string& node, const std::string& ns,
                         const std::string& name) override;
  void RecordPodEvent(const PodInfo& pod, const std::string& type, const std::string& reason,
                      const std::string& message) override;

 private:
  k8s::Client* client_;
  k8s::NodeLocker locker_;
};

// Pod JSON -> PodInfo (never throws; absent fields stay empty).
PodInfo PodFromJson(const k8s::Json& pod);

}  // namespace hami::deviceplugin
