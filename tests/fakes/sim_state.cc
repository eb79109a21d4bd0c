#include "sim_state.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

namespace hami::fake {
namespace {

template <typename T>
std::atomic_ref<T> A(T& v) { return std::atomic_ref<T>(v); }

SimConfig LoadConfig() {
  SimConfig c;
  const char* path = getenv("HAMI_SIM_GPUS");
  if (!path) return c;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return c;
  c.driver_version = j.value("driverVersion", c.driver_version);
  c.cuda_driver_version = j.value("cudaDriverVersion", c.cuda_driver_version);
  if (!j.contains("gpus") || !j["gpus"].is_array()) return c;
  for (const auto& g : j["gpus"]) {
    if (!g.is_object() || int(c.gpus.size()) >= kMaxGpus) continue;
    SimGpu s;
    try {
      s.uuid = g.value("uuid", "");
      s.name = g.value("name", "NVIDIA Simulated GPU");
      s.memory_bytes = g.value("memoryMiB", uint64_t(16384)) << 20;
      s.sm_count = g.value("smCount", 108);
      s.numa_node = g.value("numaNode", -1);
      s.pci_bus_id = g.value("pciBusId", "");
      s.context_bytes = g.value("contextMiB", uint64_t(0)) << 20;
      if (g.contains("nvlinkPeers")) s.nvlink_peers = g["nvlinkPeers"].get<std::vector<std::string>>();
      if (g.contains("xidEvents")) s.xid_events = g["xidEvents"].get<std::vector<unsigned long long>>();
    } catch (...) {
      continue;
    }
    if (s.pci_bus_id.empty()) {
      char buf[32];
      snprintf(buf, sizeof(buf), "00000000:%02X:00.0", unsigned(c.gpus.size() + 1));
      s.pci_bus_id = buf;
    }
    c.gpus.push_back(s);
  }
  return c;
}

SharedState* MapState() {
  std::string path;
  if (const char* p = getenv("HAMI_SIM_STATE")) {
    path = p;
  } else if (const char* g = getenv("HAMI_SIM_GPUS")) {
    path = std::string(g) + ".state";
  } else {
    path = "/tmp/hami-sim-gpus.state";
  }
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  void* p = MAP_FAILED;
  if (fd >= 0) {
    if (ftruncate(fd, sizeof(SharedState)) == 0) {
      p = mmap(nullptr, sizeof(SharedState), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    }
    close(fd);
  }
  if (p == MAP_FAILED) {
    p = mmap(nullptr, sizeof(SharedState), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
  }
  return static_cast<SharedState*>(p);
}

}  // namespace

const SimConfig& Config() {
  static const SimConfig c = LoadConfig();
  return c;
}

SharedState* State() {
  static SharedState* s = MapState();
  return s;
}

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

bool PidAlive(int32_t pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/stat", pid);
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  auto p = s.rfind(')');
  return p != std::string::npos && p + 2 < s.size() && s[p + 2] != 'Z' && s[p + 2] != 'X';
}

PidEntry* OwnPidEntry() {
  static thread_local int32_t cached_pid = 0;
  static thread_local PidEntry* cached = nullptr;
  int32_t me = int32_t(getpid());
  if (cached_pid == me) return cached;
  SharedState* s = State();
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& e : s->pids) {
      int32_t cur = A(e.pid).load();
      if (cur == me) return cached_pid = me, cached = &e;
    }
    for (auto& e : s->pids) {
      int32_t cur = A(e.pid).load();
      if (cur != 0 && PidAlive(cur)) continue;
      if (!A(e.pid).compare_exchange_strong(cur, -1)) continue;
      for (auto& u : e.used) A(u).store(0);
      A(e.pid).store(me);
      return cached_pid = me, cached = &e;
    }
  }
  return nullptr;
}

uint64_t UsedBytes(int gpu) {
  uint64_t sum = 0;
  for (auto& e : State()->pids) {
    int32_t pid = A(e.pid).load();
    if (pid > 0 && (pid == getpid() || PidAlive(pid))) sum += A(e.used[gpu]).load();
  }
  return sum;
}

uint64_t BusyNs(int gpu, int32_t pid, uint64_t from, uint64_t to) {
  GpuState& g = State()->gpus[gpu];
  uint64_t head = A(g.ring_head).load();
  uint64_t busy = 0;
  for (uint64_t i = 0; i < kRing && i < head; ++i) {
    Interval& iv = g.ring[(head - 1 - i) % kRing];
    uint64_t s = A(iv.start_ns).load(), e = A(iv.end_ns).load();
    int32_t p = A(iv.pid).load();
    if (e < from && s + 5'000'000'000ull < from) break;  // far in the past
    if (pid && p != pid) continue;
    uint64_t lo = s > from ? s : from, hi = e < to ? e : to;
    if (hi > lo) busy += hi - lo;
  }
  return busy;
}

uint64_t QueueKernel(int gpu, uint64_t dur_ns) {
  GpuState& g = State()->gpus[gpu];
  OwnPidEntry();  // make the process visible to NVML's process queries
  uint64_t now = NowNs();
  uint64_t busy = A(g.busy_until_ns).load(), start, end;
  do {
    start = busy > now ? busy : now;
    end = start + dur_ns;
  } while (!A(g.busy_until_ns).compare_exchange_weak(busy, end));
  uint64_t slot = A(g.ring_head).fetch_add(1);
  Interval& iv = g.ring[slot % kRing];
  A(iv.pid).store(int32_t(getpid()));
  A(iv.start_ns).store(start);
  A(iv.end_ns).store(end);
  constexpr uint64_t kQueueNs = 2'000'000;  // launch queue depth in time
  if (start > now + kQueueNs) {
    uint64_t wait = start - now - kQueueNs;
    timespec ts{time_t(wait / 1000000000ull), long(wait % 1000000000ull)};
    nanosleep(&ts, nullptr);
  }
  return end;
}

}  // namespace hami::fake
