// GPU discovery and health for the device plugin. `Nvml` is the narrow view of
// NVML the plugin needs; LoadNvml() binds it to a libnvidia-ml.so found with
// dlopen (the real driver or tests/fakes' simulated one). Tests use their own
// in-process implementation of the interface.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace hami::deviceplugin {

struct GpuInfo {
  int32_t index = 0;         // NVML index
  std::string uuid;          // "GPU-..."
  std::string name;          // NVML name, e.g. "NVIDIA A100-SXM4-80GB"
  std::string pci_bus_id;    // "0000:07:00.0"
  int64_t memory_mib = 0;    // total memory; 0 when NVML does not report it
  int32_t numa_node = 0;     // negative/unknown -> 0
  bool healthy = true;
  friend bool operator==(const GpuInfo&, const GpuInfo&) = default;
};

class Nvml {
 public:
  virtual ~Nvml() = default;
  // All GPUs with their current health (a GPU that stops answering NVML, or
  // reported a critical Xid since the last call, is unhealthy).
  virtual StatusOr<std::vector<GpuInfo>> ListGpus() = 0;
  // Topology pair score between two GPUs (hami.io/node-nvidia-score rules:
  // NVLink n links = 100*n, else 60 same board .. 10 cross-CPU).
  virtual StatusOr<int32_t> PairScore(const GpuInfo& a, const GpuInfo& b) = 0;
  virtual std::string DriverVersion() = 0;
};

// Opens `library_path` (e.g. "libnvidia-ml.so.1") and calls nvmlInit_v2.
StatusOr<std::unique_ptr<Nvml>> LoadNvml(const std::string& library_path);

}  // namespace hami::deviceplugin
