#include "vgpu/internal/limiter.h"

#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vgpu/internal/nvml_real.h"

namespace hami::vgpu {
namespace {

constexpr uint64_t kTickNs = 50'000'000;        // controller period
constexpr uint64_t kBurstNs = 50'000'000;       // bucket capacity = 50 ms of rate
constexpr uint64_t kRefillMinNs = 100'000;      // lazy refill granularity
constexpr uint64_t kStaleControllerNs = 500'000'000;

template <typename T>
std::atomic_ref<T> A(T& v) { return std::atomic_ref<T>(v); }

constinit pthread_once_t g_thread_once = PTHREAD_ONCE_INIT;

void SleepNs(uint64_t ns) {
  timespec ts{time_t(ns / 1000000000ull), long(ns % 1000000000ull)};
  nanosleep(&ts, nullptr);
}

void Refill(hami_vgpu_limiter& L, uint64_t now) {
  uint64_t last = A(L.last_refill_ns).load(std::memory_order_relaxed);
  if (now < last + kRefillMinNs) return;
  if (!A(L.last_refill_ns).compare_exchange_strong(last, now)) return;
  uint64_t rate = A(L.rate_milli).load(std::memory_order_relaxed);
  if (last == 0 || rate == 0) return;
  int64_t cur = A(L.tokens).load();
  while (!A(L.tokens).compare_exchange_weak(cur, RefilledTokens(cur, rate, now - last, kBurstNs))) {
  }
}

// ---- controller -------------------------------------------------------------

struct DevState {
  uint64_t last_consumed;
  uint64_t last_throttled;
  uint64_t last_ns;
  unsigned long long last_seen_us;
};
constinit DevState g_dev[HAMI_VGPU_MAX_DEVICES]{};

// Container SM utilization from NVML per-process samples newer than the last
// seen: per process the mean of its samples (NVML may return several), summed
// over the container's processes; each slot's share is written for the
// monitor. Returns -1 when there is no new measurement.
double MeasureUtil(int idx, DevState& st) {
  const RealNvml* n = GetRealNvml();
  if (!n || !n->nvmlDeviceGetProcessUtilization || !n->nvmlDeviceGetHandleByUUID) return -1;
  nvmlDevice_t dev{};
  if (n->nvmlDeviceGetHandleByUUID(g_cfg.devices[idx].uuid, &dev) != NVML_SUCCESS) return -1;
  nvmlProcessUtilizationSample_t samples[256];
  unsigned int count = 256;
  nvmlReturn_t rc = n->nvmlDeviceGetProcessUtilization(dev, samples, &count, st.last_seen_us);
  if (rc != NVML_SUCCESS) return -1;  // NOT_FOUND: no new samples yet
  hami_vgpu_region* r = g_region;
  int hwm = A(r->ext.slot_hwm).load();
  if (hwm > HAMI_VGPU_MAX_PROCS) hwm = HAMI_VGPU_MAX_PROCS;
  double total = 0;
  bool any_new = false;
  for (int i = 0; i < hwm; ++i) {
    hami_vgpu_proc_slot& s = r->v1.procs[i];
    int32_t pid = A(s.pid).load(), host = A(s.hostpid).load();
    if (pid <= 0) continue;
    unsigned want = unsigned(host ? host : pid);
    double sum = 0;
    int cnt = 0;
    for (unsigned k = 0; k < count; ++k) {
      if (samples[k].pid != want) continue;
      sum += samples[k].smUtil;
      ++cnt;
    }
    double u = cnt ? sum / cnt : 0;
    A(s.device_util[idx].sm_util).store(uint64_t(u));
    total += u;
  }
  for (unsigned k = 0; k < count; ++k) {
    if (samples[k].timeStamp > st.last_seen_us) {
      st.last_seen_us = samples[k].timeStamp;
      any_new = true;
    }
  }
  return any_new ? total : -1;
}

void ControlDevice(int idx, uint64_t now, int32_t me) {
  hami_vgpu_limiter& L = g_region->ext.limiter[idx];
  int32_t owner = A(L.controller_pid).load();
  if (owner != me) {
    uint64_t beat = A(L.controller_beat_ns).load();
    bool stale = owner == 0 || now > beat + kStaleControllerNs || !ProcessAlive(owner, 0);
    if (!stale || !A(L.controller_pid).compare_exchange_strong(owner, me)) {
      memset(&g_dev[idx], 0, sizeof(g_dev[idx]));
      return;
    }
  }
  A(L.controller_beat_ns).store(now);
  DevState& st = g_dev[idx];
  uint64_t consumed = A(L.consumed).load(), throttled = A(L.throttled_ns).load();
  if (st.last_ns == 0) {
    st = DevState{consumed, throttled, now, 0};
    MeasureUtil(idx, st);  // sets the sample horizon
    return;
  }
  double util = MeasureUtil(idx, st);
  if (util < 0) return;  // no new samples: keep the interval open
  double dt = double(now - st.last_ns) / 1e9;
  double rate_used = double(consumed - st.last_consumed) / dt;
  bool was_throttled = throttled != st.last_throttled;
  st.last_consumed = consumed;
  st.last_throttled = throttled;
  st.last_ns = now;
  A(L.util_percent).store(uint64_t(util));
  uint64_t rate = A(L.rate_milli).load();
  if (rate == 0) A(L.tokens).store(0);  // forget the debt of the untuned start
  RawLog(4, "dev %d util %.1f used %.0f/s rate %.0f/s", idx, util, rate_used, double(rate) / 1000);
  A(L.rate_milli).store(NextRate(rate, rate_used, util, g_cfg.devices[idx].sm_limit_percent,
                                 was_throttled));
}

void* ControllerMain(void*) {
  int32_t me = int32_t(getpid());
  for (;;) {
    SleepNs(kTickNs);
    if (int32_t(getpid()) != me) return nullptr;  // forked child: stop
    uint64_t now = MonotonicNs();
    for (int i = 0; i < g_cfg.num_devices; ++i) {
      uint32_t cap = g_cfg.devices[i].sm_limit_percent;
      if (cap > 0 && cap < 100) ControlDevice(i, now, me);
    }
  }
}

void StartController() {
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&t, &attr, ControllerMain, nullptr) != 0) {
    RawLog(1, "cannot start the compute controller thread");
  }
  pthread_attr_destroy(&attr);
}

}  // namespace

void GateSlow(uint64_t cost) {
  Init();
  hami_vgpu_region* r = g_region;
  if (r == nullptr) return;
  if (A(r->v1.recent_kernel).load(std::memory_order_relaxed) != 2) MarkActiveSlow();
  if (g_compute_active.load(std::memory_order_relaxed)) Throttle(cost);
}

void LimiterAfterFork() {
  g_thread_once = PTHREAD_ONCE_INIT;
  memset(g_dev, 0, sizeof(g_dev));
}

void MarkActiveSlow() {
  hami_vgpu_region* r = g_region;
  auto rk = A(r->v1.recent_kernel);
  uint64_t start = 0;
  while (rk.load() < 0) {  // blocked by a higher-priority container
    if (!start) start = MonotonicNs();
    SleepNs(10'000'000);
  }
  rk.store(2);
  timespec ts;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  A(r->v1.last_kernel_time).store(int64_t(ts.tv_sec));
  if (start && g_slot >= 0) {
    int idx = CurrentDeviceIndex();
    if (idx >= 0) A(r->ext.limiter[idx].throttled_ns).fetch_add(MonotonicNs() - start);
  }
}

void Throttle(uint64_t cost) {
  int idx = CurrentDeviceIndex();
  if (idx < 0) return;
  uint32_t cap = g_cfg.devices[idx].sm_limit_percent;
  if (cap == 0 || cap >= 100) return;
  hami_vgpu_region* r = g_region;
  if (g_cfg.core_policy == kPolicyDefault &&
      A(r->v1.utilization_switch).load(std::memory_order_relaxed) == 0) {
    return;
  }
  pthread_once(&g_thread_once, StartController);
  hami_vgpu_limiter& L = r->ext.limiter[idx];
  uint64_t now = MonotonicNs();
  Refill(L, now);
  A(L.consumed).fetch_add(cost, std::memory_order_relaxed);
  int64_t left = A(L.tokens).fetch_sub(int64_t(cost)) - int64_t(cost);
  if (HAMI_LIKELY(left >= 0)) return;
  uint64_t rate = A(L.rate_milli).load();
  if (rate == 0) return;  // not tuned yet
  uint64_t waited_from = now;
  for (;;) {
    int64_t t = A(L.tokens).load();
    if (t >= 0) break;
    rate = A(L.rate_milli).load();
    if (rate == 0) break;
    SleepNs(DebtSleepNs(t, rate));
    now = MonotonicNs();
    Refill(L, now);
  }
  A(L.throttled_ns).fetch_add(now - waited_from, std::memory_order_relaxed);
}

}  // namespace hami::vgpu
