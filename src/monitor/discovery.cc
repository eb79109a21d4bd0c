#include "monitor/discovery.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "common/log.h"

namespace hami::monitor {
namespace fs = std::filesystem;

namespace {

bool SplitName(const std::string& name, std::string* pod_uid, std::string* container) {
  auto pos = name.find('_');
  if (pos == std::string::npos || pos == 0 || pos + 1 == name.size()) return false;
  *pod_uid = name.substr(0, pos);
  *container = name.substr(pos + 1);
  return true;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

DiscoveryResult DiscoverContainers(const std::string& containers_root) {
  DiscoveryResult result;
  std::error_code ec;
  fs::directory_iterator it(containers_root, ec);
  if (ec) return result;  // no containers yet
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::error_code type_ec;
    if (!it->is_directory(type_ec) || it->is_symlink(type_ec)) continue;
    ContainerDir c;
    c.dir = it->path().string();
    if (!SplitName(it->path().filename().string(), &c.pod_uid, &c.container)) {
      result.rejected.push_back(c.dir);
      continue;
    }
    std::vector<std::string> caches;
    int hook_files = 0;
    std::error_code inner_ec;
    for (fs::directory_iterator f(c.dir, inner_ec); !inner_ec && f != fs::directory_iterator();
         f.increment(inner_ec)) {
      std::string name = f->path().filename().string();
      if (EndsWith(name, ".cache")) {
        caches.push_back(f->path().string());
        ++hook_files;
      } else if (name == "libvgpu.so") {
        ++hook_files;
      }
    }
    if (hook_files > 2) {
      result.rejected.push_back(c.dir);
      continue;
    }
    std::sort(caches.begin(), caches.end());
    if (!caches.empty()) c.region_path = caches.front();
    result.containers.push_back(std::move(c));
  }
  std::sort(result.containers.begin(), result.containers.end(),
            [](const ContainerDir& a, const ContainerDir& b) { return a.dir < b.dir; });
  std::sort(result.rejected.begin(), result.rejected.end());
  return result;
}

std::vector<std::string> CleanupStaleDirs(const std::string& containers_root,
                                          const std::set<std::string>& live_pod_uids,
                                          std::chrono::seconds grace) {
  std::vector<std::string> removed;
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(containers_root, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::error_code e;
    if (!it->is_directory(e) || it->is_symlink(e)) continue;
    std::string name = it->path().filename().string();
    std::string pod_uid, container;
    if (!SplitName(name, &pod_uid, &container)) continue;
    if (live_pod_uids.count(pod_uid) != 0) continue;
    auto mtime = fs::last_write_time(it->path(), e);
    if (e || now - mtime < grace) continue;
    fs::remove_all(it->path(), e);
    if (e) {
      log::Warn("monitor", "cannot remove stale container dir",
                {{"dir", it->path().string()}, {"error", e.message()}});
      continue;
    }
    log::Info("monitor", "removed stale container dir", {{"dir", it->path().string()}});
    removed.push_back(it->path().string());
  }
  return removed;
}

std::vector<std::string> CleanupStaleLimitFiles(const std::string& limits_root,
                                                const std::set<std::string>& live_pod_uids,
                                                std::chrono::seconds grace) {
  static constexpr std::string_view kSuffix = ".limits";
  std::vector<std::string> removed;
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(limits_root, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::error_code e;
    if (it->is_symlink(e) || !it->is_regular_file(e)) continue;
    std::string name = it->path().filename().string();
    if (!EndsWith(name, std::string(kSuffix))) continue;
    std::string pod_uid, container;
    if (!SplitName(name.substr(0, name.size() - kSuffix.size()), &pod_uid, &container)) continue;
    if (live_pod_uids.count(pod_uid) != 0) continue;
    auto mtime = fs::last_write_time(it->path(), e);
    if (e || now - mtime < grace) continue;
    fs::remove(it->path(), e);
    if (e) {
      log::Warn("monitor", "cannot remove stale limits file",
                {{"file", it->path().string()}, {"error", e.message()}});
      continue;
    }
    log::Info("monitor", "removed stale limits file", {{"file", it->path().string()}});
    removed.push_back(it->path().string());
  }
  return removed;
}

}  // namespace hami::monitor
