// Limits configuration: the read-only limits file written by the device plugin
// (authoritative), else HAMi's environment variables (compatibility only).
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vgpu/internal/runtime.h"
#include "vgpu/limits.h"

namespace hami::vgpu {
namespace {

bool ParseU64(const char* s, uint64_t* out) {
  if (!s || !*s) return false;
  uint64_t v = 0;
  for (; *s >= '0' && *s <= '9'; ++s) {
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + uint64_t(*s - '0');
  }
  if (*s != '\0') return false;
  *out = v;
  return true;
}

int ParsePolicy(const char* v) {
  if (!strcasecmp(v, "force")) return kPolicyForce;
  if (!strcasecmp(v, "disable")) return kPolicyDisable;
  return kPolicyDefault;
}

void SetKey(Config* c, const char* key, const char* val) {
  uint64_t n = 0;
  if (!strcmp(key, "shared_region")) {
    strncpy(c->region_path, val, sizeof(c->region_path) - 1);
  } else if (!strcmp(key, "core_policy")) {
    c->core_policy = ParsePolicy(val);
  } else if (!strcmp(key, "priority") && ParseU64(val, &n)) {
    c->priority = int(n);
  } else if (!strcmp(key, "context_overhead_bytes") && ParseU64(val, &n)) {
    c->context_overhead_bytes = n;
  } else if (!strncmp(key, "device.", 7)) {
    char* end = nullptr;
    long i = strtol(key + 7, &end, 10);
    if (end == key + 7 || *end != '.' || i < 0 || i >= HAMI_VGPU_MAX_DEVICES) return;
    DeviceConfig& d = c->devices[i];
    const char* field = end + 1;
    if (!strcmp(field, "uuid")) {
      strncpy(d.uuid, val, sizeof(d.uuid) - 1);
    } else if (!strcmp(field, "memory_limit_bytes") && ParseU64(val, &n)) {
      d.memory_limit_bytes = n;
    } else if (!strcmp(field, "sm_limit_percent") && ParseU64(val, &n)) {
      d.sm_limit_percent = n > 100 ? 100 : uint32_t(n);
    } else {
      return;
    }
    if (i + 1 > c->num_devices) c->num_devices = int(i + 1);
  }
}

}  // namespace

uint64_t ParseSizeBytes(const char* s) {
  if (!s) return 0;
  uint64_t v = 0;
  const char* p = s;
  for (; *p >= '0' && *p <= '9'; ++p) {
    if (v > UINT64_MAX / 10 - 9) return 0;
    v = v * 10 + uint64_t(*p - '0');
  }
  if (p == s) return 0;
  uint64_t mul = 1;
  switch (*p) {
    case 'g': case 'G': mul = 1ull << 30; ++p; break;
    case 'm': case 'M': mul = 1ull << 20; ++p; break;
    case 'k': case 'K': mul = 1ull << 10; ++p; break;
    default: break;
  }
  if (*p != '\0') return 0;
  if (v > UINT64_MAX / mul) return 0;
  return v * mul;
}

bool ParseLimitsText(const char* text, Config* out) {
  char line[640];
  const char* p = text;
  while (*p) {
    const char* nl = strchr(p, '\n');
    size_t len = nl ? size_t(nl - p) : strlen(p);
    if (len < sizeof(line)) {
      size_t l = len;
      memcpy(line, p, l);
      line[l] = '\0';
      while (l && (line[l - 1] == '\r' || line[l - 1] == ' ')) line[--l] = '\0';
      char* eq = strchr(line, '=');
      if (line[0] != '#' && eq) {
        *eq = '\0';
        SetKey(out, line, eq + 1);
      }
    }
    p += len;
    if (*p == '\n') ++p;
  }
  return true;
}

// Reads the file at `path` (at most 64 KiB) into cfg. False if unreadable.
static bool LoadLimitsFile(const char* path, Config* cfg) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  static char buf[65536];  // init-time only, under pthread_once
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n < 0) return false;
  buf[n] = '\0';
  return ParseLimitsText(buf, cfg);
}

// Fills cfg from the limits file, or from the HAMi environment when the fixed
// file is absent. UUIDs missing from env mode are filled later from NVML/CUDA.
void LoadConfig(Config* cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->priority = 1;
  const char* lvl = getenv("LIBCUDA_LOG_LEVEL");
  cfg->log_level = lvl ? atoi(lvl) : 0;
  if (LoadLimitsFile(HAMI_VGPU_LIMITS_PATH, cfg)) {
    cfg->from_file = true;
    return;
  }
  // Test hook: only honoured when the fixed, read-only file does not exist.
  const char* alt = getenv("HAMI_VGPU_LIMITS_FILE");
  if (alt && LoadLimitsFile(alt, cfg)) {
    cfg->from_file = true;
    return;
  }
  char name[64];
  uint64_t fallback = ParseSizeBytes(getenv("CUDA_DEVICE_MEMORY_LIMIT"));
  const char* sm = getenv("CUDA_DEVICE_SM_LIMIT");
  uint64_t sm_all = 0;
  if (sm) ParseU64(sm, &sm_all);
  for (int i = 0; i < HAMI_VGPU_MAX_DEVICES; ++i) {
    snprintf(name, sizeof(name), "CUDA_DEVICE_MEMORY_LIMIT_%d", i);
    const char* v = getenv(name);
    uint64_t lim = v ? ParseSizeBytes(v) : fallback;
    snprintf(name, sizeof(name), "CUDA_DEVICE_SM_LIMIT_%d", i);
    uint64_t smi = sm_all;
    if (const char* s = getenv(name)) ParseU64(s, &smi);
    cfg->devices[i].memory_limit_bytes = lim;
    cfg->devices[i].sm_limit_percent = smi > 100 ? 100 : uint32_t(smi);
  }
  cfg->num_devices = 0;  // decided by device enumeration
  const char* path = getenv("CUDA_DEVICE_MEMORY_SHARED_CACHE");
  strncpy(cfg->region_path, path && *path ? path : "/tmp/cudevshr.cache",
          sizeof(cfg->region_path) - 1);
  if (const char* p = getenv("GPU_CORE_UTILIZATION_POLICY")) cfg->core_policy = ParsePolicy(p);
  if (const char* p = getenv("CUDA_TASK_PRIORITY")) cfg->priority = atoi(p);
  if (const char* p = getenv("HAMI_VGPU_CONTEXT_OVERHEAD_MIB")) {
    cfg->context_overhead_bytes = uint64_t(atoll(p)) << 20;
  }
}

}  // namespace hami::vgpu
