// Finds the per-container cache directories under
// <hook_path>/vgpu/containers/<podUID>_<container>/ and the region file of
// each (the first *.cache file by name). A directory holding more than two
// *.cache / libvgpu.so files is rejected, as HAMi's monitor does. Also removes
// directories of pods no longer on the node once older than a grace period.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

namespace hami::monitor {

struct ContainerDir {
  std::string dir;          // full path of the directory
  std::string pod_uid;
  std::string container;
  std::string region_path;  // empty when the directory holds no *.cache file yet
};

struct DiscoveryResult {
  std::vector<ContainerDir> containers;  // sorted by dir
  std::vector<std::string> rejected;     // dirs skipped (bad name, too many files)
};

// `containers_root` is <hook_path>/vgpu/containers.
DiscoveryResult DiscoverContainers(const std::string& containers_root);

// Removes container dirs whose pod UID is not in `live_pod_uids` and whose
// mtime is older than `grace`. Returns the removed paths.
std::vector<std::string> CleanupStaleDirs(const std::string& containers_root,
                                          const std::set<std::string>& live_pod_uids,
                                          std::chrono::seconds grace);

// Removes the device plugin's limits files (`<podUID>_<container>.limits`, regular files
// directly in `limits_root` = <hook_path>/vgpu/limits) whose pod UID is not in
// `live_pod_uids` and whose mtime is older than `grace`. Nothing else is touched.
// Returns the removed paths.
std::vector<std::string> CleanupStaleLimitFiles(const std::string& limits_root,
                                                const std::set<std::string>& live_pod_uids,
                                                std::chrono::seconds grace);

}  // namespace hami::monitor
