/* Shared accounting region of one container (C and C++ compatible).
 *
 * Contract: the first HAMI_VGPU_V1_SIZE bytes are byte-for-byte HAMi-core's v1
 * layout (magic 19920718, major 1, minor 2), so HAMi's vGPUmonitor and our
 * monitor read usage, limits and the feedback fields unchanged. Our own state
 * lives in an extension block that starts at HAMI_VGPU_EXT_OFFSET, after the
 * v1 size, where HAMi's readers (which accept any file >= v1 size) never look.
 * Fields documented "atomic" must be accessed with __atomic builtins or
 * std::atomic_ref; everything is little-endian, naturally aligned (x86-64,
 * aarch64). See docs/isolation.md for the protocol between writers.
 */
#ifndef HAMI_VGPU_SHARED_REGION_H_
#define HAMI_VGPU_SHARED_REGION_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HAMI_VGPU_MAGIC 19920718
#define HAMI_VGPU_MAJOR 1
#define HAMI_VGPU_MINOR 2
#define HAMI_VGPU_MAX_DEVICES 16
#define HAMI_VGPU_MAX_PROCS 1024
#define HAMI_VGPU_UUID_LEN 96

/* ---- HAMi-core v1 layout ------------------------------------------------ */

/* Per process and device memory (bytes). `total` is what counts against the
 * limit (context + module + data); the others are a breakdown for metrics. */
typedef struct hami_vgpu_device_memory {
  uint64_t context_size; /* atomic */
  uint64_t module_size;  /* atomic */
  uint64_t data_size;    /* atomic */
  uint64_t offset;       /* unused, kept for layout */
  uint64_t total;        /* atomic; the figure limits are checked against */
  uint64_t reserved[3];
} hami_vgpu_device_memory;

typedef struct hami_vgpu_device_util {
  uint64_t dec_util;
  uint64_t enc_util;
  uint64_t sm_util; /* atomic; percent, last controller sample */
  uint64_t reserved[3];
} hami_vgpu_device_util;

/* One process slot. pid == 0 means free. Only the owner writes its counters;
 * a reclaimer may zero the slot after the owner is proven dead. */
typedef struct hami_vgpu_proc_slot {
  int32_t pid;     /* atomic; pid in the container's pid namespace, 0 = free */
  int32_t hostpid; /* atomic; host pid when known (0 = unknown) */
  hami_vgpu_device_memory used[HAMI_VGPU_MAX_DEVICES];
  uint64_t monitorused[HAMI_VGPU_MAX_DEVICES];
  hami_vgpu_device_util device_util[HAMI_VGPU_MAX_DEVICES];
  int32_t status; /* atomic; 1 running, 0 exited (HAMi readers skip 0) */
  int32_t pad0;
  uint64_t reserved[3]; /* HAMi-core keeps a seqlock in [0]; we leave 0 */
} hami_vgpu_proc_slot;

typedef struct hami_vgpu_region_v1 {
  int32_t initialized_flag; /* atomic; HAMI_VGPU_MAGIC once initialized */
  int32_t major_version;
  int32_t minor_version;
  int32_t sm_init_flag;
  uint64_t owner_pid;   /* unused by us (0) */
  uint8_t sem[32];      /* HAMi-core's semaphore; unused by us (zero) */
  uint64_t device_num;  /* number of valid uuids/limits */
  char uuids[HAMI_VGPU_MAX_DEVICES][HAMI_VGPU_UUID_LEN]; /* NUL-terminated */
  uint64_t limit[HAMI_VGPU_MAX_DEVICES];    /* memory limit, bytes; 0 = none */
  uint64_t sm_limit[HAMI_VGPU_MAX_DEVICES]; /* percent; 0 or >=100 = none */
  hami_vgpu_proc_slot procs[HAMI_VGPU_MAX_PROCS];
  int32_t proc_num;           /* atomic; slots [0, proc_num) may be in use */
  int32_t utilization_switch; /* atomic; monitor: 1 = throttle under contention */
  int32_t recent_kernel;      /* atomic; 2 after launches, monitor decrements,
                                 -1 = blocked by a higher-priority container */
  int32_t priority;           /* CUDA_TASK_PRIORITY (0 = high) */
  int64_t last_kernel_time;   /* atomic; epoch seconds of a recent launch */
  uint64_t reserved[4];       /* HAMi-core: sem_postinit; unused by us */
} hami_vgpu_region_v1;

/* ---- Our extension (after the v1 size; invisible to HAMi readers) ------- */

#define HAMI_VGPU_EXT_MAGIC 0x58494d48u /* "HMIX" */
#define HAMI_VGPU_EXT_VERSION 1

/* Container-wide compute limiter of one device (token bucket, see
 * docs/isolation.md). Units: tokens = nanoseconds of estimated kernel time. */
typedef struct hami_vgpu_limiter {
  int64_t tokens;            /* atomic; may go negative (debt) */
  uint64_t last_refill_ns;   /* atomic; CLOCK_MONOTONIC of last refill */
  uint64_t rate_ppm;         /* atomic; refill, token-ns per second / 1e3 */
  uint64_t cost_ns_per_kblock; /* atomic; learned kernel cost per 1024 blocks */
  int32_t controller_pid;    /* atomic; process running the feedback loop */
  int32_t pad0;
  uint64_t controller_beat_ns; /* atomic; last controller tick (monotonic) */
  uint64_t util_percent;     /* atomic; last measured container SM util */
  uint64_t throttled_ns;     /* atomic; total time launches waited */
  uint64_t launches;         /* atomic; throttled-path launches */
  uint64_t reserved[7];
} hami_vgpu_limiter;

/* Per slot data we need for robust reclamation. */
typedef struct hami_vgpu_slot_ext {
  uint64_t start_time; /* atomic; /proc/<pid>/stat starttime, detects pid reuse */
  int32_t reclaimer;   /* atomic; pid zeroing this dead slot (0 = none) */
  int32_t pad0;
  uint64_t oom_refusals; /* atomic; allocations refused at the limit */
  uint64_t reserved[1];
} hami_vgpu_slot_ext;

typedef struct hami_vgpu_ext {
  uint32_t magic;   /* HAMI_VGPU_EXT_MAGIC */
  uint32_t version; /* HAMI_VGPU_EXT_VERSION */
  uint64_t size;    /* sizeof(hami_vgpu_ext) */
  int32_t slot_hwm; /* atomic; slots [0, slot_hwm) were ever claimed */
  int32_t core_policy; /* 0 default, 1 force, 2 disable */
  uint64_t limits_generation; /* bumped by the device plugin when it rewrites */
  uint64_t reserved[6];
  hami_vgpu_limiter limiter[HAMI_VGPU_MAX_DEVICES];
  hami_vgpu_slot_ext slots[HAMI_VGPU_MAX_PROCS];
} hami_vgpu_ext;

#define HAMI_VGPU_V1_SIZE 2008952u
#define HAMI_VGPU_EXT_OFFSET 2008960u /* v1 size rounded up to 64 */

/* Whole file: v1 region, padding, extension. */
typedef struct hami_vgpu_region {
  hami_vgpu_region_v1 v1;
  uint8_t pad[HAMI_VGPU_EXT_OFFSET - HAMI_VGPU_V1_SIZE];
  hami_vgpu_ext ext;
} hami_vgpu_region;

#define HAMI_VGPU_REGION_SIZE (sizeof(hami_vgpu_region))

#ifdef __cplusplus
} /* extern "C" */
#define HAMI_VGPU_STATIC_ASSERT static_assert
#else
#define HAMI_VGPU_STATIC_ASSERT _Static_assert
#endif

/* Layout checks against HAMi-core v1 (x86-64 / aarch64 offsets). */
HAMI_VGPU_STATIC_ASSERT(sizeof(hami_vgpu_device_memory) == 64, "mem size");
HAMI_VGPU_STATIC_ASSERT(sizeof(hami_vgpu_device_util) == 48, "util size");
HAMI_VGPU_STATIC_ASSERT(sizeof(hami_vgpu_proc_slot) == 1960, "slot size");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_proc_slot, used) == 8, "used");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_proc_slot, monitorused) == 1032, "mu");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_proc_slot, device_util) == 1160, "du");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_proc_slot, status) == 1928, "status");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_proc_slot, reserved) == 1936, "sres");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_region_v1, owner_pid) == 16, "owner");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_region_v1, sem) == 24, "sem");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_region_v1, device_num) == 56, "num");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_region_v1, uuids) == 64, "uuids");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_region_v1, limit) == 1600, "limit");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_region_v1, sm_limit) == 1728, "sm");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_region_v1, procs) == 1856, "procs");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_region_v1, proc_num) == 2008896, "pn");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_region_v1, utilization_switch) == 2008900,
                        "switch");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_region_v1, recent_kernel) == 2008904, "rk");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_region_v1, priority) == 2008908, "prio");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_region_v1, last_kernel_time) == 2008912,
                        "lkt");
HAMI_VGPU_STATIC_ASSERT(sizeof(hami_vgpu_region_v1) == HAMI_VGPU_V1_SIZE, "v1 size");
HAMI_VGPU_STATIC_ASSERT(offsetof(hami_vgpu_region, ext) == HAMI_VGPU_EXT_OFFSET, "ext");
HAMI_VGPU_STATIC_ASSERT(sizeof(hami_vgpu_limiter) == 128, "limiter size");
HAMI_VGPU_STATIC_ASSERT(sizeof(hami_vgpu_slot_ext) == 32, "slot ext size");

#endif /* HAMI_VGPU_SHARED_REGION_H_ */
