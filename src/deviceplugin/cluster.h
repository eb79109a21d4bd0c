// What the device plugin needs from the Kubernetes API, as a narrow interface:
// node annotations, pods on this node, annotation patches, the node lock
// release and pod events. Implemented over the k8s client in main; tests use
// an in-memory fake. All calls are synchronous and thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace hami::deviceplugin {

struct ContainerInfo {
  std::string name;
  std::map<std::string, std::string> env;  // literal `value` env entries only
};

struct PodInfo {
  std::string ns;
  std::string name;
  std::string uid;
  std::string phase;      // status.phase
  std::string node_name;  // spec.nodeName
  bool terminating = false;
  std::map<std::string, std::string> annotations;
  std::vector<ContainerInfo> init_containers;
  std::vector<ContainerInfo> containers;
};

// key -> new value, or nullopt to delete the key (JSON merge patch null).
using AnnotationPatch = std::map<std::string, std::optional<std::string>>;

class ClusterApi {
 public:
  virtual ~ClusterApi() = default;
  virtual StatusOr<std::map<std::string, std::string>> GetNodeAnnotations(const std::string& node) = 0;
  virtual StatusOr<PodInfo> GetPod(const std::string& ns, const std::string& name) = 0;
  // Pods with spec.nodeName == node.
  virtual StatusOr<std::vector<PodInfo>> ListPodsOnNode(const std::string& node) = 0;
  virtual Status PatchPodAnnotations(const std::string& ns, const std::string& name,
                                     const AnnotationPatch& patch) = 0;
  virtual Status PatchNodeAnnotations(const std::string& node, const AnnotationPatch& patch) = 0;
  // Removes hami.io/mutex.lock when it is owned by ns/name (or is legacy).
  virtual Status ReleaseNodeLock(const std::string& node, const std::string& ns,
                                 const std::string& name) = 0;
  // Best effort; `type` is "Normal" or "Warning".
  virtual void RecordPodEvent(const PodInfo& pod, const std::string& type,
                              const std::string& reason, const std::string& message) = 0;
};

}  // namespace hami::deviceplugin
