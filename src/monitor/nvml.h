// What the monitor reads from NVML: per device identity, memory, utilisation
// and the compute processes with their memory. DlopenNvml loads the library
// named by --nvml-library at run time (the real driver's or the fake); the
// optional calls (utilisation, processes) degrade to "unknown" when missing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace hami::monitor {

struct NvmlProcess {
  uint32_t pid = 0;
  uint64_t used_bytes = 0;
};

struct NvmlProcessUtil {
  uint32_t pid = 0;
  uint32_t sm_percent = 0;  // latest sample in the last few seconds
};

struct NvmlDevice {
  int index = 0;
  std::string uuid;
  std::string name;
  uint64_t memory_total_bytes = 0;
  uint64_t memory_used_bytes = 0;
  std::optional<uint32_t> gpu_util_percent;
  std::optional<uint32_t> memory_util_percent;
  std::optional<std::vector<NvmlProcess>> processes;
  // Per-process SM utilisation (nvmlDeviceGetProcessUtilization), when the
  // driver offers it; lets the monitor report utilisation of containers whose
  // region records none (e.g. HAMi-core without an SM limit).
  std::optional<std::vector<NvmlProcessUtil>> process_util;
};

class Nvml {
 public:
  virtual ~Nvml() = default;
  virtual StatusOr<std::vector<NvmlDevice>> Devices() = 0;
};

// Loads `library` (dlopen), calls nvmlInit_v2. Thread-compatible.
StatusOr<std::unique_ptr<Nvml>> OpenNvml(const std::string& library);

// A fixed answer, for tests.
class FakeNvml final : public Nvml {
 public:
  explicit FakeNvml(std::vector<NvmlDevice> devices) : devices_(std::move(devices)) {}
  StatusOr<std::vector<NvmlDevice>> Devices() override { return devices_; }
  void Set(std::vector<NvmlDevice> devices) { devices_ = std::move(devices); }

 private:
  std::vector<NvmlDevice> devices_;
};

}  // namespace hami::monitor
