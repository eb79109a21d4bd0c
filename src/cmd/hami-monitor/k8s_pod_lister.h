// PodLister backed by a Kubernetes informer on the pods of this node
// (label hami.io/vgpu-node=<node>, all namespaces).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "k8s/client.h"
#include "monitor/pods.h"

namespace hami::monitor {

// Starts the informer. `kubeconfig` empty = $KUBECONFIG or in-cluster.
StatusOr<std::unique_ptr<PodLister>> StartK8sPodLister(const std::string& kubeconfig,
                                                       const std::string& node_name);
StatusOr<std::unique_ptr<PodLister>> StartK8sPodLister(k8s::ClientConfig config,
                                                       const std::string& node_name);

}  // namespace hami::monitor
