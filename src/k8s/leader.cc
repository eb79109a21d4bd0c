#include "k8s/leader.h"

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>

#include "common/log.h"

namespace hami::k8s {
namespace {
std::string MicroTime(std::chrono::system_clock::time_point t) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = us / 1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%06ldZ", buf, long(us % 1000000));
  return out;
}
}  // namespace

struct LeaderElector::Impl {
  Client* client;
  const Clock* clock;
  LeaderElectionOptions options;
  std::function<void(bool)> on_change;
  std::string observed_record;
  std::chrono::steady_clock::time_point observed_at{};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::condition_variable cv;
  std::thread thread;
};

LeaderElector::LeaderElector(Client* client, const Clock* clock, LeaderElectionOptions options,
                             std::function<void(bool)> on_change)
    : impl_(std::make_unique<Impl>()) {
  impl_->client = client;
  impl_->clock = clock;
  impl_->options = std::move(options);
  impl_->on_change = std::move(on_change);
}

LeaderElector::~LeaderElector() { Stop(); }

bool LeaderElector::TryAcquireOrRenew() {
  auto& o = impl_->options;
  auto now = impl_->clock->Now();
  Json spec = {{"holderIdentity", o.identity},
               {"leaseDurationSeconds", o.lease_duration.count()},
               {"renewTime", MicroTime(now)}};
  auto current = impl_->client->Get(kLeases, o.lease_namespace, o.lease_name);
  bool leader = false;
  if (!current.ok() && current.status().code() == StatusCode::kNotFound) {
    spec["acquireTime"] = MicroTime(now);
    spec["leaseTransitions"] = 0;
    Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", o.lease_name}, {"namespace", o.lease_namespace}}},
                  {"spec", spec}};
    leader = impl_->client->CreateObject(kLeases, o.lease_namespace, lease).ok();
  } else if (current.ok()) {
    Json lease = *current;
    Json cur_spec = lease.contains("spec") && lease["spec"].is_object() ? lease["spec"] : Json::object();
    std::string holder = cur_spec.value("holderIdentity", "");
    std::string record = holder + "|" + cur_spec.value("renewTime", "");
    auto mono = impl_->clock->Monotonic();
    if (record != impl_->observed_record) {
      impl_->observed_record = record;
      impl_->observed_at = mono;
    }
    int64_t duration = cur_spec.value("leaseDurationSeconds", int64_t(o.lease_duration.count()));
    bool expired = mono - impl_->observed_at > std::chrono::seconds(duration);
    if (holder.empty() || holder == o.identity || expired) {
      if (holder != o.identity) {
        spec["acquireTime"] = MicroTime(now);
        spec["leaseTransitions"] = cur_spec.value("leaseTransitions", 0) + 1;
      } else {
        if (cur_spec.contains("acquireTime")) spec["acquireTime"] = cur_spec["acquireTime"];
        spec["leaseTransitions"] = cur_spec.value("leaseTransitions", 0);
      }
      lease["spec"] = spec;  // PUT carries metadata.resourceVersion: conflicts fail
      auto res = impl_->client->Update(kLeases, o.lease_namespace, o.lease_name, lease);
      leader = res.ok();
      if (res.ok()) {
        impl_->observed_record = o.identity + "|" + spec["renewTime"].get<std::string>();
        impl_->observed_at = mono;
      }
    }
  } else {
    log::Warn("leader", "lease read failed", {{"error", current.status().ToString()}});
    // Keep leadership only while our last renewal is fresh.
    leader = IsLeader() && impl_->clock->Monotonic() - impl_->observed_at < o.lease_duration;
  }
  bool was = leader_.exchange(leader, std::memory_order_acq_rel);
  if (was != leader) {
    log::Info("leader", leader ? "became leader" : "lost leadership", {{"identity", o.identity}});
    if (impl_->on_change) impl_->on_change(leader);
  }
  return leader;
}

void LeaderElector::Start() {
  if (impl_->thread.joinable()) return;
  impl_->stop = false;
  impl_->thread = std::thread([this] {
    while (!impl_->stop.load()) {
      TryAcquireOrRenew();
      std::unique_lock<std::mutex> lock(impl_->mu);
      impl_->cv.wait_for(lock, impl_->options.retry_period, [&] { return impl_->stop.load(); });
    }
  });
}

void LeaderElector::Stop() {
  impl_->stop = true;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->cv.notify_all();
  }
  if (impl_->thread.joinable()) impl_->thread.join();
  if (leader_.exchange(false)) {
    auto& o = impl_->options;
    auto res = impl_->client->PatchWithRetry(kLeases, o.lease_namespace, o.lease_name,
        [&](const Json& cur) -> StatusOr<std::optional<Json>> {
          if (!cur.contains("spec") || cur["spec"].value("holderIdentity", "") != o.identity) return std::optional<Json>();
          return std::optional<Json>(Json{{"spec", {{"holderIdentity", nullptr}}}});
        });
    if (!res.ok()) log::Warn("leader", "lease release failed", {{"error", res.status().ToString()}});
    if (impl_->on_change) impl_->on_change(false);
  }
}

}  // namespace hami::k8s

namespace hami::k8s {

struct LeaseObserver::Impl {
  Client* client;
  const Clock* clock;
  LeaseObserverOptions options;
  std::function<void(bool)> on_change;
  std::string holder;
  std::string record;  // holder|renewTime last seen
  std::chrono::seconds duration{15};
  std::chrono::steady_clock::time_point renewed_at{};
  bool seen = false;
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::thread thread;
};

LeaseObserver::LeaseObserver(Client* client, const Clock* clock, LeaseObserverOptions options,
                             std::function<void(bool)> on_change)
    : impl_(std::make_unique<Impl>()) {
  impl_->client = client;
  impl_->clock = clock;
  impl_->options = std::move(options);
  impl_->on_change = std::move(on_change);
}

LeaseObserver::~LeaseObserver() { Stop(); }

bool LeaseObserver::Observe(const StatusOr<Json>& lease) {
  Impl& m = *impl_;
  auto now = m.clock->Monotonic();
  if (lease.ok()) {
    const Json& spec = lease->contains("spec") && (*lease)["spec"].is_object()
                           ? (*lease)["spec"]
                           : Json::object();
    auto text = [&](const char* key) {
      auto it = spec.find(key);
      return it != spec.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::string holder = text("holderIdentity");
    std::string record = holder + "|" + text("renewTime");
    if (!m.seen || record != m.record) {
      m.record = record;
      m.renewed_at = now;
      m.seen = true;
    }
    m.holder = holder;
    auto it = spec.find("leaseDurationSeconds");
    int64_t secs = it != spec.end() && it->is_number_integer() ? it->get<int64_t>() : 15;
    m.duration = std::chrono::seconds(std::clamp<int64_t>(secs, 1, 3600));
  } else if (lease.status().code() == StatusCode::kNotFound) {
    m.holder.clear();
    m.seen = false;
  } else {
    log::Warn("leader", "lease read failed", {{"error", lease.status().ToString()}});
    // Keep what was observed; it ages out with the lease duration below.
  }
  const std::string& id = m.options.identity;
  bool leader = m.seen && !id.empty() && m.holder.compare(0, id.size(), id) == 0 &&
                now - m.renewed_at < m.duration;
  bool was = leader_.exchange(leader, std::memory_order_acq_rel);
  if (was != leader) {
    log::Info("leader", leader ? "became leader (lease holder)" : "not the leader",
              {{"identity", id}, {"holder", m.holder}});
    if (m.on_change) m.on_change(leader);
  }
  return leader;
}

bool LeaseObserver::PollOnce() {
  const auto& o = impl_->options;
  return Observe(impl_->client->Get(kLeases, o.lease_namespace, o.lease_name));
}

void LeaseObserver::Start() {
  if (impl_->thread.joinable()) return;
  impl_->stop = false;
  impl_->thread = std::thread([this] {
    std::unique_lock lock(impl_->mu);
    while (!impl_->stop) {
      lock.unlock();
      PollOnce();
      lock.lock();
      impl_->cv.wait_for(lock, impl_->options.poll_period, [&] { return impl_->stop; });
    }
  });
}

void LeaseObserver::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace hami::k8s
