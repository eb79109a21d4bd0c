#include "deviceplugin/container_response.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

namespace hami::deviceplugin {
namespace {

std::string JoinUniqueUuids(const api::ContainerDevices& devices) {
  std::string out;
  std::vector<std::string> seen;
  for (const auto& d : devices) {
    if (std::find(seen.begin(), seen.end(), d.uuid) != seen.end()) continue;
    seen.push_back(d.uuid);
    if (!out.empty()) out += ",";
    out += d.uuid;
  }
  return out;
}

void AddMount(v1beta1::ContainerAllocateResponse* r, const std::string& ctr, const std::string& host,
              bool read_only) {
  v1beta1::Mount* m = r->add_mounts();
  m->set_container_path(ctr);
  m->set_host_path(host);
  m->set_read_only(read_only);
}

std::string CorePolicy(const ContainerAllocation&, const PluginConfig& config) {
  if (config.disable_core_limit) return "disable";
  if (config.gpu_core_policy == "force" || config.gpu_core_policy == "disable") {
    return config.gpu_core_policy;
  }
  return "";
}

}  // namespace

std::string RandomUuid() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  uint64_t hi = gen(), lo = gen();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                  // version 4
  lo = (lo & ~(0xC0ULL << 56)) | (0x80ULL << 56);      // variant 10
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xFFFF),
                static_cast<unsigned>(hi & 0xFFFF), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

std::string RenderLimitsFile(const ContainerAllocation& alloc, const PluginConfig& config,
                             const std::string& shared_region_path) {
  // Format and keys: src/vgpu/limits.h (the contract libvgpu parses).
  std::string out = "# hami vGPU limits, written by hami-device-plugin (read-only)\n";
  out += "version=1\n";
  out += "shared_region=" + shared_region_path + "\n";
  if (std::string p = CorePolicy(alloc, config); !p.empty()) out += "core_policy=" + p + "\n";
  if (!alloc.task_priority.empty()) out += "priority=" + alloc.task_priority + "\n";
  for (size_t i = 0; i < alloc.devices.size(); ++i) {
    const auto& d = alloc.devices[i];
    const std::string key = "device." + std::to_string(i) + ".";
    out += key + "uuid=" + d.uuid + "\n";
    out += key + "memory_limit_bytes=" +
           std::to_string(static_cast<uint64_t>(d.used_mem_mib) << 20) + "\n";
    out += key + "sm_limit_percent=" + std::to_string(d.used_cores) + "\n";
  }
  return out;
}

ContainerPlan PlanContainer(const ContainerAllocation& alloc, const PluginConfig& config,
                            const std::string& hook_path, const std::string& shared_cache_name) {
  ContainerPlan plan;
  const std::string vgpu = hook_path + "/vgpu";
  const std::string key = alloc.pod_uid + "_" + alloc.container_name;
  plan.container_dir = vgpu + "/containers/" + key;
  plan.limits_path = vgpu + "/limits/" + key + ".limits";
  const std::string shared_region = vgpu + "/" + shared_cache_name + ".cache";
  plan.limits_text = RenderLimitsFile(alloc, config, shared_region);

  auto& env = *plan.response.mutable_envs();
  env["NVIDIA_VISIBLE_DEVICES"] = JoinUniqueUuids(alloc.devices);
  for (size_t i = 0; i < alloc.devices.size(); ++i) {
    env["CUDA_DEVICE_MEMORY_LIMIT_" + std::to_string(i)] =
        std::to_string(alloc.devices[i].used_mem_mib) + "m";
  }
  if (!alloc.devices.empty()) {
    env["CUDA_DEVICE_SM_LIMIT"] = std::to_string(alloc.devices.front().used_cores);
  }
  env["CUDA_DEVICE_MEMORY_SHARED_CACHE"] = shared_region;
  if (config.device_memory_scaling > 1.0) env["CUDA_OVERSUBSCRIBE"] = "true";
  if (!config.lib_cuda_log_level.empty()) env["LIBCUDA_LOG_LEVEL"] = config.lib_cuda_log_level;
  if (config.disable_core_limit) env["GPU_CORE_UTILIZATION_POLICY"] = "disable";

  auto* r = &plan.response;
  AddMount(r, vgpu + "/libvgpu.so", vgpu + "/libvgpu.so", true);
  AddMount(r, vgpu, plan.container_dir, false);
  AddMount(r, "/tmp/vgpulock", "/tmp/vgpulock", false);
  if (!alloc.disable_control) AddMount(r, "/etc/ld.so.preload", vgpu + "/ld.so.preload", true);
  AddMount(r, kLimitsContainerPath, plan.limits_path, true);
  return plan;
}

Status MaterializeContainer(const ContainerPlan& plan) {
  std::error_code ec;
  namespace fs = std::filesystem;
  for (const fs::path& dir : {fs::path(plan.container_dir), fs::path(plan.limits_path).parent_path(),
                              fs::path("/tmp/vgpulock")}) {
    fs::create_directories(dir, ec);
    if (ec) return InternalError("cannot create " + dir.string() + ": " + ec.message());
  }
  // 0777 so any container user can create its shared region (umask ignored).
  ::chmod(plan.container_dir.c_str(), 0777);
  ::chmod("/tmp/vgpulock", 0777);
  const std::string tmp = plan.limits_path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return InternalError("cannot write " + tmp + ": " + std::strerror(errno));
  const char* p = plan.limits_text.data();
  size_t left = plan.limits_text.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return InternalError("cannot write " + tmp + ": " + std::strerror(err));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  ::fchmod(fd, 0444);
  ::close(fd);
  if (::rename(tmp.c_str(), plan.limits_path.c_str()) != 0) {
    return InternalError("cannot rename " + tmp + ": " + std::strerror(errno));
  }
  return OkStatus();
}

}  // namespace hami::deviceplugin
