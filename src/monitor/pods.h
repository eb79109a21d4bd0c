// The pods of this node as the monitor needs them (UID, namespace, name,
// container names), behind a small interface so tests use a fake and the
// binary uses the Kubernetes informer (label hami.io/vgpu-node=<node>).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/pod_devices.h"
#include "common/status.h"

namespace hami::monitor {

struct PodInfo {
  std::string uid;
  std::string ns;
  std::string name;
  std::vector<std::string> containers;
  // NVIDIA devices the scheduler allocated (hami.io/vgpu-devices-allocated),
  // by container name; lets the monitor report limits before a container
  // first touches the GPU. Empty when absent or malformed.
  std::map<std::string, api::ContainerDevices> allocated;
};

class PodLister {
 public:
  virtual ~PodLister() = default;
  // nullopt while the list is not known yet (e.g. informer not synced).
  virtual std::optional<std::vector<PodInfo>> ListPods() const = 0;
};

// Extracts PodInfo from a core/v1 Pod object; error if uid/name/namespace missing.
// A malformed allocation annotation is ignored (allocated stays empty).
StatusOr<PodInfo> PodInfoFromJson(const nlohmann::json& pod);

// A fixed list (tests, and running without a cluster: `known` = false means
// ListPods() answers nullopt).
class StaticPodLister final : public PodLister {
 public:
  StaticPodLister() = default;
  explicit StaticPodLister(std::vector<PodInfo> pods) : pods_(std::move(pods)), known_(true) {}
  std::optional<std::vector<PodInfo>> ListPods() const override {
    if (!known_) return std::nullopt;
    return pods_;
  }

 private:
  std::vector<PodInfo> pods_;
  bool known_ = false;
};

}  // namespace hami::monitor
