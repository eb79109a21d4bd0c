// Lazy initialization, the shared region, slots and memory accounting.
#include "vgpu/internal/runtime.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vgpu/internal/limiter.h"
#include "vgpu/internal/nvml_real.h"
#include "vgpu/internal/ptr_table.h"
#include "vgpu/internal/region.h"

namespace hami::vgpu {

void LoadConfig(Config* cfg);
bool LoadRealCuda();

constinit RealCuda g_real{};
constinit Config g_cfg{};
constinit hami_vgpu_region* g_region = nullptr;
constinit int g_slot = -1;
constinit std::atomic<int> g_ready{0};
constinit std::atomic<bool> g_compute_active{false};

namespace {

constinit pthread_once_t g_once = PTHREAD_ONCE_INIT;
constinit int g_log_fd = -1;
constinit int g_pid = 0;
// Ordinal -> container index + 1; 0 = unknown, -1 = not a container device.
constinit std::atomic<int8_t> g_ord_map[64]{};
constinit uint64_t g_granularity[HAMI_VGPU_MAX_DEVICES]{};
constinit std::atomic<bool> g_single_visible{false};  // the driver shows one device

template <typename T>
std::atomic_ref<T> A(T& v) { return std::atomic_ref<T>(v); }

void OpenLog() {
  if (g_cfg.log_level <= 0) return;
  const char* path = getenv("HAMI_VGPU_LOG_FILE");
  char def[64];
  if (!path) {
    snprintf(def, sizeof(def), "/tmp/hami-vgpu.%d.log", int(getpid()));
    path = def;
  }
  g_log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

// Opens (creating if needed) and maps the region; initializes it once under
// a short flock (the kernel drops it if the holder dies; we wait <= 1 s).
hami_vgpu_region* MapRegion(const char* path) {
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    RawLog(1, "cannot open shared region %s: %s", path, strerror(errno));
    return nullptr;
  }
  fchmod(fd, 0666);
  bool locked = false;
  for (int i = 0; i < 1000 && !locked; ++i) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      locked = true;
    } else {
      usleep(1000);
    }
  }
  struct stat st{};
  if (fstat(fd, &st) == 0 && uint64_t(st.st_size) < HAMI_VGPU_REGION_SIZE) {
    if (ftruncate(fd, off_t(HAMI_VGPU_REGION_SIZE)) != 0) {
      RawLog(1, "cannot size shared region: %s", strerror(errno));
    }
  }
  void* p = mmap(nullptr, HAMI_VGPU_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    close(fd);
    return nullptr;
  }
  auto* r = static_cast<hami_vgpu_region*>(p);
  PrepareRegion(r, g_cfg);
  if (locked) flock(fd, LOCK_UN);
  close(fd);
  return r;
}

int ClaimSlot() {
  int32_t me = int32_t(getpid());
  return ClaimSlotIn(g_region, me, ProcStartTime(me), NsPidIsHost(), ProcessAlive);
}

void AfterForkChild() {
  // New process: new slot, no inherited allocations or limiter thread.
  g_pid = int(getpid());
  PtrTableResetAfterFork();
  if (g_region) g_slot = ClaimSlot();
  LimiterAfterFork();
}

void DoInit() {
  LoadConfig(&g_cfg);
  OpenLog();
  PtrTableInit();
  if (!LoadRealCuda()) RawLog(1, "real libcuda.so.1 not found");
  if (!g_cfg.from_file) FillDevicesFromDriver(&g_cfg);
  for (int i = 0; i < g_cfg.num_devices; ++i) {
    uint32_t sm = g_cfg.devices[i].sm_limit_percent;
    if (sm > 0 && sm < 100 && g_cfg.core_policy != kPolicyDisable) g_compute_active = true;
  }
  g_region = MapRegion(g_cfg.region_path);
  if (g_region) g_slot = ClaimSlot();
  SweepDeadSlots();
  g_pid = int(getpid());
  pthread_atfork(nullptr, nullptr, AfterForkChild);
  RawLog(3, "initialized: devices=%d region=%s slot=%d from_file=%d", g_cfg.num_devices,
         g_cfg.region_path, g_slot, int(g_cfg.from_file));
  g_ready.store(1, std::memory_order_release);
}

}  // namespace

void InitSlow() { pthread_once(&g_once, DoInit); }

uint64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

void RawLog(int level, const char* fmt, ...) {
  if (g_log_fd < 0 || level > g_cfg.log_level) return;
  char buf[512];
  int n = snprintf(buf, sizeof(buf), "[hami-vgpu pid=%d] ", int(getpid()));
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(buf + n, sizeof(buf) - size_t(n) - 1, fmt, ap);
  va_end(ap);
  size_t len = size_t(n) + (m < 0 ? 0 : size_t(m));
  if (len > sizeof(buf) - 2) len = sizeof(buf) - 2;
  buf[len++] = '\n';
  ssize_t w = write(g_log_fd, buf, len);
  (void)w;
}

uint64_t ProcStartTime(int32_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof(path), "/proc/%d/stat", int(pid));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char* p = strrchr(buf, ')');  // comm may contain spaces
  if (!p) return 0;
  // Field 3 (state) follows ") "; starttime is field 22.
  int field = 2;
  for (; *p && field < 22; ++p) {
    if (*p == ' ') ++field;
  }
  return strtoull(p, nullptr, 10);
}

bool ProcessAlive(int32_t pid, uint64_t start_time) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  uint64_t now_start = ProcStartTime(pid);
  if (now_start == 0) return false;  // gone (or zombie without stat)
  char path[64], buf[512];
  snprintf(path, sizeof(path), "/proc/%d/stat", int(pid));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n > 0) {
      buf[n] = '\0';
      const char* p = strrchr(buf, ')');
      if (p && (p[2] == 'Z' || p[2] == 'X')) return false;
    }
  }
  return start_time == 0 || now_start == start_time;
}

int SweepDeadSlots() {
  hami_vgpu_region* r = g_region;
  return r ? SweepDeadSlotsIn(r, int32_t(getpid()), ProcessAlive) : 0;
}

void MaybeSweep() {
  hami_vgpu_region* r = g_region;
  if (!r) return;
  uint64_t now = MonotonicNs();
  uint64_t last = A(r->ext.last_sweep_ns).load(std::memory_order_relaxed);
  if (now < last + 250'000'000ull) return;
  if (!A(r->ext.last_sweep_ns).compare_exchange_strong(last, now)) return;
  SweepDeadSlots();
}

uint64_t ContainerUsage(int idx) {
  hami_vgpu_region* r = g_region;
  return r ? ContainerUsageIn(r, idx) : 0;
}

namespace {
uint64_t& Field(hami_vgpu_device_memory& m, int field) {
  return field == 0 ? m.context_size : m.data_size;
}
}  // namespace

// Publish-then-check: add to the own slot first, then sum all slots. Under
// sequential consistency the last of any set of racing reservations sees all
// the others, so the container total can never exceed the limit.
bool Reserve(int idx, uint64_t bytes, int field) {
  if (idx < 0 || idx >= HAMI_VGPU_MAX_DEVICES) return true;
  if (!g_region || g_slot < 0) {
    return g_cfg.devices[idx].memory_limit_bytes == 0;  // fail closed when limited
  }
  MaybeSweep();  // keeps exited processes' usage out of the metrics
  hami_vgpu_proc_slot& s = g_region->v1.procs[g_slot];
  hami_vgpu_device_memory& m = s.used[idx];
  uint64_t limit = g_cfg.devices[idx].memory_limit_bytes;
  if (limit == 0) {
    A(m.total).fetch_add(bytes);
    A(Field(m, field)).fetch_add(bytes);
    return true;
  }
  bool swept = false;
  for (int attempt = 0; attempt < 16; ++attempt) {
    A(m.total).fetch_add(bytes, std::memory_order_seq_cst);
    uint64_t sum = ContainerUsage(idx);
    if (sum <= limit) {
      A(Field(m, field)).fetch_add(bytes);
      return true;
    }
    A(m.total).fetch_sub(bytes, std::memory_order_seq_cst);
    uint64_t others = sum - bytes;
    if (others + bytes > limit && !swept) {
      swept = true;
      if (SweepDeadSlots() > 0) continue;
    }
    // Retry only if the refusal may be due to other racing reservations.
    if (ContainerUsage(idx) + bytes > limit) break;
    sched_yield();
  }
  A(g_region->ext.slots[g_slot].oom_refusals).fetch_add(1);
  RawLog(2, "device %d: refusing %llu bytes, usage %llu of %llu", idx,
         (unsigned long long)bytes, (unsigned long long)ContainerUsage(idx),
         (unsigned long long)limit);
  return false;
}

void Unreserve(int idx, uint64_t bytes, int field) {
  if (idx < 0 || idx >= HAMI_VGPU_MAX_DEVICES || !g_region || g_slot < 0) return;
  hami_vgpu_device_memory& m = g_region->v1.procs[g_slot].used[idx];
  A(Field(m, field)).fetch_sub(bytes);
  A(m.total).fetch_sub(bytes, std::memory_order_seq_cst);
}

static void FormatUuid(const CUuuid& u, char* out) {
  const auto* b = reinterpret_cast<const unsigned char*>(u.bytes);
  snprintf(out, HAMI_VGPU_UUID_LEN,
           "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
           b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
           b[14], b[15]);
}

int DeviceIndexOfOrdinal(CUdevice dev) {
  if (dev < 0 || dev >= 64) return -1;
  int8_t v = g_ord_map[dev].load(std::memory_order_relaxed);
  if (HAMI_LIKELY(v != 0)) return v > 0 ? v - 1 : -1;
  int idx = -1;
  CUuuid u{};
  if (g_real.cuDeviceGetUuid_v2 && g_real.cuDeviceGetUuid_v2(&u, dev) == CUDA_SUCCESS) {
    char s[HAMI_VGPU_UUID_LEN];
    FormatUuid(u, s);
    for (int i = 0; i < g_cfg.num_devices; ++i) {
      if (!strcasecmp(s, g_cfg.devices[i].uuid)) idx = i;
    }
  }
  int count = 0;
  if (g_real.cuDeviceGetCount && g_real.cuDeviceGetCount(&count) == CUDA_SUCCESS && count == 1) {
    g_single_visible.store(true, std::memory_order_relaxed);
  }
  g_ord_map[dev].store(int8_t(idx >= 0 ? idx + 1 : -1), std::memory_order_relaxed);
  if (idx >= 0 && g_real.cuMemGetAllocationGranularity) {
    CUmemAllocationProp prop{};
    prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
    prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
    prop.location.id = dev;
    size_t g = 0;
    if (g_real.cuMemGetAllocationGranularity(&g, &prop, CU_MEM_ALLOC_GRANULARITY_MINIMUM) ==
            CUDA_SUCCESS && g > 0) {
      g_granularity[idx] = g;
    }
  }
  return idx;
}

int CurrentDeviceIndex() {
  if (g_single_visible.load(std::memory_order_relaxed) &&
      g_ord_map[0].load(std::memory_order_relaxed) == 1) {
    // The driver shows exactly one device and it is ours: skip the query.
    return 0;
  }
  CUdevice d = 0;
  if (!g_real.cuCtxGetDevice || g_real.cuCtxGetDevice(&d) != CUDA_SUCCESS) return -1;
  return DeviceIndexOfOrdinal(d);
}

uint64_t ChargedBytes(int idx, uint64_t bytes) {
  uint64_t g = (idx >= 0 && idx < HAMI_VGPU_MAX_DEVICES && g_granularity[idx])
                   ? g_granularity[idx] : (2ull << 20);
  if (bytes > g / 2) return (bytes + g - 1) / g * g;
  return (bytes + 511) / 512 * 512;
}

// Env mode: the container's devices are what the driver shows, in NVML order
// (HAMi's CUDA_DEVICE_MEMORY_LIMIT_<i> index), else CUDA ordinal order.
void FillDevicesFromDriver(Config* cfg) {
  int n = NvmlListUuids(cfg);
  if (n > 0) {
    cfg->num_devices = n;
    return;
  }
  if (!g_real.cuDeviceGetCount || !g_real.cuDeviceGetUuid_v2) return;
  int count = 0;
  if (g_real.cuDeviceGetCount(&count) != CUDA_SUCCESS) {
    // Not initialized yet: ordinal order needs cuInit; fall back to count 0.
    return;
  }
  for (int i = 0; i < count && i < HAMI_VGPU_MAX_DEVICES; ++i) {
    CUuuid u{};
    CUdevice d = 0;
    if (g_real.cuDeviceGet(&d, i) == CUDA_SUCCESS && g_real.cuDeviceGetUuid_v2(&u, d) == CUDA_SUCCESS) {
      FormatUuid(u, cfg->devices[i].uuid);
    }
  }
  cfg->num_devices = count > HAMI_VGPU_MAX_DEVICES ? HAMI_VGPU_MAX_DEVICES : count;
}

}  // namespace hami::vgpu
