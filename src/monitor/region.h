// Parsing of one container's shared accounting region (HAMi-core v0/v1 layout,
// plus our extension block when present) from a private copy of its bytes.
// Contract: ParseRegion never reads outside the given bytes and never trusts a
// count or string from the file; a region that cannot be read yields an error
// whose SkipReason names why (the caller counts and logs it). ReadRegionFile
// copies the file with pread (no mmap, so truncation cannot raise SIGBUS) and
// re-reads when a concurrent writer changed the header under it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hami::monitor {

enum class SkipReason {
  kNone,
  kIoError,         // could not open/read the file
  kTruncated,       // shorter than the v0 layout
  kNotInitialized,  // magic not yet written
  kBadMagic,        // not a HAMi region
  kForeignVersion,  // v1-sized but an unknown major version
  kCorrupted,       // counts or strings out of range
  kConcurrentWrite, // header kept changing while being copied
};
std::string_view SkipReasonName(SkipReason reason);

struct RegionDevice {
  std::string uuid;
  uint64_t limit_bytes = 0;        // 0 = no limit
  uint64_t sm_limit_percent = 0;   // 0 or >=100 = no cap
  uint64_t used_bytes = 0;         // sum of used[i].total over live slots
  uint64_t context_bytes = 0;
  uint64_t module_bytes = 0;
  uint64_t buffer_bytes = 0;
  uint64_t sm_util_percent = 0;    // sum of smUtil over live slots
  // From our extension block (absent for HAMi-core regions).
  std::optional<uint64_t> limiter_util_percent;
  std::optional<uint64_t> throttled_ns;
};

struct RegionSnapshot {
  int version = 1;  // 0 or 1 (HAMi-core major version)
  int minor_version = 0;
  bool has_extension = false;
  std::vector<RegionDevice> devices;
  std::vector<int32_t> host_pids;      // of live slots, when known (non-zero)
  int32_t live_processes = 0;
  int32_t utilization_switch = 0;
  int32_t recent_kernel = 0;
  int32_t priority = 0;
  int64_t last_kernel_time = 0;         // epoch seconds, v1 only
  std::optional<uint64_t> oom_refusals; // extension: allocations refused at the limit
};

struct RegionError {
  SkipReason reason = SkipReason::kNone;
  std::string message;
};

// Parses `bytes` (a whole region file). On failure fills `error` and returns nullopt.
std::optional<RegionSnapshot> ParseRegion(std::span<const uint8_t> bytes, RegionError* error);

// Reads and parses the region file at `path` (see contract above). Only the
// parts a parse needs are copied (header, slots in use, tail, extension);
// `scratch`, when given, is reused between calls to avoid a 2 MB allocation.
std::optional<RegionSnapshot> ReadRegionFile(const std::string& path, RegionError* error,
                                             std::vector<uint8_t>* scratch = nullptr);

}  // namespace hami::monitor
