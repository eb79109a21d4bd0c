#include "k8s/node_lock.h"

#include <random>
#include <thread>

#include "api/node_lock.h"
#include "common/log.h"

namespace hami::k8s {
namespace {

bool EndsWithOwner(const std::string& value, std::string_view ns, std::string_view name) {
  std::string suffix = "," + std::string(ns) + "," + std::string(name);
  return value.size() >= suffix.size() && value.compare(value.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

NodeLocker::NodeLocker(Client* client, const Clock* clock, NodeLockOptions options)
    : client_(client), clock_(clock), options_(options) {}

std::mutex& NodeLocker::NodeMutex(std::string_view node) {
  std::lock_guard<std::mutex> lock(map_mu_);
  auto& slot = node_mu_[std::string(node)];
  if (!slot) slot = std::make_unique<std::mutex>();
  return *slot;
}

namespace {
Status Contention(std::string_view node, std::chrono::seconds expiry) {
  return ResourceExhaustedError("node " + std::string(node) + " has been locked within " +
                                std::to_string(expiry.count() / 60) + "m" + std::to_string(expiry.count() % 60) +
                                "s: node lock contention");
}
}  // namespace

Status NodeLocker::TryLockOnce(std::string_view node, std::string_view pod_ns, std::string_view pod_name,
                               bool from_cache) {
  std::shared_ptr<const Json> cached;
  if (from_cache && options_.cached_node) cached = options_.cached_node(node);
  Json current;
  if (cached != nullptr) {
    current = *cached;
  } else {
    ASSIGN_OR_RETURN(current, client_->Get(kNodes, "", node));
  }
  std::string value = Annotation(current, kNodeLockAnnotation);
  std::string rv = ResourceVersion(current);
  if (!value.empty()) {
    if (EndsWithOwner(value, pod_ns, pod_name)) return OkStatus();  // re-entrant
    bool take_over = false;
    auto parsed = api::DecodeNodeLock(value);
    if (!parsed.ok()) {
      log::Warn("nodelock", "garbage lock value, taking over", {{"node", std::string(node)}, {"value", value}});
      take_over = true;
    } else if (clock_->Now() - parsed->time > options_.expiry) {
      log::Info("nodelock", "lock expired, taking over", {{"node", std::string(node)}, {"value", value}});
      take_over = true;
    } else if (!parsed->legacy()) {
      auto owner = client_->Get(kPods, parsed->pod_namespace, parsed->pod_name);
      bool gone = !owner.ok() && owner.status().code() == StatusCode::kNotFound;
      std::string why;
      if (gone || owner.ok()) {
        std::optional<Json> owner_pod;
        if (owner.ok()) owner_pod = std::move(owner).value();
        if (options_.judge) {
          why = options_.judge(node, *parsed, owner_pod);
        } else if (gone) {
          why = "owner pod not found";
        }
      }  // other read errors: treat the lock as live
      if (!why.empty()) {
        log::Info("nodelock", "stale lock, taking over",
                  {{"node", std::string(node)}, {"value", value}, {"why", why}});
        take_over = true;
      }
    }
    if (!take_over) return Contention(node, options_.expiry);
  }
  api::NodeLock v;
  v.time = clock_->Now();
  v.pod_namespace = std::string(pod_ns);
  v.pod_name = std::string(pod_name);
  Json patch = {{"metadata", {{"annotations", {{std::string(kNodeLockAnnotation), api::EncodeNodeLock(v)}}},
                              {"resourceVersion", rv}}}};
  auto res = client_->MergePatch(kNodes, "", node, patch);
  return res.ok() ? OkStatus() : res.status();
}

Status NodeLocker::Lock(std::string_view node, std::string_view pod_ns, std::string_view pod_name) {
  std::lock_guard<std::mutex> guard(NodeMutex(node));
  auto backoff = options_.retry.initial_backoff;
  thread_local std::minstd_rand rng(std::random_device{}());
  Status last;
  for (int attempt = 0; attempt < std::max(1, options_.retry.max_attempts); ++attempt) {
    if (attempt > 0) {
      std::uniform_real_distribution<double> jitter(1.0, 1.5);
      std::this_thread::sleep_for(std::chrono::duration_cast<std::chrono::milliseconds>(backoff * jitter(rng)));
      backoff = std::chrono::milliseconds(int64_t(double(backoff.count()) * options_.retry.factor));
    }
    last = TryLockOnce(node, pod_ns, pod_name, /*from_cache=*/attempt == 0);
    if (last.ok() || last.code() == StatusCode::kResourceExhausted || last.code() == StatusCode::kNotFound) {
      return last;
    }
  }
  return last;
}

Status NodeLocker::Release(std::string_view node, std::string_view pod_ns, std::string_view pod_name,
                           bool skip_owner_check) {
  std::lock_guard<std::mutex> guard(NodeMutex(node));
  auto backoff = options_.retry.initial_backoff;
  Status last;
  for (int attempt = 0; attempt < std::max(1, options_.retry.max_attempts); ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(backoff);
      backoff = std::chrono::milliseconds(int64_t(double(backoff.count()) * options_.retry.factor));
    }
    auto current = client_->Get(kNodes, "", node);
    if (!current.ok()) {
      if (current.status().code() == StatusCode::kNotFound) return OkStatus();
      last = current.status();
      continue;
    }
    std::string value = Annotation(*current, kNodeLockAnnotation);
    if (value.empty()) return OkStatus();
    bool legacy = value.find(',') == std::string::npos;
    if (!skip_owner_check && !legacy && !EndsWithOwner(value, pod_ns, pod_name)) {
      return OkStatus();  // someone else's lock: not ours to release
    }
    Json patch = {{"metadata", {{"annotations", {{std::string(kNodeLockAnnotation), nullptr}}},
                                {"resourceVersion", ResourceVersion(*current)}}}};
    auto res = client_->MergePatch(kNodes, "", node, patch);
    if (res.ok()) return OkStatus();
    last = res.status();
  }
  return last;
}

}  // namespace hami::k8s
