#include "monitor/nvml.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <map>

#include <nvml.h>

namespace hami::monitor {
namespace {

using InitFn = nvmlReturn_t (*)();
using CountFn = nvmlReturn_t (*)(unsigned int*);
using HandleFn = nvmlReturn_t (*)(unsigned int, nvmlDevice_t*);
using StringFn = nvmlReturn_t (*)(nvmlDevice_t, char*, unsigned int);
using MemoryFn = nvmlReturn_t (*)(nvmlDevice_t, nvmlMemory_t*);
using UtilFn = nvmlReturn_t (*)(nvmlDevice_t, nvmlUtilization_t*);
using ProcsFn = nvmlReturn_t (*)(nvmlDevice_t, unsigned int*, nvmlProcessInfo_t*);
using ProcUtilFn = nvmlReturn_t (*)(nvmlDevice_t, nvmlProcessUtilizationSample_t*, unsigned int*,
                                    unsigned long long);
using ErrorStringFn = const char* (*)(nvmlReturn_t);

class DlopenNvml final : public Nvml {
 public:
  ~DlopenNvml() override {
    if (initialized_ && shutdown_ != nullptr) shutdown_();
    if (handle_ != nullptr) dlclose(handle_);
  }

  Status Load(const std::string& library) {
    handle_ = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) {
      const char* why = dlerror();
      return UnavailableError("dlopen " + library + ": " + (why ? why : "unknown error"));
    }
    init_ = Sym<InitFn>("nvmlInit_v2");
    shutdown_ = Sym<InitFn>("nvmlShutdown");
    count_ = Sym<CountFn>("nvmlDeviceGetCount_v2");
    handle_by_index_ = Sym<HandleFn>("nvmlDeviceGetHandleByIndex_v2");
    uuid_ = Sym<StringFn>("nvmlDeviceGetUUID");
    name_ = Sym<StringFn>("nvmlDeviceGetName");
    memory_ = Sym<MemoryFn>("nvmlDeviceGetMemoryInfo");
    util_ = Sym<UtilFn>("nvmlDeviceGetUtilizationRates");
    procs_ = Sym<ProcsFn>("nvmlDeviceGetComputeRunningProcesses_v3");
    if (procs_ == nullptr) procs_ = Sym<ProcsFn>("nvmlDeviceGetComputeRunningProcesses_v2");
    error_string_ = Sym<ErrorStringFn>("nvmlErrorString");
    proc_util_ = Sym<ProcUtilFn>("nvmlDeviceGetProcessUtilization");
    if (!init_ || !count_ || !handle_by_index_ || !uuid_ || !memory_) {
      return UnavailableError(library + " lacks a required NVML entry point");
    }
    nvmlReturn_t rc = init_();
    if (rc != NVML_SUCCESS) return UnavailableError("nvmlInit_v2: " + ErrorText(rc));
    initialized_ = true;
    return OkStatus();
  }

  StatusOr<std::vector<NvmlDevice>> Devices() override {
    unsigned int count = 0;
    nvmlReturn_t rc = count_(&count);
    if (rc != NVML_SUCCESS) return UnavailableError("nvmlDeviceGetCount: " + ErrorText(rc));
    std::vector<NvmlDevice> out;
    for (unsigned int i = 0; i < count && i < 64; ++i) {
      nvmlDevice_t dev{};
      if (handle_by_index_(i, &dev) != NVML_SUCCESS) continue;
      NvmlDevice d;
      d.index = static_cast<int>(i);
      char buf[256] = {};
      if (uuid_(dev, buf, sizeof(buf) - 1) != NVML_SUCCESS) continue;
      d.uuid = buf;
      std::fill(std::begin(buf), std::end(buf), '\0');
      if (name_ != nullptr && name_(dev, buf, sizeof(buf) - 1) == NVML_SUCCESS) d.name = buf;
      nvmlMemory_t mem{};
      if (memory_(dev, &mem) == NVML_SUCCESS) {
        d.memory_total_bytes = mem.total;
        d.memory_used_bytes = mem.used;
      }
      nvmlUtilization_t util{};
      if (util_ != nullptr && util_(dev, &util) == NVML_SUCCESS) {
        d.gpu_util_percent = util.gpu;
        d.memory_util_percent = util.memory;
      }
      if (procs_ != nullptr) {
        std::vector<nvmlProcessInfo_t> infos(64);
        unsigned int n = static_cast<unsigned int>(infos.size());
        nvmlReturn_t prc = procs_(dev, &n, infos.data());
        if (prc == NVML_ERROR_INSUFFICIENT_SIZE && n > infos.size() && n < 65536) {
          infos.resize(n);
          prc = procs_(dev, &n, infos.data());
        }
        if (prc == NVML_SUCCESS) {
          std::vector<NvmlProcess> procs;
          for (unsigned int k = 0; k < n && k < infos.size(); ++k) {
            uint64_t used = infos[k].usedGpuMemory;
            if (used == static_cast<uint64_t>(NVML_VALUE_NOT_AVAILABLE)) used = 0;
            procs.push_back({infos[k].pid, used});
          }
          d.processes = std::move(procs);
        }
      }
      if (proc_util_ != nullptr) d.process_util = ProcessUtil(dev);
      out.push_back(std::move(d));
    }
    return out;
  }

 private:
  // Latest SM sample per pid from the last 5 s; nullopt if the call fails.
  std::optional<std::vector<NvmlProcessUtil>> ProcessUtil(nvmlDevice_t dev) {
    using namespace std::chrono;
    const unsigned long long since = static_cast<unsigned long long>(
        duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() - 5000000);
    unsigned int n = 0;
    nvmlReturn_t rc = proc_util_(dev, nullptr, &n, since);
    if (rc == NVML_ERROR_NOT_FOUND) return std::vector<NvmlProcessUtil>{};  // no samples
    if (rc != NVML_SUCCESS && rc != NVML_ERROR_INSUFFICIENT_SIZE) return std::nullopt;
    if (n == 0) return std::vector<NvmlProcessUtil>{};
    n = std::min(n, 4096u);
    std::vector<nvmlProcessUtilizationSample_t> samples(n);
    rc = proc_util_(dev, samples.data(), &n, since);
    if (rc == NVML_ERROR_NOT_FOUND) return std::vector<NvmlProcessUtil>{};
    if (rc != NVML_SUCCESS) return std::nullopt;
    std::map<uint32_t, std::pair<unsigned long long, uint32_t>> latest;  // pid -> (ts, sm)
    for (unsigned int i = 0; i < n && i < samples.size(); ++i) {
      auto& slot = latest[samples[i].pid];
      if (samples[i].timeStamp >= slot.first) slot = {samples[i].timeStamp, samples[i].smUtil};
    }
    std::vector<NvmlProcessUtil> out;
    for (const auto& [pid, v] : latest) out.push_back({pid, std::min(v.second, 100u)});
    return out;
  }

  template <typename F>
  F Sym(const char* name) {
    return reinterpret_cast<F>(dlsym(handle_, name));
  }
  std::string ErrorText(nvmlReturn_t rc) {
    if (error_string_ != nullptr) return error_string_(rc);
    return "NVML error " + std::to_string(static_cast<int>(rc));
  }

  void* handle_ = nullptr;
  bool initialized_ = false;
  InitFn init_ = nullptr, shutdown_ = nullptr;
  CountFn count_ = nullptr;
  HandleFn handle_by_index_ = nullptr;
  StringFn uuid_ = nullptr, name_ = nullptr;
  MemoryFn memory_ = nullptr;
  UtilFn util_ = nullptr;
  ProcsFn procs_ = nullptr;
  ErrorStringFn error_string_ = nullptr;
  ProcUtilFn proc_util_ = nullptr;
};

}  // namespace

StatusOr<std::unique_ptr<Nvml>> OpenNvml(const std::string& library) {
  auto nvml = std::make_unique<DlopenNvml>();
  RETURN_IF_ERROR(nvml->Load(library));
  return std::unique_ptr<Nvml>(std::move(nvml));
}

}  // namespace hami::monitor
