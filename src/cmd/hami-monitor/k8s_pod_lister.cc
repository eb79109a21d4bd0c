#include "cmd/hami-monitor/k8s_pod_lister.h"

#include "common/log.h"
#include "k8s/client.h"
#include "k8s/informer.h"

namespace hami::monitor {
namespace {

k8s::InformerOptions NodePods(const std::string& node_name) {
  k8s::InformerOptions options;
  options.label_selector = "hami.io/vgpu-node=" + node_name;
  return options;
}

class K8sPodLister final : public PodLister {
 public:
  K8sPodLister(std::unique_ptr<k8s::Client> client, const std::string& node_name)
      : client_(std::move(client)),
        informer_(client_.get(), k8s::kPods, NodePods(node_name)) {
    informer_.Start();
  }
  ~K8sPodLister() override { informer_.Stop(); }

  std::optional<std::vector<PodInfo>> ListPods() const override {
    if (!informer_.HasSynced()) return std::nullopt;
    std::vector<PodInfo> pods;
    for (const auto& obj : informer_.List()) {
      auto info = PodInfoFromJson(*obj);
      if (info.ok()) pods.push_back(std::move(info).value());
    }
    return pods;
  }

 private:
  std::unique_ptr<k8s::Client> client_;
  mutable k8s::Informer informer_;
};

}  // namespace

StatusOr<std::unique_ptr<PodLister>> StartK8sPodLister(const std::string& kubeconfig,
                                                       const std::string& node_name) {
  ASSIGN_OR_RETURN(k8s::ClientConfig config, k8s::LoadClientConfig(kubeconfig));
  return StartK8sPodLister(std::move(config), node_name);
}

StatusOr<std::unique_ptr<PodLister>> StartK8sPodLister(k8s::ClientConfig config,
                                                       const std::string& node_name) {
  ASSIGN_OR_RETURN(std::unique_ptr<k8s::Client> client, k8s::Client::Create(std::move(config)));
  return std::unique_ptr<PodLister>(new K8sPodLister(std::move(client), node_name));
}

}  // namespace hami::monitor
