#include "deviceplugin/plugin.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cstring>

#include "common/log.h"

namespace hami::deviceplugin {
namespace {

using Steady = std::chrono::steady_clock;
// A restarting kubelet deletes our socket and recreates kubelet.sock in quick
// succession: wait this long after the last event so one restart covers both.
constexpr std::chrono::milliseconds kSettle{150};

std::string DevicesKey(const std::vector<Replica>& replicas) {
  std::string key;
  for (const auto& r : replicas) key += r.id + (r.healthy ? "+" : "-") + std::to_string(r.numa_node) + ";";
  return key;
}

}  // namespace

Plugin::Plugin(Nvml* nvml, ClusterApi* api, PluginServer* server, PluginOptions options)
    : nvml_(nvml), api_(api), server_(server), options_(std::move(options)) {}

Status Plugin::Refresh() {
  auto gpus = nvml_->ListGpus();
  if (!gpus.ok()) {
    // NVML gone (driver unloaded, library error): nothing can be trusted.
    for (auto& g : gpus_) g.gpu.healthy = false;
    PushDevices();
    return gpus.status();
  }
  gpus_ = SelectGpus(*gpus, options_.config);
  PushDevices();
  return OkStatus();
}

void Plugin::PushDevices() {
  auto replicas = BuildReplicas(gpus_, options_.config.device_split_count);
  std::string key = DevicesKey(replicas);
  if (key != last_devices_key_) {
    log::Info("deviceplugin", "device list changed",
              {{"gpus", std::to_string(gpus_.size())}, {"devices", std::to_string(replicas.size())}});
    server_->SetDevices(std::move(replicas));
    last_devices_key_ = std::move(key);
    devices_changed_ = true;
  }
}

Status Plugin::PublishNode() {
  if (api_ == nullptr) return OkStatus();
  AnnotationPatch patch;
  std::string reg = EncodeRegistration(gpus_, options_.config);
  if (reg != last_register_) patch["hami.io/node-nvidia-register"] = reg;
  std::string score;
  if (options_.topology_score) {
    std::vector<PairScore> scores;
    for (const auto& a : gpus_) {
      PairScore s{a.gpu.uuid, {}};
      for (const auto& b : gpus_) {
        if (a.gpu.uuid == b.gpu.uuid) continue;
        auto v = nvml_->PairScore(a.gpu, b.gpu);
        s.scores.emplace_back(b.gpu.uuid, v.ok() ? *v : 0);
      }
      scores.push_back(std::move(s));
    }
    score = EncodePairScores(scores);
    if (score != last_score_) patch["hami.io/node-nvidia-score"] = score;
  }
  if (patch.empty()) return OkStatus();
  devices_changed_ = false;
  RETURN_IF_ERROR(api_->PatchNodeAnnotations(options_.node_name, patch));
  last_register_ = std::move(reg);
  if (options_.topology_score) last_score_ = std::move(score);
  log::Info("deviceplugin", "published node registration", {{"node", options_.node_name}});
  return OkStatus();
}

Status Plugin::StartAndRegister() {
  RETURN_IF_ERROR(server_->Start());
  return server_->Register();
}

Status Plugin::Run(const std::atomic<bool>& stop) {
  RETURN_IF_ERROR(Refresh());
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  std::string dir = server_->socket_path().substr(0, server_->socket_path().rfind('/'));
  if (fd < 0 || inotify_add_watch(fd, dir.c_str(), IN_CREATE | IN_DELETE | IN_MOVED_TO) < 0) {
    if (fd >= 0) ::close(fd);
    return InternalError("cannot watch " + dir + ": " + std::strerror(errno));
  }
  bool need_register = true;
  auto next_register = Steady::now();
  auto next_health = Steady::now() + options_.health_interval;
  auto next_publish = Steady::now();
  while (!stop.load()) {
    auto now = Steady::now();
    if (need_register && now >= next_register) {
      Status s = StartAndRegister();
      if (s.ok()) {
        need_register = false;
      } else {
        log::Warn("deviceplugin", "registration failed; retrying", {{"error", s.ToString()}});
        next_register = now + options_.retry_interval;
      }
    }
    if (now >= next_health) {
      if (Status s = Refresh(); !s.ok()) log::Warn("deviceplugin", "GPU discovery failed", {{"error", s.ToString()}});
      next_health = now + options_.health_interval;
      if (devices_changed_) next_publish = now;  // health changes reach the scheduler at once
    }
    if (now >= next_publish) {
      Status s = PublishNode();
      if (!s.ok()) log::Warn("deviceplugin", "node registration failed", {{"error", s.ToString()}});
      next_publish = now + (s.ok() ? options_.register_interval : options_.retry_interval);
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) > 0) {
      alignas(inotify_event) char buf[4096];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof(buf))) > 0) {
        for (char* q = buf; q < buf + n;) {
          auto* ev = reinterpret_cast<inotify_event*>(q);
          std::string name = ev->len > 0 ? ev->name : "";
          if (name == "kubelet.sock" && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
            log::Info("deviceplugin", "kubelet.sock recreated; re-registering");
            need_register = true;
            next_register = Steady::now() + kSettle;
          } else if (name == server_->socket_path().substr(dir.size() + 1) && (ev->mask & IN_DELETE) &&
                     server_->running() && ::access(server_->socket_path().c_str(), F_OK) != 0) {
            log::Info("deviceplugin", "plugin socket removed; restarting");
            need_register = true;
            next_register = Steady::now() + kSettle;
          }
          q += sizeof(inotify_event) + ev->len;
        }
      }
    }
  }
  ::close(fd);
  server_->Stop();
  log::Info("deviceplugin", "stopped");
  return OkStatus();
}

}  // namespace hami::deviceplugin
