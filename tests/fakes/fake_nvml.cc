// TEST DOUBLE: fake libnvidia-ml.so.1 over the simulated GPUs of HAMI_SIM_GPUS.
// Memory and utilization come from the state shared with the fake libcuda;
// sample timestamps are CLOCK_MONOTONIC microseconds. Never shipped.
#include <nvml.h>
#include <string.h>
#include <time.h>

#include <atomic>
#include <cstdlib>
#include <string>

#include "sim_state.h"

using namespace hami::fake;

namespace {
int NumGpus() { return int(Config().gpus.size()); }
nvmlDevice_t Handle(int i) { return reinterpret_cast<nvmlDevice_t>(uintptr_t(0x100 + i)); }
int Index(nvmlDevice_t d) {
  intptr_t v = intptr_t(reinterpret_cast<uintptr_t>(d)) - 0x100;
  return v >= 0 && v < NumGpus() ? int(v) : -1;
}
nvmlReturn_t Str(char* out, unsigned len, const std::string& s) {
  if (!out) return NVML_ERROR_INVALID_ARGUMENT;
  if (s.size() + 1 > len) return NVML_ERROR_INSUFFICIENT_SIZE;
  memcpy(out, s.c_str(), s.size() + 1);
  return NVML_SUCCESS;
}
#define DEV(d) int idx = Index(d); if (idx < 0) return NVML_ERROR_INVALID_ARGUMENT
}  // namespace

extern "C" {
#define EXPORT __attribute__((visibility("default")))

EXPORT nvmlReturn_t nvmlInit_v2() { return NVML_SUCCESS; }
EXPORT nvmlReturn_t nvmlInitWithFlags(unsigned) { return NVML_SUCCESS; }
EXPORT nvmlReturn_t nvmlShutdown() { return NVML_SUCCESS; }
EXPORT const char* nvmlErrorString(nvmlReturn_t r) { return r == NVML_SUCCESS ? "Success" : "fake NVML error"; }
EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char* v, unsigned len) {
  return Str(v, len, Config().driver_version);
}
EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion(int* v) {
  if (!v) return NVML_ERROR_INVALID_ARGUMENT;
  *v = Config().cuda_driver_version;
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int* v) { return nvmlSystemGetCudaDriverVersion(v); }
EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned* n) {
  if (!n) return NVML_ERROR_INVALID_ARGUMENT;
  *n = unsigned(NumGpus());
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned i, nvmlDevice_t* d) {
  if (!d || int(i) >= NumGpus()) return NVML_ERROR_INVALID_ARGUMENT;
  *d = Handle(int(i));
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetHandleByUUID(const char* uuid, nvmlDevice_t* d) {
  if (!uuid || !d) return NVML_ERROR_INVALID_ARGUMENT;
  for (int i = 0; i < NumGpus(); ++i) {
    if (!strcasecmp(Config().gpus[i].uuid.c_str(), uuid)) {
      *d = Handle(i);
      return NVML_SUCCESS;
    }
  }
  return NVML_ERROR_NOT_FOUND;
}
EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char* out, unsigned len) {
  DEV(d);
  return Str(out, len, Config().gpus[idx].uuid);
}
EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char* out, unsigned len) {
  DEV(d);
  return Str(out, len, Config().gpus[idx].name);
}
EXPORT nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t d, unsigned* i) {
  DEV(d);
  if (!i) return NVML_ERROR_INVALID_ARGUMENT;
  *i = unsigned(idx);
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetMinorNumber(nvmlDevice_t d, unsigned* i) { return nvmlDeviceGetIndex(d, i); }
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t* m) {
  DEV(d);
  if (!m) return NVML_ERROR_INVALID_ARGUMENT;
  m->total = Config().gpus[idx].memory_bytes;
  m->used = UsedBytes(idx);
  m->free = m->used > m->total ? 0 : m->total - m->used;
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, nvmlMemory_v2_t* m) {
  DEV(d);
  if (!m) return NVML_ERROR_INVALID_ARGUMENT;
  nvmlMemory_t v1{};
  nvmlDeviceGetMemoryInfo(d, &v1);
  m->total = v1.total;
  m->used = v1.used;
  m->free = v1.free;
  m->reserved = 0;
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t* p) {
  DEV(d);
  if (!p) return NVML_ERROR_INVALID_ARGUMENT;
  memset(p, 0, sizeof(*p));
  const std::string& id = Config().gpus[idx].pci_bus_id;
  snprintf(p->busId, sizeof(p->busId), "%s", id.c_str());
  snprintf(p->busIdLegacy, sizeof(p->busIdLegacy), "%s", id.c_str());
  unsigned dom = 0, bus = 0, dev = 0;
  sscanf(id.c_str(), "%x:%x:%x", &dom, &bus, &dev);
  p->domain = dom;
  p->bus = bus;
  p->device = dev;
  p->pciDeviceId = 0x20b010de;
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetNumaNodeId(nvmlDevice_t d, unsigned* n) {
  DEV(d);
  if (!n) return NVML_ERROR_INVALID_ARGUMENT;
  if (Config().gpus[idx].numa_node < 0) return NVML_ERROR_NOT_SUPPORTED;
  *n = unsigned(Config().gpus[idx].numa_node);
  return NVML_SUCCESS;
}
static bool Peers(int a, int b) {
  for (const auto& p : Config().gpus[a].nvlink_peers) {
    if (p == Config().gpus[b].uuid) return true;
  }
  return false;
}
EXPORT nvmlReturn_t nvmlDeviceGetTopologyCommonAncestor(nvmlDevice_t a, nvmlDevice_t b,
                                                        nvmlGpuTopologyLevel_t* l) {
  int ia = Index(a), ib = Index(b);
  if (ia < 0 || ib < 0 || !l) return NVML_ERROR_INVALID_ARGUMENT;
  const auto& g = Config().gpus;
  if (ia == ib) *l = NVML_TOPOLOGY_INTERNAL;
  else if (g[ia].numa_node >= 0 && g[ia].numa_node == g[ib].numa_node) *l = NVML_TOPOLOGY_HOSTBRIDGE;
  else *l = NVML_TOPOLOGY_SYSTEM;
  return NVML_SUCCESS;
}
// Link i of a GPU goes to its i-th NVLink peer.
EXPORT nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t d, unsigned link, nvmlEnableState_t* s) {
  DEV(d);
  if (!s) return NVML_ERROR_INVALID_ARGUMENT;
  if (link >= NVML_NVLINK_MAX_LINKS) return NVML_ERROR_INVALID_ARGUMENT;
  *s = link < Config().gpus[idx].nvlink_peers.size() ? NVML_FEATURE_ENABLED : NVML_FEATURE_DISABLED;
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetNvLinkRemotePciInfo_v2(nvmlDevice_t d, unsigned link, nvmlPciInfo_t* p) {
  DEV(d);
  const auto& peers = Config().gpus[idx].nvlink_peers;
  if (link >= peers.size()) return NVML_ERROR_NOT_SUPPORTED;
  nvmlDevice_t other{};
  if (nvmlDeviceGetHandleByUUID(peers[link].c_str(), &other) != NVML_SUCCESS) return NVML_ERROR_NOT_FOUND;
  (void)Peers;
  return nvmlDeviceGetPciInfo_v3(other, p);
}
EXPORT nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t* u) {
  DEV(d);
  if (!u) return NVML_ERROR_INVALID_ARGUMENT;
  uint64_t now = NowNs(), from = now > 1000000000ull ? now - 1000000000ull : 0;
  u->gpu = unsigned(BusyNs(idx, 0, from, now) * 100 / (now - from));
  u->memory = 0;
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned* count,
                                                            nvmlProcessInfo_t* infos) {
  DEV(d);
  if (!count) return NVML_ERROR_INVALID_ARGUMENT;
  unsigned n = 0;
  for (auto& e : State()->pids) {
    int32_t pid = std::atomic_ref<int32_t>(e.pid).load();
    uint64_t used = std::atomic_ref<uint64_t>(e.used[idx]).load();
    if (pid <= 0 || used == 0 || !PidAlive(pid)) continue;
    if (infos && n < *count) {
      infos[n] = nvmlProcessInfo_t{};
      infos[n].pid = unsigned(pid);
      infos[n].usedGpuMemory = used;
      infos[n].gpuInstanceId = infos[n].computeInstanceId = 0xFFFFFFFF;
    }
    ++n;
  }
  bool fits = infos && n <= *count;
  *count = n;
  return fits || n == 0 ? NVML_SUCCESS : NVML_ERROR_INSUFFICIENT_SIZE;
}
// One sample per process active in (lastSeen, now] (at most the last second).
EXPORT nvmlReturn_t nvmlDeviceGetProcessUtilization(nvmlDevice_t d, nvmlProcessUtilizationSample_t* s,
                                                    unsigned* count, unsigned long long last_us) {
  DEV(d);
  if (!count) return NVML_ERROR_INVALID_ARGUMENT;
  uint64_t now = NowNs();
  uint64_t from = last_us * 1000;
  if (from + 1000000000ull < now) from = now - 1000000000ull;
  if (from >= now) from = now - 1;
  unsigned n = 0;
  for (auto& e : State()->pids) {
    int32_t pid = std::atomic_ref<int32_t>(e.pid).load();
    if (pid <= 0) continue;
    uint64_t busy = BusyNs(idx, pid, from, now);
    if (busy == 0) continue;
    if (s && n < *count) {
      s[n] = nvmlProcessUtilizationSample_t{};
      s[n].pid = unsigned(pid);
      s[n].timeStamp = now / 1000;
      s[n].smUtil = unsigned(busy * 100 / (now - from));
    }
    ++n;
  }
  if (n == 0) {
    *count = 0;
    return NVML_ERROR_NOT_FOUND;
  }
  bool fits = s && n <= *count;
  *count = n;
  return fits ? NVML_SUCCESS : NVML_ERROR_INSUFFICIENT_SIZE;
}

// Xid events: each GPU's "xidEvents" are delivered once per event set.
struct FakeEventSet {
  unsigned long long mask[16];
  size_t next[16];
};
EXPORT nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t* set) {
  if (!set) return NVML_ERROR_INVALID_ARGUMENT;
  *set = reinterpret_cast<nvmlEventSet_t>(new FakeEventSet{});
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) {
  delete reinterpret_cast<FakeEventSet*>(set);
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t d, unsigned long long types, nvmlEventSet_t set) {
  DEV(d);
  if (!set) return NVML_ERROR_INVALID_ARGUMENT;
  reinterpret_cast<FakeEventSet*>(set)->mask[idx] |= types;
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetSupportedEventTypes(nvmlDevice_t d, unsigned long long* t) {
  DEV(d);
  if (!t) return NVML_ERROR_INVALID_ARGUMENT;
  *t = nvmlEventTypeXidCriticalError;
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t* data, unsigned timeout_ms) {
  auto* es = reinterpret_cast<FakeEventSet*>(set);
  if (!es || !data) return NVML_ERROR_INVALID_ARGUMENT;
  for (int i = 0; i < NumGpus(); ++i) {
    const auto& x = Config().gpus[i].xid_events;
    if ((es->mask[i] & nvmlEventTypeXidCriticalError) && es->next[i] < x.size()) {
      *data = nvmlEventData_t{};
      data->device = Handle(i);
      data->eventType = nvmlEventTypeXidCriticalError;
      data->eventData = x[es->next[i]++];
      return NVML_SUCCESS;
    }
  }
  timespec ts{time_t(timeout_ms / 1000), long(timeout_ms % 1000) * 1000000L};
  nanosleep(&ts, nullptr);
  return NVML_ERROR_TIMEOUT;
}
}  // extern "C"
