// Nvml bound to libnvidia-ml.so through dlopen/dlsym. Only nvmlInit_v2,
// nvmlDeviceGetCount_v2, nvmlDeviceGetHandleByIndex_v2 and nvmlDeviceGetUUID are
// required; every other symbol is optional and degrades gracefully.
#include <dlfcn.h>
#include <nvml.h>

#include <fstream>
#include <mutex>
#include <set>

#include "common/log.h"
#include "deviceplugin/gpu_discovery.h"

namespace hami::deviceplugin {
namespace {

template <typename Fn>
Fn* Sym(void* lib, const char* name) {
  return reinterpret_cast<Fn*>(dlsym(lib, name));
}

// Xids that are application errors, not device faults (reference 8.1).
bool IsIgnoredXid(unsigned long long xid) {
  static const std::set<unsigned long long> kIgnored = {13, 31, 43, 45, 68, 109};
  return kIgnored.contains(xid);
}

int32_t NumaFromSysfs(const std::string& bus_id) {
  std::string lower;
  for (char c : bus_id) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // NVML reports an 8-digit domain ("00000000:07:00.0"); sysfs uses 4.
  if (lower.size() > 12 && lower.find(':') == 8) lower = lower.substr(4);
  std::ifstream in("/sys/bus/pci/devices/" + lower + "/numa_node");
  int value = -1;
  if (in >> value && value >= 0) return value;
  return 0;
}

class DlopenNvml final : public Nvml {
 public:
  explicit DlopenNvml(void* lib) : lib_(lib) {
    init_ = Sym<decltype(nvmlInit_v2)>(lib, "nvmlInit_v2");
    count_ = Sym<decltype(nvmlDeviceGetCount_v2)>(lib, "nvmlDeviceGetCount_v2");
    handle_ = Sym<decltype(nvmlDeviceGetHandleByIndex_v2)>(lib, "nvmlDeviceGetHandleByIndex_v2");
    uuid_ = Sym<decltype(nvmlDeviceGetUUID)>(lib, "nvmlDeviceGetUUID");
    name_ = Sym<decltype(nvmlDeviceGetName)>(lib, "nvmlDeviceGetName");
    memory_ = Sym<decltype(nvmlDeviceGetMemoryInfo)>(lib, "nvmlDeviceGetMemoryInfo");
    pci_ = Sym<decltype(nvmlDeviceGetPciInfo_v3)>(lib, "nvmlDeviceGetPciInfo_v3");
    numa_ = Sym<decltype(nvmlDeviceGetNumaNodeId)>(lib, "nvmlDeviceGetNumaNodeId");
    driver_ = Sym<decltype(nvmlSystemGetDriverVersion)>(lib, "nvmlSystemGetDriverVersion");
    ancestor_ = Sym<decltype(nvmlDeviceGetTopologyCommonAncestor)>(
        lib, "nvmlDeviceGetTopologyCommonAncestor");
    link_state_ = Sym<decltype(nvmlDeviceGetNvLinkState)>(lib, "nvmlDeviceGetNvLinkState");
    link_pci_ = Sym<decltype(nvmlDeviceGetNvLinkRemotePciInfo_v2)>(
        lib, "nvmlDeviceGetNvLinkRemotePciInfo_v2");
    event_create_ = Sym<decltype(nvmlEventSetCreate)>(lib, "nvmlEventSetCreate");
    event_register_ = Sym<decltype(nvmlDeviceRegisterEvents)>(lib, "nvmlDeviceRegisterEvents");
    event_wait_ = Sym<decltype(nvmlEventSetWait_v2)>(lib, "nvmlEventSetWait_v2");
  }
  ~DlopenNvml() override { dlclose(lib_); }

  Status Init() {
    if (init_ == nullptr || count_ == nullptr || handle_ == nullptr || uuid_ == nullptr) {
      return FailedPreconditionError("NVML library lacks nvmlInit_v2/nvmlDeviceGetCount_v2/"
                                     "nvmlDeviceGetHandleByIndex_v2/nvmlDeviceGetUUID");
    }
    if (nvmlReturn_t rc = init_(); rc != NVML_SUCCESS) {
      return UnavailableError("nvmlInit_v2 failed: code " + std::to_string(rc));
    }
    if (event_create_ != nullptr && event_create_(&events_) != NVML_SUCCESS) events_ = nullptr;
    return OkStatus();
  }

  StatusOr<std::vector<GpuInfo>> ListGpus() override {
    std::lock_guard lock(mu_);
    unsigned int n = 0;
    if (nvmlReturn_t rc = count_(&n); rc != NVML_SUCCESS) {
      return UnavailableError("nvmlDeviceGetCount_v2 failed: code " + std::to_string(rc));
    }
    DrainXidEvents();
    std::vector<GpuInfo> gpus;
    for (unsigned int i = 0; i < n; ++i) {
      nvmlDevice_t dev{};
      if (handle_(i, &dev) != NVML_SUCCESS) continue;
      char buf[NVML_DEVICE_NAME_V2_BUFFER_SIZE + NVML_DEVICE_UUID_V2_BUFFER_SIZE] = {};
      if (uuid_(dev, buf, sizeof(buf)) != NVML_SUCCESS) continue;
      GpuInfo g;
      g.index = static_cast<int32_t>(i);
      g.uuid = buf;
      if (name_ != nullptr && name_(dev, buf, sizeof(buf)) == NVML_SUCCESS) g.name = buf;
      nvmlMemory_t mem{};
      if (memory_ != nullptr) {
        nvmlReturn_t rc = memory_(dev, &mem);
        if (rc == NVML_SUCCESS) {
          g.memory_mib = static_cast<int64_t>(mem.total / (1024 * 1024));
        } else if (rc != NVML_ERROR_NOT_SUPPORTED) {
          g.healthy = false;  // a GPU that stops answering is unhealthy
        }
      }
      nvmlPciInfo_t pci{};
      if (pci_ != nullptr && pci_(dev, &pci) == NVML_SUCCESS) g.pci_bus_id = pci.busId;
      unsigned int numa = 0;
      if (numa_ != nullptr && numa_(dev, &numa) == NVML_SUCCESS) {
        g.numa_node = static_cast<int32_t>(numa);
      } else if (!g.pci_bus_id.empty()) {
        g.numa_node = NumaFromSysfs(g.pci_bus_id);
      }
      if (xid_failed_.contains(g.uuid)) g.healthy = false;
      RegisterEvents(dev, g.uuid);
      gpus.push_back(std::move(g));
    }
    return gpus;
  }

  StatusOr<int32_t> PairScore(const GpuInfo& a, const GpuInfo& b) override {
    std::lock_guard lock(mu_);
    nvmlDevice_t da{}, db{};
    if (handle_(static_cast<unsigned>(a.index), &da) != NVML_SUCCESS ||
        handle_(static_cast<unsigned>(b.index), &db) != NVML_SUCCESS) {
      return NotFoundError("no NVML handle for GPU pair " + a.uuid + "/" + b.uuid);
    }
    int32_t ab = NvlinksTo(da, b.pci_bus_id);
    int32_t ba = NvlinksTo(db, a.pci_bus_id);
    if (ab != ba) return 0;  // asymmetric links score 0 (reference 4.6)
    if (ab > 0) return 100 * ab;
    if (ancestor_ != nullptr) {
      nvmlGpuTopologyLevel_t level{};
      if (ancestor_(da, db, &level) == NVML_SUCCESS) {
        switch (level) {
          case NVML_TOPOLOGY_INTERNAL: return 60;
          case NVML_TOPOLOGY_SINGLE: return 50;
          case NVML_TOPOLOGY_MULTIPLE: return 40;
          case NVML_TOPOLOGY_HOSTBRIDGE: return 30;
          case NVML_TOPOLOGY_NODE: return 20;
          default: return 10;
        }
      }
    }
    return a.numa_node == b.numa_node ? 20 : 10;
  }

  std::string DriverVersion() override {
    char buf[NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE] = {};
    if (driver_ != nullptr && driver_(buf, sizeof(buf)) == NVML_SUCCESS) return buf;
    return "";
  }

 private:
  int32_t NvlinksTo(nvmlDevice_t dev, const std::string& peer_bus) {
    if (link_state_ == nullptr || link_pci_ == nullptr || peer_bus.empty()) return 0;
    int32_t links = 0;
    for (unsigned int l = 0; l < NVML_NVLINK_MAX_LINKS; ++l) {
      nvmlEnableState_t active{};
      if (link_state_(dev, l, &active) != NVML_SUCCESS || active != NVML_FEATURE_ENABLED) continue;
      nvmlPciInfo_t pci{};
      if (link_pci_(dev, l, &pci) == NVML_SUCCESS && peer_bus == pci.busId) ++links;
    }
    return links;
  }

  void RegisterEvents(nvmlDevice_t dev, const std::string& uuid) {
    if (events_ == nullptr || event_register_ == nullptr || registered_.contains(uuid)) return;
    registered_.insert(uuid);
    if (event_register_(dev, nvmlEventTypeXidCriticalError, events_) != NVML_SUCCESS) {
      log::Debug("deviceplugin", "Xid events unsupported", {{"uuid", uuid}});
    }
  }

  void DrainXidEvents() {
    if (events_ == nullptr || event_wait_ == nullptr || uuid_ == nullptr) return;
    for (int i = 0; i < 64; ++i) {
      nvmlEventData_t data{};
      if (event_wait_(events_, &data, 0) != NVML_SUCCESS) return;
      if (data.eventType != nvmlEventTypeXidCriticalError || IsIgnoredXid(data.eventData)) continue;
      char buf[NVML_DEVICE_UUID_V2_BUFFER_SIZE] = {};
      if (uuid_(data.device, buf, sizeof(buf)) != NVML_SUCCESS) continue;
      log::Warn("deviceplugin", "critical Xid: marking GPU unhealthy",
                {{"uuid", buf}, {"xid", std::to_string(data.eventData)}});
      xid_failed_.insert(buf);
    }
  }

  void* lib_;
  std::mutex mu_;
  nvmlEventSet_t events_ = nullptr;
  std::set<std::string> registered_;
  std::set<std::string> xid_failed_;
  decltype(nvmlInit_v2)* init_;
  decltype(nvmlDeviceGetCount_v2)* count_;
  decltype(nvmlDeviceGetHandleByIndex_v2)* handle_;
  decltype(nvmlDeviceGetUUID)* uuid_;
  decltype(nvmlDeviceGetName)* name_;
  decltype(nvmlDeviceGetMemoryInfo)* memory_;
  decltype(nvmlDeviceGetPciInfo_v3)* pci_;
  decltype(nvmlDeviceGetNumaNodeId)* numa_;
  decltype(nvmlSystemGetDriverVersion)* driver_;
  decltype(nvmlDeviceGetTopologyCommonAncestor)* ancestor_;
  decltype(nvmlDeviceGetNvLinkState)* link_state_;
  decltype(nvmlDeviceGetNvLinkRemotePciInfo_v2)* link_pci_;
  decltype(nvmlEventSetCreate)* event_create_;
  decltype(nvmlDeviceRegisterEvents)* event_register_;
  decltype(nvmlEventSetWait_v2)* event_wait_;
};

}  // namespace

StatusOr<std::unique_ptr<Nvml>> LoadNvml(const std::string& library_path) {
  void* lib = dlopen(library_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* err = dlerror();
    return FailedPreconditionError("cannot load NVML library " + library_path + ": " +
                                   (err != nullptr ? err : "unknown error"));
  }
  auto nvml = std::make_unique<DlopenNvml>(lib);
  RETURN_IF_ERROR(nvml->Init());
  return std::unique_ptr<Nvml>(std::move(nvml));
}

}  // namespace hami::deviceplugin
