#include "monitor/region.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <type_traits>

#include "monitor/internal/layout.h"

namespace hami::monitor {
namespace {

namespace L = layout;

// Upper bound for a believable per-process byte count (1 PiB); larger values
// mean a torn or corrupted slot, which is then ignored.
constexpr uint64_t kMaxBelievableBytes = uint64_t{1} << 50;

template <typename T>
T Load(std::span<const uint8_t> b, size_t off) {
  T v{};
  if (off + sizeof(T) <= b.size()) std::memcpy(&v, b.data() + off, sizeof(T));
  return v;
}

bool Fail(RegionError* error, SkipReason reason, std::string message) {
  if (error != nullptr) *error = {reason, std::move(message)};
  return false;
}

// Reads a NUL-terminated printable UUID from a fixed-size field.
bool ReadUuid(std::span<const uint8_t> b, size_t off, std::string* out) {
  out->clear();
  for (size_t i = 0; i < L::kUuidLen; ++i) {
    char c = static_cast<char>(b[off + i]);
    if (c == '\0') return true;
    if (c < 0x21 || c > 0x7e) return false;
    out->push_back(c);
  }
  return false;  // no terminator
}

template <typename Layout>
bool ParseCommon(std::span<const uint8_t> b, RegionSnapshot* s, RegionError* error) {
  uint64_t num = Load<uint64_t>(b, Layout::kNum);
  if (num > static_cast<uint64_t>(L::kMaxDevices)) {
    return Fail(error, SkipReason::kCorrupted, "device count " + std::to_string(num) + " > 16");
  }
  s->devices.resize(num);
  for (size_t i = 0; i < num; ++i) {
    RegionDevice& d = s->devices[i];
    if (!ReadUuid(b, Layout::kUuids + i * L::kUuidLen, &d.uuid) || d.uuid.empty()) {
      return Fail(error, SkipReason::kCorrupted, "device " + std::to_string(i) + " uuid unreadable");
    }
    d.limit_bytes = Load<uint64_t>(b, Layout::kLimit + i * 8);
    d.sm_limit_percent = Load<uint64_t>(b, Layout::kSmLimit + i * 8);
  }
  int32_t procnum = std::clamp(Load<int32_t>(b, Layout::kProcNum), 0, L::kMaxProcs);
  for (int32_t p = 0; p < procnum; ++p) {
    const size_t slot = Layout::kProcs + static_cast<size_t>(p) * Layout::kSlotSize;
    if (Load<int32_t>(b, slot + Layout::kSlotStatus) == 0) continue;
    if (Load<int32_t>(b, slot + Layout::kSlotPid) == 0) continue;
    // A torn or corrupted slot (absurd byte counts) is left out as a whole.
    bool believable = true;
    for (size_t i = 0; i < num && believable; ++i) {
      const size_t mem = slot + Layout::kSlotUsed + i * Layout::kMemStride;
      believable = Load<uint64_t>(b, mem + L::kMemTotal) < kMaxBelievableBytes;
    }
    if (!believable) continue;
    ++s->live_processes;
    int32_t host_pid = Load<int32_t>(b, slot + Layout::kSlotHostPid);
    if (host_pid > 0) s->host_pids.push_back(host_pid);
    for (size_t i = 0; i < num; ++i) {
      RegionDevice& d = s->devices[i];
      const size_t mem = slot + Layout::kSlotUsed + i * Layout::kMemStride;
      d.context_bytes += Load<uint64_t>(b, mem + L::kMemContext);
      d.module_bytes += Load<uint64_t>(b, mem + L::kMemModule);
      d.buffer_bytes += Load<uint64_t>(b, mem + L::kMemBuffer);
      d.used_bytes += Load<uint64_t>(b, mem + L::kMemTotal);
      uint64_t sm = Load<uint64_t>(b, slot + Layout::kSlotDeviceUtil + i * Layout::kUtilStride +
                                          L::kUtilSm);
      if (sm <= 100) d.sm_util_percent += sm;
    }
  }
  s->utilization_switch = Load<int32_t>(b, Layout::kUtilizationSwitch);
  s->recent_kernel = Load<int32_t>(b, Layout::kRecentKernel);
  s->priority = Load<int32_t>(b, Layout::kPriority);
  return true;
}

void ParseExtension(std::span<const uint8_t> b, RegionSnapshot* s) {
  if (b.size() < L::Ext::kEnd) return;
  const size_t base = L::Ext::kOffset;
  if (Load<uint32_t>(b, base + L::Ext::kMagicField) != L::Ext::kMagic) return;
  if (Load<uint32_t>(b, base + L::Ext::kVersionField) != L::Ext::kVersion) return;
  if (Load<uint64_t>(b, base + L::Ext::kSizeField) < L::Ext::kSize) return;
  s->has_extension = true;
  for (size_t i = 0; i < s->devices.size(); ++i) {
    const size_t lim = base + L::Ext::kLimiters + i * L::Ext::kLimiterSize;
    s->devices[i].limiter_util_percent = Load<uint64_t>(b, lim + L::Ext::kLimiterUtilPercent);
    s->devices[i].throttled_ns = Load<uint64_t>(b, lim + L::Ext::kLimiterThrottledNs);
  }
  uint64_t refusals = 0;
  for (int p = 0; p < L::kMaxProcs; ++p) {
    refusals += Load<uint64_t>(
        b, base + L::Ext::kSlots + static_cast<size_t>(p) * L::Ext::kSlotSize +
               L::Ext::kSlotOomRefusals);
  }
  s->oom_refusals = refusals;
}

}  // namespace

std::string_view SkipReasonName(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNone: return "none";
    case SkipReason::kIoError: return "io_error";
    case SkipReason::kTruncated: return "truncated";
    case SkipReason::kNotInitialized: return "not_initialized";
    case SkipReason::kBadMagic: return "bad_magic";
    case SkipReason::kForeignVersion: return "foreign_version";
    case SkipReason::kCorrupted: return "corrupted";
    case SkipReason::kConcurrentWrite: return "concurrent_write";
  }
  return "unknown";
}

std::optional<RegionSnapshot> ParseRegion(std::span<const uint8_t> b, RegionError* error) {
  if (b.size() < L::V0::kSize) {
    Fail(error, SkipReason::kTruncated,
         "region is " + std::to_string(b.size()) + " bytes, below the v0 size");
    return std::nullopt;
  }
  int32_t magic = Load<int32_t>(b, 0);
  if (magic != L::kMagic) {
    Fail(error, magic == 0 ? SkipReason::kNotInitialized : SkipReason::kBadMagic,
         "magic " + std::to_string(magic) + " is not " + std::to_string(L::kMagic));
    return std::nullopt;
  }
  RegionSnapshot s;
  if (b.size() < L::V1::kSize) {
    s.version = 0;
    if (!ParseCommon<L::V0>(b, &s, error)) return std::nullopt;
    return s;
  }
  int32_t major = Load<int32_t>(b, L::V1::kMajorVersion);
  if (major != 1) {
    Fail(error, SkipReason::kForeignVersion, "major version " + std::to_string(major));
    return std::nullopt;
  }
  s.version = 1;
  s.minor_version = Load<int32_t>(b, L::V1::kMinorVersion);
  if (!ParseCommon<L::V1>(b, &s, error)) return std::nullopt;
  s.last_kernel_time = Load<int64_t>(b, L::V1::kLastKernelTime);
  ParseExtension(b, &s);
  return s;
}

namespace {

// Reads [off, off+len) into buf (already sized); false on error or short read.
bool ReadAt(int fd, uint8_t* buf, size_t off, size_t len, std::string* why) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = pread(fd, buf + off + got, len - got, static_cast<off_t>(off + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *why = std::strerror(errno);
      return false;
    }
    if (n == 0) {
      *why = "file shrank while being read";
      return false;
    }
    got += static_cast<size_t>(n);
  }
  return true;
}

// Copies the parts of the region a parse reads: the header, the slots in use
// (procnum is read first and the buffer holds that value), the tail fields
// and our extension block. Bytes of unused slots are left as they were in
// `buf`, which ParseRegion never reads. Returns false (with `why`) on I/O
// error or truncation during the copy.
template <typename Layout>
bool CopyUsedParts(int fd, size_t size, std::vector<uint8_t>* buf, std::string* why) {
  uint8_t* b = buf->data();
  (void)size;
  const size_t tail_end = std::is_same_v<Layout, L::V1> ? L::V1::kSize : L::V0::kSize;
  if (!ReadAt(fd, b, Layout::kProcNum, tail_end - Layout::kProcNum, why)) return false;
  int32_t procnum = 0;
  std::memcpy(&procnum, b + Layout::kProcNum, sizeof(procnum));
  procnum = std::clamp(procnum, 0, L::kMaxProcs);
  const size_t head_len = Layout::kProcs + static_cast<size_t>(procnum) * Layout::kSlotSize;
  if (!ReadAt(fd, b, 0, head_len, why)) return false;
  if (size >= L::Ext::kEnd && !ReadAt(fd, b, L::Ext::kOffset, L::Ext::kSize, why)) return false;
  return true;
}

}  // namespace

std::optional<RegionSnapshot> ReadRegionFile(const std::string& path, RegionError* error,
                                             std::vector<uint8_t>* scratch) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    Fail(error, SkipReason::kIoError, "open " + path + ": " + std::strerror(errno));
    return std::nullopt;
  }
  std::vector<uint8_t> local;
  std::vector<uint8_t>& buf = scratch != nullptr ? *scratch : local;
  std::optional<RegionSnapshot> result;
  constexpr int kAttempts = 3;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    struct stat st{};
    if (fstat(fd, &st) != 0) {
      Fail(error, SkipReason::kIoError, "stat " + path + ": " + std::strerror(errno));
      break;
    }
    // Never look past the largest layout we understand.
    const size_t size =
        std::min<size_t>(static_cast<size_t>(std::max<off_t>(st.st_size, 0)), L::Ext::kEnd);
    if (size < L::V0::kSize) {
      Fail(error, SkipReason::kTruncated,
           path + " is " + std::to_string(size) + " bytes, below the v0 size");
      break;
    }
    if (buf.size() < size) buf.resize(size);
    std::string why;
    bool copied = size >= L::V1::kSize ? CopyUsedParts<L::V1>(fd, size, &buf, &why)
                                       : CopyUsedParts<L::V0>(fd, size, &buf, &why);
    if (!copied) {
      if (attempt + 1 == kAttempts) {
        Fail(error, SkipReason::kConcurrentWrite, "read " + path + ": " + why);
      }
      continue;  // truncated or rewritten meanwhile: try again
    }
    // Re-read the header: if a writer changed it meanwhile, the copy may mix
    // two states; try again a few times.
    uint8_t header[L::V1::kProcs];
    const size_t header_len = size >= L::V1::kSize ? L::V1::kProcs : L::V0::kProcs;
    if (pread(fd, header, header_len, 0) == static_cast<ssize_t>(header_len) &&
        std::memcmp(header, buf.data(), header_len) == 0) {
      result = ParseRegion(std::span<const uint8_t>(buf.data(), size), error);
      break;
    }
    if (attempt + 1 == kAttempts) {
      Fail(error, SkipReason::kConcurrentWrite,
           path + ": header changed during " + std::to_string(kAttempts) + " copies");
    }
  }
  close(fd);
  return result;
}

}  // namespace hami::monitor
