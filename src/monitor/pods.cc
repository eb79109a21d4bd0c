#include "monitor/pods.h"

#include "api/annotations.h"

namespace hami::monitor {

StatusOr<PodInfo> PodInfoFromJson(const nlohmann::json& pod) {
  try {
    PodInfo info;
    const auto& meta = pod.at("metadata");
    info.uid = meta.at("uid").get<std::string>();
    info.name = meta.at("name").get<std::string>();
    info.ns = meta.value("namespace", std::string("default"));
    if (info.uid.empty() || info.name.empty()) return InvalidArgumentError("pod without uid/name");
    // Device list entries are per container, init containers first.
    std::vector<std::string> all;
    if (pod.contains("spec")) {
      const auto& spec = pod.at("spec");
      if (spec.contains("initContainers")) {
        for (const auto& c : spec.at("initContainers")) all.push_back(c.at("name").get<std::string>());
      }
      if (spec.contains("containers")) {
        for (const auto& c : spec.at("containers")) {
          info.containers.push_back(c.at("name").get<std::string>());
          all.push_back(info.containers.back());
        }
      }
    }
    const std::string key(api::kNvidiaDevicesAllocated);
    if (meta.contains("annotations") && meta.at("annotations").contains(key)) {
      auto decoded = api::DecodePodDevices(meta.at("annotations").at(key).get<std::string>());
      if (decoded.ok()) {
        for (size_t i = 0; i < decoded->size() && i < all.size(); ++i) {
          if (!(*decoded)[i].empty()) info.allocated[all[i]] = (*decoded)[i];
        }
      }
    }
    return info;
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string("malformed pod object: ") + e.what());
  }
}

}  // namespace hami::monitor
