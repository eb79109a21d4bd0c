// Test helper: builds synthetic shared-region files in HAMi-core's v0 and v1
// layouts, optionally with our extension block, at the documented offsets.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "monitor/internal/layout.h"

namespace hami::monitor::testing {

struct ProcSpec {
  int32_t pid = 1;
  int32_t host_pid = 0;
  int32_t status = 1;
  std::vector<uint64_t> used_total;  // per device
  std::vector<uint64_t> sm_util;     // per device
};

struct RegionSpec {
  int version = 1;
  bool extension = false;
  int32_t major = 1;
  int32_t minor = 2;
  std::vector<std::string> uuids;
  std::vector<uint64_t> limits;
  std::vector<uint64_t> sm_limits;
  std::vector<ProcSpec> procs;
  int32_t utilization_switch = 0;
  int32_t recent_kernel = 0;
  int32_t priority = 1;
  int64_t last_kernel_time = 0;
  std::vector<uint64_t> throttled_ns;     // extension, per device
  std::vector<uint64_t> limiter_util;     // extension, per device
  uint64_t oom_refusals = 0;              // extension, in slot 0
};

template <typename T>
void Put(std::vector<uint8_t>* b, size_t off, T v) {
  std::memcpy(b->data() + off, &v, sizeof(T));
}

template <typename Layout>
void Fill(const RegionSpec& s, std::vector<uint8_t>* b) {
  namespace L = layout;
  Put<int32_t>(b, 0, L::kMagic);
  Put<uint64_t>(b, Layout::kNum, s.uuids.size());
  for (size_t i = 0; i < s.uuids.size(); ++i) {
    std::memcpy(b->data() + Layout::kUuids + i * L::kUuidLen, s.uuids[i].data(),
                std::min(s.uuids[i].size(), L::kUuidLen - 1));
    if (i < s.limits.size()) Put<uint64_t>(b, Layout::kLimit + i * 8, s.limits[i]);
    if (i < s.sm_limits.size()) Put<uint64_t>(b, Layout::kSmLimit + i * 8, s.sm_limits[i]);
  }
  for (size_t p = 0; p < s.procs.size(); ++p) {
    const ProcSpec& proc = s.procs[p];
    size_t slot = Layout::kProcs + p * Layout::kSlotSize;
    Put<int32_t>(b, slot + Layout::kSlotPid, proc.pid);
    Put<int32_t>(b, slot + Layout::kSlotHostPid, proc.host_pid);
    Put<int32_t>(b, slot + Layout::kSlotStatus, proc.status);
    for (size_t i = 0; i < proc.used_total.size(); ++i) {
      size_t mem = slot + Layout::kSlotUsed + i * Layout::kMemStride;
      // Split the total into context (1/4), module (1/4) and buffer (rest).
      uint64_t t = proc.used_total[i];
      Put<uint64_t>(b, mem + L::kMemContext, t / 4);
      Put<uint64_t>(b, mem + L::kMemModule, t / 4);
      Put<uint64_t>(b, mem + L::kMemBuffer, t - 2 * (t / 4));
      Put<uint64_t>(b, mem + L::kMemTotal, t);
    }
    for (size_t i = 0; i < proc.sm_util.size(); ++i) {
      Put<uint64_t>(b, slot + Layout::kSlotDeviceUtil + i * Layout::kUtilStride + L::kUtilSm,
                    proc.sm_util[i]);
    }
  }
  Put<int32_t>(b, Layout::kProcNum, static_cast<int32_t>(s.procs.size()));
  Put<int32_t>(b, Layout::kUtilizationSwitch, s.utilization_switch);
  Put<int32_t>(b, Layout::kRecentKernel, s.recent_kernel);
  Put<int32_t>(b, Layout::kPriority, s.priority);
}

inline std::vector<uint8_t> BuildRegion(const RegionSpec& s) {
  namespace L = layout;
  std::vector<uint8_t> b;
  if (s.version == 0) {
    b.assign(L::V0::kSize, 0);
    Fill<L::V0>(s, &b);
    return b;
  }
  b.assign(s.extension ? L::Ext::kEnd : L::V1::kSize, 0);
  Fill<L::V1>(s, &b);
  Put<int32_t>(&b, L::V1::kMajorVersion, s.major);
  Put<int32_t>(&b, L::V1::kMinorVersion, s.minor);
  Put<int64_t>(&b, L::V1::kLastKernelTime, s.last_kernel_time);
  if (s.extension) {
    const size_t base = L::Ext::kOffset;
    Put<uint32_t>(&b, base + L::Ext::kMagicField, L::Ext::kMagic);
    Put<uint32_t>(&b, base + L::Ext::kVersionField, L::Ext::kVersion);
    Put<uint64_t>(&b, base + L::Ext::kSizeField, L::Ext::kSize);
    for (size_t i = 0; i < s.throttled_ns.size(); ++i) {
      Put<uint64_t>(&b, base + L::Ext::kLimiters + i * L::Ext::kLimiterSize +
                            L::Ext::kLimiterThrottledNs, s.throttled_ns[i]);
    }
    for (size_t i = 0; i < s.limiter_util.size(); ++i) {
      Put<uint64_t>(&b, base + L::Ext::kLimiters + i * L::Ext::kLimiterSize +
                            L::Ext::kLimiterUtilPercent, s.limiter_util[i]);
    }
    Put<uint64_t>(&b, base + L::Ext::kSlots + L::Ext::kSlotOomRefusals, s.oom_refusals);
  }
  return b;
}

inline bool WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

}  // namespace hami::monitor::testing
