// hami-device-plugin: the NVIDIA device plugin of one node. Builds the object
// graph (NVML via dlopen, Kubernetes client, Allocator, gRPC server, Plugin
// loop) and runs until SIGINT/SIGTERM.
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "common/clock.h"
#include "common/log.h"
#include "deviceplugin/allocator.h"
#include "deviceplugin/config.h"
#include "deviceplugin/gpu_discovery.h"
#include "deviceplugin/kube_cluster.h"
#include "deviceplugin/plugin.h"
#include "deviceplugin/server.h"
#include "k8s/client.h"

namespace {

std::atomic<bool> g_stop{false};  // set by the signal handler only
void OnSignal(int) { g_stop.store(true); }

std::string Env(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

int Fail(const hami::Status& s, const char* what) {
  std::cerr << "hami-device-plugin: " << what << ": " << s.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hami;
  CLI::App app{"hami-device-plugin: NVIDIA device plugin (HAMi v2.10 compatible)"};
  std::string kubeconfig, node_name = Env("NODE_NAME"), config_file, node_config;
  std::string plugin_dir = "/var/lib/kubelet/device-plugins", nvml_library = "libnvidia-ml.so.1";
  std::string hook_path = Env("HOOK_PATH", "/usr/local"), log_level = "info";
  int health_ms = 1000;
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig (default: $KUBECONFIG, else in-cluster)");
  app.add_option("--node-name", node_name, "this node's name (env NODE_NAME)");
  app.add_option("--config-file", config_file, "device-config.yaml");
  app.add_option("--node-config", node_config, "per-node config.json");
  app.add_option("--plugin-dir", plugin_dir, "kubelet device-plugin directory");
  app.add_option("--nvml-library", nvml_library, "libnvidia-ml.so to dlopen");
  app.add_option("--hook-path", hook_path, "host folder holding vgpu/ (env HOOK_PATH)");
  app.add_option("--health-interval-ms", health_ms, "GPU health polling interval");
  app.add_option("--log-level", log_level, "debug|info|warning|error");
  CLI11_PARSE(app, argc, argv);

  log::Level level;
  if (!log::ParseLevel(log_level, &level)) {
    std::cerr << "hami-device-plugin: unknown --log-level " << log_level << "\n";
    return 1;
  }
  log::SetLevel(level);
  if (node_name.empty()) {
    std::cerr << "hami-device-plugin: --node-name or env NODE_NAME is required\n";
    return 1;
  }
  auto config = deviceplugin::LoadPluginConfig(config_file, node_config, node_name);
  if (!config.ok()) return Fail(config.status(), "configuration");
  auto nvml = deviceplugin::LoadNvml(nvml_library);
  if (!nvml.ok()) return Fail(nvml.status(), "NVML");
  auto client_config = k8s::LoadClientConfig(kubeconfig);
  if (!client_config.ok()) return Fail(client_config.status(), "kubeconfig");
  auto client = k8s::Client::Create(*client_config);
  if (!client.ok()) return Fail(client.status(), "Kubernetes client");

  SystemClock clock;
  deviceplugin::KubeCluster cluster(client->get(), &clock);
  deviceplugin::Allocator allocator(&cluster, {node_name, hook_path, *config});
  deviceplugin::ServerOptions server_options;
  server_options.plugin_dir = plugin_dir;
  server_options.resource_name = config->resource_name;
  auto slash = config->resource_name.rfind('/');
  server_options.socket_name = "nvidia-" + config->resource_name.substr(slash == std::string::npos ? 0 : slash + 1) + ".sock";
  server_options.preferred_allocation = config->enable_preferred_allocation;
  server_options.numa_topology = config->enable_numa_topology;
  deviceplugin::PluginServer server(&allocator, server_options);
  deviceplugin::PluginOptions plugin_options;
  plugin_options.node_name = node_name;
  plugin_options.config = *config;
  plugin_options.topology_score = Env("ENABLE_TOPOLOGY_SCORE") == "true";
  plugin_options.health_interval = std::chrono::milliseconds(health_ms);
  deviceplugin::Plugin plugin(nvml->get(), &cluster, &server, plugin_options);

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  log::Info("deviceplugin", "starting",
            {{"node", node_name}, {"driver", (*nvml)->DriverVersion()}, {"plugin_dir", plugin_dir}});
  Status s = plugin.Run(g_stop);
  if (!s.ok()) return Fail(s, "run");
  return 0;
}
