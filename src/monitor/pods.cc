#include "monitor/pods.h"

namespace hami::monitor {

StatusOr<PodInfo> PodInfoFromJson(const nlohmann::json& pod) {
  try {
    PodInfo info;
    const auto& meta = pod.at("metadata");
    info.uid = meta.at("uid").get<std::string>();
    info.name = meta.at("name").get<std::string>();
    info.ns = meta.value("namespace", std::string("default"));
    if (info.uid.empty() || info.name.empty()) return InvalidArgumentError("pod without uid/name");
    if (pod.contains("spec") && pod["spec"].contains("containers")) {
      for (const auto& c : pod["spec"]["containers"]) {
        info.containers.push_back(c.at("name").get<std::string>());
      }
    }
    return info;
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string("malformed pod object: ") + e.what());
  }
}

}  // namespace hami::monitor
