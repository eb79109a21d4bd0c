// The scheduler's view of Kubernetes objects (only the fields scheduling
// needs) and converters from their Kubernetes JSON form. Converters never
// throw: malformed objects give InvalidArgument naming the field.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"
#include "vendors/vendor.h"

namespace hami::scheduler {

using vendors::AnnotationMap;
using vendors::ResourceList;

struct InitContainerState {
  bool terminated = false;
  int32_t exit_code = 0;
};

struct Pod {
  std::string uid;
  std::string name;
  std::string namespace_name;
  std::string node_name;       // spec.nodeName
  std::string scheduler_name;  // spec.schedulerName
  std::string phase;           // status.phase
  bool deleting = false;       // metadata.deletionTimestamp set
  AnnotationMap annotations;
  AnnotationMap labels;
  std::vector<vendors::ContainerResources> init_containers;
  std::vector<vendors::ContainerResources> containers;
  std::vector<InitContainerState> init_statuses;  // status.initContainerStatuses

  bool IsTerminal() const { return phase == "Succeeded" || phase == "Failed"; }
  // All init containers (at least one) terminated with exit code 0.
  bool InitContainersDone() const;
};

struct Node {
  std::string name;
  AnnotationMap annotations;
  AnnotationMap labels;      // metadata.labels (e.g. the AWS instance type)
  ResourceList capacity;     // status.capacity (capacity-based vendors)
  ResourceList allocatable;  // status.allocatable (handshake health)
};

// `limits.<resource>` entries of spec.hard.
struct ResourceQuota {
  std::string namespace_name;
  std::string name;
  ResourceList hard;
};

StatusOr<Pod> PodFromJson(const nlohmann::json& object);
StatusOr<Node> NodeFromJson(const nlohmann::json& object);
StatusOr<ResourceQuota> ResourceQuotaFromJson(const nlohmann::json& object);

}  // namespace hami::scheduler
