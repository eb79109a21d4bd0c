// The device plugin's main loop: discovers GPUs through Nvml, serves and
// registers the kubelet API (PluginServer), re-registers when kubelet.sock is
// recreated (inotify on the plugin directory), pushes health changes, and
// publishes hami.io/node-nvidia-register (+ node-nvidia-score) on the Node
// every 30 s, patching only when the value changed.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "deviceplugin/cluster.h"
#include "deviceplugin/config.h"
#include "deviceplugin/gpu_discovery.h"
#include "deviceplugin/server.h"

namespace hami::deviceplugin {

struct PluginOptions {
  std::string node_name;
  PluginConfig config;
  bool topology_score = false;  // ENABLE_TOPOLOGY_SCORE=true
  std::chrono::milliseconds health_interval{1000};
  std::chrono::milliseconds register_interval{30000};
  std::chrono::milliseconds retry_interval{5000};
};

class Plugin {
 public:
  Plugin(Nvml* nvml, ClusterApi* api, PluginServer* server, PluginOptions options);
  // Runs until `stop` becomes true (checked at least every 200 ms).
  Status Run(const std::atomic<bool>& stop);

  // One discovery pass: updates kubelet's device list when it changed. When
  // NVML itself fails every GPU is reported unhealthy and the error returned.
  Status Refresh();
  // Publishes the node annotations if they changed since the last success.
  Status PublishNode();

 private:
  Status StartAndRegister();
  void PushDevices();  // sends the device list to kubelet when it changed

  Nvml* nvml_;
  ClusterApi* api_;
  PluginServer* server_;
  PluginOptions options_;
  std::vector<PluginGpu> gpus_;
  std::string last_devices_key_;
  std::string last_register_;
  std::string last_score_;
  bool devices_changed_ = false;
};

}  // namespace hami::deviceplugin
