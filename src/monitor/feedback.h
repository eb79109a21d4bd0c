// Priority feedback (HAMi's 5-second loop): from each container's recent
// kernel activity and task priority, decides which containers are blocked
// (recentKernel = -1) and which are throttled under contention
// (utilizationSwitch = 1). ComputeFeedback is the pure algorithm; RegionFields
// reads/writes the two fields in a region file through a guarded shared
// mapping; FeedbackLoop applies one tick to a set of region files.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace hami::monitor {

struct FeedbackEntry {
  std::vector<std::string> uuids;  // devices of the container
  int32_t priority = 0;            // 0 = highest
  int32_t recent_kernel = 0;       // in: read now; out: to store
  int32_t utilization_switch = 0;  // out: to store
};

// One tick over all containers of the node (updates entries in place):
// 1. recent_kernel > 0 is decremented; if still > 0 the container is active
//    at its priority on each of its devices (negative priorities ignored).
// 2. A container sharing a device with an active higher-priority container is
//    blocked (recent_kernel = -1 unless already negative); otherwise a blocked
//    one is released (0). utilization_switch = 1 when a higher-priority
//    container is active on a shared device or more than one container is
//    active at its own priority there; else 0.
void ComputeFeedback(std::vector<FeedbackEntry>* entries);

// The feedback fields of one region file, through a shared mapping of the
// file's tail page(s). Every access is SIGBUS-guarded; a truncated file makes
// calls fail with kDataLoss-like kFailedPrecondition, never a crash.
class RegionFields {
 public:
  struct Values {
    int32_t recent_kernel = 0;
    int32_t utilization_switch = 0;
    int32_t priority = 0;
  };
  static StatusOr<std::unique_ptr<RegionFields>> Open(const std::string& path);
  ~RegionFields();
  RegionFields(const RegionFields&) = delete;
  RegionFields& operator=(const RegionFields&) = delete;

  StatusOr<Values> Load() const;
  // Sets recent_kernel to `desired` only if it still equals `expected` (a
  // launch that raced with the tick wins). Returns whether it was stored.
  StatusOr<bool> CompareExchangeRecentKernel(int32_t expected, int32_t desired);
  Status StoreUtilizationSwitch(int32_t value);
  // Whether `path` still names the file that was mapped (not replaced).
  bool SameFile(const std::string& path) const;

 private:
  RegionFields() = default;
  void* map_ = nullptr;
  size_t map_len_ = 0;
  uint64_t dev_ = 0;
  uint64_t ino_ = 0;
  int32_t* recent_kernel_ = nullptr;
  int32_t* utilization_switch_ = nullptr;
  int32_t* priority_ = nullptr;
};

struct FeedbackTarget {
  std::string path;                // region file
  std::vector<std::string> uuids;  // its devices (from the last parse)
};

class FeedbackLoop {
 public:
  // `pause_file`: while it exists, ticks do nothing (HAMi's MIG-apply lock).
  explicit FeedbackLoop(std::string pause_file = "/tmp/hami/hami-mig-apply.lock")
      : pause_file_(std::move(pause_file)) {}
  // Runs one tick over `targets`; returns the number of regions updated.
  // Regions that cannot be mapped are skipped (logged once per path).
  int Tick(const std::vector<FeedbackTarget>& targets);
  bool paused() const;

 private:
  std::string pause_file_;
  std::map<std::string, std::unique_ptr<RegionFields>> open_;
};

}  // namespace hami::monitor
