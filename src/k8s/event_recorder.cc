#include "k8s/event_recorder.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/log.h"

namespace hami::k8s {

EventSink PostEventsTo(Client* client, std::string component) {
  return [client, component = std::move(component)](const EventToPost& e) {
    return client->RecordEvent(e.involved, e.type, e.reason, e.message, component);
  };
}

Json PodRef(std::string_view ns, std::string_view name, std::string_view uid) {
  Json meta = {{"name", name}, {"namespace", ns}};
  if (!uid.empty()) meta["uid"] = uid;
  return {{"kind", "Pod"}, {"apiVersion", "v1"}, {"metadata", std::move(meta)}};
}

Json NodeRef(std::string_view name, std::string_view uid) {
  Json meta = {{"name", name}};
  if (!uid.empty()) meta["uid"] = uid;
  return {{"kind", "Node"}, {"apiVersion", "v1"}, {"metadata", std::move(meta)}};
}

struct EventRecorder::Impl {
  EventSink sink;
  const Clock* clock;
  EventRecorderOptions options;

  std::mutex mu;
  std::condition_variable wake;     // worker: queue non-empty or stopping
  std::condition_variable drained;  // Flush: queue empty and nothing in flight
  std::deque<EventToPost> queue;
  bool in_flight = false;
  bool stopping = false;
  std::thread worker;
  // dedupe key -> monotonic time it was last accepted
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> recent;
  std::chrono::steady_clock::time_point next_sweep{};
  static constexpr size_t kSweepAbove = 20000;
  static constexpr size_t kHardLimit = 200000;

  std::atomic<uint64_t> posted{0}, failed{0}, dropped{0}, deduplicated{0};

  static std::string DedupeKey(const EventToPost& e) {
    const Json& meta = e.involved.contains("metadata") ? e.involved["metadata"] : e.involved;
    std::string key = e.involved.value("kind", "");
    key += '\x1f';
    key += meta.value("namespace", "");
    key += '\x1f';
    key += meta.value("name", "");
    key += '\x1f';
    key += meta.value("uid", "");
    key += '\x1f' + e.type + '\x1f' + e.reason + '\x1f' + e.message;
    return key;
  }

  // Under mu. True when an identical event was accepted inside the window.
  // Expired keys are swept at most once a minute (a sweep is linear in the
  // map); past kHardLimit keys the map is dropped: de-duplication is best
  // effort, memory is bounded.
  bool SeenRecently(const std::string& key) {
    auto now = clock->Monotonic();
    if (recent.size() > kSweepAbove && now >= next_sweep) {
      for (auto it = recent.begin(); it != recent.end();) {
        it = now - it->second >= options.dedupe_window ? recent.erase(it) : std::next(it);
      }
      next_sweep = now + std::chrono::minutes(1);
    }
    if (recent.size() > kHardLimit) recent.clear();
    auto [it, inserted] = recent.try_emplace(key, now);
    if (inserted) return false;
    if (now - it->second < options.dedupe_window) return true;
    it->second = now;
    return false;
  }

  void Run() {
    std::unique_lock lock(mu);
    while (true) {
      wake.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) break;  // stopping and drained
      EventToPost e = std::move(queue.front());
      queue.pop_front();
      in_flight = true;
      lock.unlock();
      Status s = sink(e);
      lock.lock();
      in_flight = false;
      if (s.ok()) {
        posted.fetch_add(1);
      } else {
        failed.fetch_add(1);
        log::Debug("events", "event not posted",
                   {{"reason", e.reason}, {"error", s.ToString()}});
      }
      if (queue.empty()) drained.notify_all();
    }
    drained.notify_all();
  }
};

EventRecorder::EventRecorder(EventSink sink, const Clock* clock, EventRecorderOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->sink = std::move(sink);
  impl_->clock = clock;
  impl_->options = options;
}

EventRecorder::~EventRecorder() { Stop(); }

void EventRecorder::Start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->worker.joinable()) return;
  impl_->stopping = false;
  impl_->worker = std::thread([this] { impl_->Run(); });
}

void EventRecorder::Stop(std::chrono::milliseconds drain_timeout) {
  (void)Flush(drain_timeout);
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
    // Whatever could not be posted in time is dropped.
    impl_->dropped.fetch_add(impl_->queue.size());
    impl_->queue.clear();
  }
  impl_->wake.notify_all();
  if (impl_->worker.joinable()) impl_->worker.join();
}

void EventRecorder::Record(Json involved, std::string_view type, std::string_view reason,
                           std::string_view message) {
  EventToPost e{std::move(involved), std::string(type), std::string(reason), std::string(message)};
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->SeenRecently(Impl::DedupeKey(e))) {
      impl_->deduplicated.fetch_add(1);
      return;
    }
    if (impl_->queue.size() >= impl_->options.queue_limit) {
      impl_->dropped.fetch_add(1);
      return;
    }
    impl_->queue.push_back(std::move(e));
  }
  impl_->wake.notify_one();
}

bool EventRecorder::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  if (!impl_->worker.joinable()) return impl_->queue.empty();
  return impl_->drained.wait_for(lock, timeout,
                                 [&] { return impl_->queue.empty() && !impl_->in_flight; });
}

uint64_t EventRecorder::posted() const { return impl_->posted.load(); }
uint64_t EventRecorder::failed() const { return impl_->failed.load(); }
uint64_t EventRecorder::dropped() const { return impl_->dropped.load(); }
uint64_t EventRecorder::deduplicated() const { return impl_->deduplicated.load(); }

}  // namespace hami::k8s
