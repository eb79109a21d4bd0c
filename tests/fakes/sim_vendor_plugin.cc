// TEST DOUBLE (never shipped): hami-sim-vendor-plugin plays the device plugin
// of another vendor (Hygon, Cambricon, Ascend, ...) on one simulated node of
// the playground, so a pod of that vendor is scheduled by hami-scheduler,
// admitted by the fake kubelet (tests/fakekubelet) and reaches Running. What
// it publishes and answers is described in sim_vendor_node.h; in-container
// isolation for these vendors comes from the vendor's own runtime, which is
// not simulated.
//
//   hami-sim-vendor-plugin --kubeconfig K --node-name N --plugin-dir D
//       --spec examples/playground/vendor-nodes.yaml
//       [--device-config-file F] [--enable-iluvatar] [--enable-ascend]
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "api/device_config.h"
#include "common/clock.h"
#include "common/log.h"
#include "deviceplugin/kube_cluster.h"
#include "deviceplugin/server.h"
#include "k8s/client.h"
#include "sim_vendor_node.h"
#include "vendors/registry.h"

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

int Fail(const std::string& what) {
  std::cerr << "hami-sim-vendor-plugin: " << what << "\n";
  return 1;
}

// Identity of kubelet.sock; a new one means kubelet restarted.
ino_t SocketInode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hami;
  CLI::App app{"TEST DOUBLE: a simulated vendor device plugin for one playground node"};
  std::string kubeconfig, node_name, plugin_dir, spec_file, device_config_file;
  bool enable_iluvatar = false, enable_ascend = false;
  app.add_option("--kubeconfig", kubeconfig)->required();
  app.add_option("--node-name", node_name)->required();
  app.add_option("--plugin-dir", plugin_dir)->required();
  app.add_option("--spec", spec_file, "simulated vendor nodes (YAML)")->required();
  app.add_option("--device-config-file", device_config_file, "the scheduler's device config");
  app.add_flag("--enable-iluvatar", enable_iluvatar);
  app.add_flag("--enable-ascend", enable_ascend);
  CLI11_PARSE(app, argc, argv);

  std::ifstream in(spec_file);
  std::stringstream text;
  text << in.rdbuf();
  auto specs = testing::ParseSimVendorSpecs(text.str());
  if (!specs.ok()) return Fail(specs.status().ToString());
  auto spec = std::find_if(specs->begin(), specs->end(), [&](const auto& s) { return s.node == node_name; });
  if (spec == specs->end()) return Fail("node " + node_name + " is not in " + spec_file);

  api::DeviceConfig device_config;
  if (!device_config_file.empty()) {
    auto c = api::LoadDeviceConfigFile(device_config_file);
    if (!c.ok()) return Fail(c.status().ToString());
    device_config = *c;
  }
  vendors::DevicesConfig devices = vendors::DevicesConfigFrom(device_config);
  devices.enable_iluvatar = enable_iluvatar;
  devices.enable_ascend = enable_ascend;
  vendors::VendorList all = vendors::MakeVendors(devices);
  auto vendor = std::find_if(all.begin(), all.end(), [&](const auto& v) { return v->names().keyword == spec->vendor; });
  if (vendor == all.end()) return Fail("no vendor " + spec->vendor + " in the registry (enable flag missing?)");

  auto client_config = k8s::LoadClientConfig(kubeconfig);
  if (!client_config.ok()) return Fail(client_config.status().ToString());
  auto client = k8s::Client::Create(*client_config);
  if (!client.ok()) return Fail(client.status().ToString());
  SystemClock clock;
  deviceplugin::KubeCluster cluster(client->get(), &clock);
  testing::SimVendorNode node(&cluster, vendor->get(), *spec);

  std::vector<std::unique_ptr<testing::SimVendorNode::Resource>> handlers;
  std::vector<std::unique_ptr<deviceplugin::PluginServer>> servers;
  for (const auto& [resource, count] : spec->devices) {
    handlers.push_back(std::make_unique<testing::SimVendorNode::Resource>(&node, resource));
    deviceplugin::ServerOptions options;
    options.plugin_dir = plugin_dir;
    options.resource_name = resource;
    std::string socket = "sim-" + resource + ".sock";
    std::replace(socket.begin(), socket.end(), '/', '_');
    options.socket_name = socket;
    auto server = std::make_unique<deviceplugin::PluginServer>(handlers.back().get(), options);
    std::vector<deviceplugin::Replica> replicas;
    for (int i = 0; i < count; ++i) replicas.push_back({node_name + "-" + spec->vendor + "-sim-" + std::to_string(i), true, 0});
    server->SetDevices(std::move(replicas));
    servers.push_back(std::move(server));
  }

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  log::Info("simvendor", "starting", {{"node", node_name}, {"vendor", spec->vendor}});
  const std::string kubelet_socket = plugin_dir + "/kubelet.sock";
  ino_t registered_with = 0;
  auto next_publish = std::chrono::steady_clock::now();
  while (!g_stop.load()) {
    if (std::chrono::steady_clock::now() >= next_publish) {
      Status s = node.PublishInventory(std::chrono::system_clock::now());
      if (!s.ok()) log::Warn("simvendor", "publish inventory", {{"error", s.ToString()}});
      next_publish = std::chrono::steady_clock::now() + std::chrono::seconds(s.ok() ? 20 : 2);
    }
    ino_t inode = SocketInode(kubelet_socket);
    if (inode != 0 && inode != registered_with) {
      bool all_ok = true;
      for (auto& server : servers) {
        Status s = server->Start();
        if (s.ok()) s = server->Register();
        if (!s.ok()) {
          all_ok = false;
          log::Warn("simvendor", "register", {{"error", s.ToString()}});
        }
      }
      if (all_ok) registered_with = inode;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (auto& server : servers) server->Stop();
  return 0;
}
