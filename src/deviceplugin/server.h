// The kubelet-facing gRPC side: DevicePlugin service on <plugin-dir>/<socket>
// and registration with kubelet on <plugin-dir>/kubelet.sock (reference 8.2).
// ListAndWatch streams the full device list on every change; SetDevices()
// wakes every open stream at once. Stop() ends streams and removes the socket.
#pragma once

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "deviceplugin/allocator.h"
#include "deviceplugin/devices.h"
#include "deviceplugin/v1beta1/api.grpc.pb.h"

namespace hami::deviceplugin {

struct ServerOptions {
  std::string plugin_dir = "/var/lib/kubelet/device-plugins";
  std::string socket_name = "nvidia-gpu.sock";
  std::string resource_name = "nvidia.com/gpu";
  bool preferred_allocation = false;  // RegisterRequest options
  bool numa_topology = false;
};

class PluginServer {
 public:
  PluginServer(AllocateHandler* allocator, ServerOptions options);
  ~PluginServer();
  PluginServer(const PluginServer&) = delete;
  PluginServer& operator=(const PluginServer&) = delete;

  // (Re)creates the socket and serves. Safe to call again after Stop().
  Status Start();
  // Registers with kubelet; the server must be started.
  Status Register();
  void Stop();
  bool running() const;

  void SetDevices(std::vector<Replica> devices);
  std::string socket_path() const;
  std::string kubelet_socket_path() const;

  class Service;

 private:
  AllocateHandler* allocator_;
  ServerOptions options_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace hami::deviceplugin
