// Byte offsets of the shared-region layouts the monitor reads: HAMi-core v0
// and v1 (see docs/monitoring.md) and our extension block after v1
// (src/vgpu/shared_region.h; region_layout_test checks the two agree).
#pragma once

#include <cstddef>
#include <cstdint>

namespace hami::monitor::layout {

inline constexpr int32_t kMagic = 19920718;
inline constexpr int kMaxDevices = 16;
inline constexpr int kMaxProcs = 1024;
inline constexpr size_t kUuidLen = 96;

struct V1 {
  static constexpr size_t kSize = 2008952;
  static constexpr size_t kInitializedFlag = 0;
  static constexpr size_t kMajorVersion = 4;
  static constexpr size_t kMinorVersion = 8;
  static constexpr size_t kNum = 56;
  static constexpr size_t kUuids = 64;
  static constexpr size_t kLimit = 1600;
  static constexpr size_t kSmLimit = 1728;
  static constexpr size_t kProcs = 1856;
  static constexpr size_t kSlotSize = 1960;
  static constexpr size_t kSlotPid = 0;
  static constexpr size_t kSlotHostPid = 4;
  static constexpr size_t kSlotUsed = 8;
  static constexpr size_t kMemStride = 64;  // context, module, buffer, offset, total, 3 reserved
  static constexpr size_t kSlotDeviceUtil = 1160;
  static constexpr size_t kUtilStride = 48;  // dec, enc, sm, 3 reserved
  static constexpr size_t kSlotStatus = 1928;
  static constexpr size_t kProcNum = 2008896;
  static constexpr size_t kUtilizationSwitch = 2008900;
  static constexpr size_t kRecentKernel = 2008904;
  static constexpr size_t kPriority = 2008908;
  static constexpr size_t kLastKernelTime = 2008912;
};

struct V0 {
  static constexpr size_t kSize = 1197896;
  static constexpr size_t kInitializedFlag = 0;
  static constexpr size_t kNum = 48;
  static constexpr size_t kUuids = 56;
  static constexpr size_t kLimit = 1592;
  static constexpr size_t kSmLimit = 1720;
  static constexpr size_t kProcs = 1848;
  static constexpr size_t kSlotSize = 1168;
  static constexpr size_t kSlotPid = 0;
  static constexpr size_t kSlotHostPid = 4;
  static constexpr size_t kSlotUsed = 8;
  static constexpr size_t kMemStride = 40;  // context, module, buffer, offset, total
  static constexpr size_t kSlotDeviceUtil = 776;
  static constexpr size_t kUtilStride = 24;  // dec, enc, sm
  static constexpr size_t kSlotStatus = 1160;
  static constexpr size_t kProcNum = 1197880;
  static constexpr size_t kUtilizationSwitch = 1197884;
  static constexpr size_t kRecentKernel = 1197888;
  static constexpr size_t kPriority = 1197892;
};

// Memory record fields (both layouts).
inline constexpr size_t kMemContext = 0;
inline constexpr size_t kMemModule = 8;
inline constexpr size_t kMemBuffer = 16;
inline constexpr size_t kMemTotal = 32;
inline constexpr size_t kUtilSm = 16;

// Our extension block (only in files of at least kExtEnd bytes).
struct Ext {
  static constexpr size_t kOffset = 2008960;
  static constexpr uint32_t kMagic = 0x58494d48u;  // "HMIX"
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMagicField = 0;
  static constexpr size_t kVersionField = 4;
  static constexpr size_t kSizeField = 8;
  static constexpr size_t kLimiters = 80;
  static constexpr size_t kLimiterSize = 128;
  static constexpr size_t kLimiterUtilPercent = 48;
  static constexpr size_t kLimiterThrottledNs = 56;
  static constexpr size_t kSlots = kLimiters + kMaxDevices * kLimiterSize;  // 2128
  static constexpr size_t kSlotSize = 32;
  static constexpr size_t kSlotOomRefusals = 16;
  static constexpr size_t kSize = kSlots + kMaxProcs * kSlotSize;  // 34896
  static constexpr size_t kEnd = kOffset + kSize;
};

}  // namespace hami::monitor::layout
