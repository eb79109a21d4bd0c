// TEST DOUBLE support: the simulated GPUs of HAMI_SIM_GPUS and their state
// shared by every process (file-backed mapping), used by the fake libcuda.so.1
// and fake libnvidia-ml.so.1. Never shipped.
#ifndef HAMI_TESTS_FAKES_SIM_STATE_H_
#define HAMI_TESTS_FAKES_SIM_STATE_H_

#include <stdint.h>

#include <string>
#include <vector>

namespace hami::fake {

struct SimGpu {
  std::string uuid, name, pci_bus_id;
  uint64_t memory_bytes = 0;
  int sm_count = 108;
  int numa_node = -1;
  uint64_t context_bytes = 0;  // consumed per context by the fake driver
  std::vector<std::string> nvlink_peers;
  std::vector<unsigned long long> xid_events;  // delivered once per process
};

struct SimConfig {
  std::string driver_version = "550.54.15";
  int cuda_driver_version = 12040;
  std::vector<SimGpu> gpus;
};

constexpr int kMaxGpus = 16, kMaxPids = 256, kRing = 8192;

struct Interval {
  uint64_t start_ns, end_ns;
  int32_t pid, pad;
};

struct PidEntry {
  int32_t pid;  // atomic; 0 = free
  int32_t pad;
  uint64_t used[kMaxGpus];  // atomic; physical bytes held by this process
};

struct GpuState {
  uint64_t busy_until_ns;  // atomic; end of the last queued kernel
  uint64_t ring_head;      // atomic; next interval index
  Interval ring[kRing];
};

struct SharedState {
  uint64_t magic;
  PidEntry pids[kMaxPids];
  GpuState gpus[kMaxGpus];
};

// Loaded once per process; never fails hard (no GPUs when the file is bad).
const SimConfig& Config();
SharedState* State();
PidEntry* OwnPidEntry();
uint64_t NowNs();  // CLOCK_MONOTONIC
bool PidAlive(int32_t pid);
uint64_t UsedBytes(int gpu);  // physical, live processes only
// Busy ns of `pid` (0 = all) on `gpu` within [from, to].
uint64_t BusyNs(int gpu, int32_t pid, uint64_t from, uint64_t to);
// Queues a kernel of `dur_ns`; blocks while more than 2 ms are queued.
uint64_t QueueKernel(int gpu, uint64_t dur_ns);

}  // namespace hami::fake

#endif  // HAMI_TESTS_FAKES_SIM_STATE_H_
