#include "monitor/feedback.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "common/log.h"
#include "monitor/internal/layout.h"
#include "monitor/internal/sigbus_guard.h"

namespace hami::monitor {

void ComputeFeedback(std::vector<FeedbackEntry>* entries) {
  // active[uuid][priority] = number of active containers.
  std::map<std::string, std::map<int32_t, int>> active;
  for (FeedbackEntry& e : *entries) {
    if (e.recent_kernel <= 0) continue;
    --e.recent_kernel;
    if (e.recent_kernel <= 0 || e.priority < 0) continue;
    std::set<std::string> seen;  // a container counts once per device
    for (const std::string& uuid : e.uuids) {
      if (!uuid.empty() && seen.insert(uuid).second) ++active[uuid][e.priority];
    }
  }
  for (FeedbackEntry& e : *entries) {
    bool blocked = false;
    bool contended = false;
    for (const std::string& uuid : e.uuids) {
      auto it = active.find(uuid);
      if (it == active.end()) continue;
      for (const auto& [priority, count] : it->second) {
        if (count <= 0) continue;
        if (priority < e.priority) blocked = contended = true;
        if (priority == e.priority && count > 1) contended = true;
      }
    }
    if (blocked) {
      if (e.recent_kernel >= 0) e.recent_kernel = -1;
    } else if (e.recent_kernel < 0) {
      e.recent_kernel = 0;
    }
    e.utilization_switch = contended ? 1 : 0;
  }
}

namespace {

struct LoadArgs {
  const RegionFields* self;
  const int32_t* rk;
  const int32_t* sw;
  const int32_t* prio;
  RegionFields::Values out;
};

struct CasArgs {
  int32_t* field;
  int32_t expected;
  int32_t desired;
  bool stored;
};

struct StoreArgs {
  int32_t* field;
  int32_t value;
};

Status Truncated() { return FailedPreconditionError("region file truncated under its mapping"); }

// The accesses RunGuarded runs (see sigbus_guard.h for why they are marked).
HAMI_GUARDED_ACCESS void GuardedLoad(void* p) {
  auto* a = static_cast<LoadArgs*>(p);
  a->out.recent_kernel = __atomic_load_n(a->rk, __ATOMIC_ACQUIRE);
  a->out.utilization_switch = __atomic_load_n(a->sw, __ATOMIC_ACQUIRE);
  a->out.priority = __atomic_load_n(a->prio, __ATOMIC_ACQUIRE);
}

HAMI_GUARDED_ACCESS void GuardedCompareExchange(void* p) {
  auto* a = static_cast<CasArgs*>(p);
  int32_t e = a->expected;
  a->stored = __atomic_compare_exchange_n(a->field, &e, a->desired, false, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE);
}

HAMI_GUARDED_ACCESS void GuardedStore(void* p) {
  auto* a = static_cast<StoreArgs*>(p);
  __atomic_store_n(a->field, a->value, __ATOMIC_RELEASE);
}

}  // namespace

StatusOr<std::unique_ptr<RegionFields>> RegionFields::Open(const std::string& path) {
  namespace L = layout;
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return UnavailableError("open " + path + ": " + std::strerror(errno));
  struct stat st{};
  int32_t head[2] = {0, 0};  // magic, (v1) major version
  if (fstat(fd, &st) != 0 || pread(fd, head, sizeof(head), 0) != sizeof(head)) {
    close(fd);
    return UnavailableError("stat/read " + path + " failed");
  }
  size_t size = static_cast<size_t>(st.st_size);
  if (head[0] != L::kMagic) {
    close(fd);
    return FailedPreconditionError(path + ": not an initialized region");
  }
  size_t rk_off, sw_off, prio_off;
  if (size >= L::V1::kSize) {
    if (head[1] != 1) {
      close(fd);
      return FailedPreconditionError(path + ": unknown major version " + std::to_string(head[1]));
    }
    rk_off = L::V1::kRecentKernel;
    sw_off = L::V1::kUtilizationSwitch;
    prio_off = L::V1::kPriority;
  } else if (size >= L::V0::kSize) {
    rk_off = L::V0::kRecentKernel;
    sw_off = L::V0::kUtilizationSwitch;
    prio_off = L::V0::kPriority;
  } else {
    close(fd);
    return FailedPreconditionError(path + ": region truncated (" + std::to_string(size) + " bytes)");
  }
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t start = (sw_off / page) * page;
  const size_t end = prio_off + sizeof(int32_t);
  const size_t len = end - start;
  void* map = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, static_cast<off_t>(start));
  close(fd);
  if (map == MAP_FAILED) return UnavailableError("mmap " + path + ": " + std::strerror(errno));
  std::unique_ptr<RegionFields> fields(new RegionFields());
  auto* base = static_cast<uint8_t*>(map);
  fields->map_ = map;
  fields->map_len_ = len;
  fields->dev_ = st.st_dev;
  fields->ino_ = st.st_ino;
  fields->recent_kernel_ = reinterpret_cast<int32_t*>(base + (rk_off - start));
  fields->utilization_switch_ = reinterpret_cast<int32_t*>(base + (sw_off - start));
  fields->priority_ = reinterpret_cast<int32_t*>(base + (prio_off - start));
  return fields;
}

RegionFields::~RegionFields() {
  if (map_ != nullptr) munmap(map_, map_len_);
}

bool RegionFields::SameFile(const std::string& path) const {
  struct stat st{};
  return stat(path.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_;
}

StatusOr<RegionFields::Values> RegionFields::Load() const {
  LoadArgs args{this, recent_kernel_, utilization_switch_, priority_, {}};
  if (!internal::RunGuarded(GuardedLoad, &args)) return Truncated();
  return args.out;
}

StatusOr<bool> RegionFields::CompareExchangeRecentKernel(int32_t expected, int32_t desired) {
  CasArgs args{recent_kernel_, expected, desired, false};
  if (!internal::RunGuarded(GuardedCompareExchange, &args)) return Truncated();
  return args.stored;
}

Status RegionFields::StoreUtilizationSwitch(int32_t value) {
  StoreArgs args{utilization_switch_, value};
  return internal::RunGuarded(GuardedStore, &args) ? OkStatus() : Truncated();
}

bool FeedbackLoop::paused() const {
  return !pause_file_.empty() && access(pause_file_.c_str(), F_OK) == 0;
}

int FeedbackLoop::Tick(const std::vector<FeedbackTarget>& targets) {
  if (paused()) return 0;
  std::vector<FeedbackEntry> entries;
  std::vector<RegionFields*> fields;
  std::vector<int32_t> read_rk;
  std::set<std::string> live;
  for (const FeedbackTarget& t : targets) {
    live.insert(t.path);
    auto it = open_.find(t.path);
    if (it != open_.end() && !it->second->SameFile(t.path)) {
      open_.erase(it);
      it = open_.end();
    }
    if (it == open_.end()) {
      auto opened = RegionFields::Open(t.path);
      if (!opened.ok()) {
        log::Debug("monitor", "feedback: region skipped",
                   {{"path", t.path}, {"error", opened.status().ToString()}});
        continue;
      }
      it = open_.emplace(t.path, std::move(opened).value()).first;
    }
    auto values = it->second->Load();
    if (!values.ok()) {
      log::Warn("monitor", "feedback: region unreadable",
                {{"path", t.path}, {"error", values.status().ToString()}});
      open_.erase(it);
      continue;
    }
    entries.push_back({t.uuids, values->priority, values->recent_kernel, 0});
    fields.push_back(it->second.get());
    read_rk.push_back(values->recent_kernel);
  }
  // Forget mappings of regions that are gone.
  for (auto it = open_.begin(); it != open_.end();) {
    it = live.count(it->first) != 0 ? std::next(it) : open_.erase(it);
  }
  ComputeFeedback(&entries);
  int updated = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    bool ok = true;
    if (entries[i].recent_kernel != read_rk[i]) {
      ok = fields[i]->CompareExchangeRecentKernel(read_rk[i], entries[i].recent_kernel).ok();
    }
    ok = ok && fields[i]->StoreUtilizationSwitch(entries[i].utilization_switch).ok();
    if (ok) ++updated;
  }
  return updated;
}

}  // namespace hami::monitor
