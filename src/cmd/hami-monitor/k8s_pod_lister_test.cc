#include "cmd/hami-monitor/k8s_pod_lister.h"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "k8s/internal/fake_apiserver.h"

namespace hami::monitor {
namespace {

nlohmann::json Pod(const std::string& name, const std::string& node) {
  nlohmann::json p = {{"metadata",
                       {{"name", name},
                        {"namespace", "team"},
                        {"uid", "uid-" + name},
                        {"labels", {{"hami.io/vgpu-node", node}}},
                        {"annotations",
                         {{"hami.io/vgpu-devices-allocated", "GPU-a,NVIDIA,1024,30:;"}}}}},
                      {"spec", {{"containers", {{{"name", "main"}}}}}}};
  return p;
}

std::optional<std::vector<PodInfo>> WaitForPods(const PodLister& lister, size_t n) {
  for (int i = 0; i < 200; ++i) {
    auto pods = lister.ListPods();
    if (pods && pods->size() == n) return pods;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return lister.ListPods();
}

TEST(K8sPodListerTest, ListsPodsOfThisNodeOnly) {
  k8s::testing::FakeApiServer api;
  api.Put("/api/v1/pods", Pod("a", "node-1"));
  api.Put("/api/v1/pods", Pod("b", "node-2"));
  k8s::ClientConfig config;
  config.server = api.url();
  auto lister = StartK8sPodLister(config, "node-1");
  ASSERT_TRUE(lister.ok()) << lister.status().ToString();
  auto pods = WaitForPods(**lister, 1);
  ASSERT_TRUE(pods);
  ASSERT_EQ(pods->size(), 1u);
  EXPECT_EQ((*pods)[0].uid, "uid-a");
  EXPECT_EQ((*pods)[0].ns, "team");
  EXPECT_EQ((*pods)[0].allocated.at("main")[0].used_mem_mib, 1024);
  api.Put("/api/v1/pods", Pod("c", "node-1"));
  pods = WaitForPods(**lister, 2);
  ASSERT_TRUE(pods);
  EXPECT_EQ(pods->size(), 2u);
}

}  // namespace
}  // namespace hami::monitor
