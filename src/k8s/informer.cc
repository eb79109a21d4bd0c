#include "k8s/informer.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "common/log.h"

namespace hami::k8s {

struct Informer::Impl {
  Client* client;
  Resource resource;
  InformerOptions options;
  std::vector<InformerHandlers> handlers;

  mutable std::shared_mutex mu;
  std::unordered_map<std::string, ObjectPtr> store;
  std::string last_rv;

  std::atomic<bool> stop{false};
  std::atomic<bool> synced{false};
  mutable std::mutex sync_mu;
  mutable std::condition_variable sync_cv;
  std::mutex sleep_mu;
  std::condition_variable sleep_cv;
  std::thread thread;

  std::string Name() const { return std::string(resource.plural); }

  void SleepFor(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(sleep_mu);
    sleep_cv.wait_for(lock, d, [&] { return stop.load(); });
  }

  void Emit(const std::function<void(const InformerHandlers&)>& fn) {
    for (const auto& h : handlers) {
      try {
        fn(h);
      } catch (const std::exception& e) {
        log::Error("informer", "handler threw", {{"resource", Name()}, {"error", e.what()}});
      }
    }
  }

  // Lists and replaces the store; emits add/update/delete for the difference.
  Status Relist() {
    ListOptions lo;
    lo.label_selector = options.label_selector;
    lo.field_selector = options.field_selector;
    ASSIGN_OR_RETURN(Json list, client->List(resource, options.ns, lo));
    std::unordered_map<std::string, ObjectPtr> fresh;
    for (auto& item : list["items"]) {
      if (options.transform) options.transform(item);
      auto obj = std::make_shared<const Json>(std::move(item));
      fresh[Key(*obj)] = obj;
    }
    std::vector<std::pair<ObjectPtr, ObjectPtr>> updates;  // old,new (old null = add)
    std::vector<ObjectPtr> deletes;
    {
      std::unique_lock<std::shared_mutex> lock(mu);
      for (auto& [key, obj] : fresh) {
        auto it = store.find(key);
        if (it == store.end()) {
          updates.emplace_back(nullptr, obj);
        } else if (ResourceVersion(*it->second) != ResourceVersion(*obj)) {
          updates.emplace_back(it->second, obj);
        }
      }
      for (auto& [key, obj] : store) {
        if (!fresh.count(key)) deletes.push_back(obj);
      }
      store = std::move(fresh);
      last_rv = list["metadata"].is_object() ? list["metadata"].value("resourceVersion", "") : "";
    }
    // (No structured bindings here: clang 14 cannot capture them in a lambda.)
    for (auto& update : updates) {
      const auto& old_obj = update.first;
      const auto& new_obj = update.second;
      if (old_obj == nullptr) {
        Emit([&](const InformerHandlers& h) { if (h.on_add) h.on_add(new_obj); });
      } else {
        Emit([&](const InformerHandlers& h) { if (h.on_update) h.on_update(old_obj, new_obj); });
      }
    }
    for (auto& obj : deletes) Emit([&](const InformerHandlers& h) { if (h.on_delete) h.on_delete(obj); });
    if (!synced.exchange(true)) {
      std::lock_guard<std::mutex> lock(sync_mu);
      sync_cv.notify_all();
    }
    return OkStatus();
  }

  bool OnEvent(const WatchEvent& ev) {
    if (stop.load()) return false;
    if (ev.type == "BOOKMARK") {
      std::unique_lock<std::shared_mutex> lock(mu);
      last_rv = ResourceVersion(ev.object);
      return true;
    }
    Json copy = ev.object;
    if (options.transform && ev.type != "ERROR") options.transform(copy);
    auto obj = std::make_shared<const Json>(std::move(copy));
    std::string key = Key(*obj);
    ObjectPtr old_obj;
    {
      std::unique_lock<std::shared_mutex> lock(mu);
      last_rv = ResourceVersion(*obj);
      auto it = store.find(key);
      if (it != store.end()) old_obj = it->second;
      if (ev.type == "DELETED") {
        store.erase(key);
      } else {
        store[key] = obj;
      }
    }
    if (ev.type == "DELETED") {
      Emit([&](const InformerHandlers& h) { if (h.on_delete) h.on_delete(old_obj ? old_obj : obj); });
    } else if (old_obj == nullptr) {
      Emit([&](const InformerHandlers& h) { if (h.on_add) h.on_add(obj); });
    } else {
      Emit([&](const InformerHandlers& h) { if (h.on_update) h.on_update(old_obj, obj); });
    }
    return true;
  }

  void Run() {
    auto backoff = options.initial_backoff;
    bool need_list = true;
    while (!stop.load()) {
      if (need_list) {
        Status s = Relist();
        if (!s.ok()) {
          log::Warn("informer", "list failed", {{"resource", Name()}, {"error", s.ToString()}});
          SleepFor(backoff);
          backoff = std::min(options.max_backoff, backoff * 2);
          continue;
        }
        need_list = false;
      }
      WatchOptions wo;
      wo.label_selector = options.label_selector;
      wo.field_selector = options.field_selector;
      wo.server_timeout = options.watch_timeout;
      wo.idle_timeout = options.watch_timeout + std::chrono::seconds(30);
      {
        std::shared_lock<std::shared_mutex> lock(mu);
        wo.resource_version = last_rv;
      }
      auto started = std::chrono::steady_clock::now();
      Status s = client->Watch(resource, options.ns, wo, [this](const WatchEvent& ev) { return OnEvent(ev); }, &stop);
      if (stop.load()) break;
      if (s.code() == StatusCode::kOutOfRange) {
        log::Info("informer", "watch expired (410 Gone), re-listing", {{"resource", Name()}});
        need_list = true;
        continue;
      }
      if (!s.ok()) {
        log::Warn("informer", "watch failed", {{"resource", Name()}, {"error", s.ToString()}});
        SleepFor(backoff);
        backoff = std::min(options.max_backoff, backoff * 2);
        need_list = true;  // resync after a broken stream: events may be lost
        continue;
      }
      if (std::chrono::steady_clock::now() - started > std::chrono::seconds(5)) backoff = options.initial_backoff;
    }
  }
};

Informer::Informer(Client* client, Resource resource, InformerOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->client = client;
  impl_->resource = resource;
  impl_->options = std::move(options);
}

Informer::~Informer() { Stop(); }

void Informer::AddHandlers(InformerHandlers handlers) { impl_->handlers.push_back(std::move(handlers)); }

void Informer::Start() {
  if (impl_->thread.joinable()) return;
  impl_->stop = false;
  impl_->thread = std::thread([this] { impl_->Run(); });
}

void Informer::Stop() {
  impl_->stop = true;
  {
    std::lock_guard<std::mutex> lock(impl_->sleep_mu);
    impl_->sleep_cv.notify_all();
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

bool Informer::HasSynced() const { return impl_->synced.load(); }

bool Informer::WaitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->sync_mu);
  return impl_->sync_cv.wait_for(lock, timeout, [&] { return impl_->synced.load(); });
}

ObjectPtr Informer::Get(const std::string& key) const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  auto it = impl_->store.find(key);
  return it == impl_->store.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Informer::List() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  std::vector<ObjectPtr> out;
  out.reserve(impl_->store.size());
  for (const auto& [k, v] : impl_->store) out.push_back(v);
  return out;
}

size_t Informer::Size() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  return impl_->store.size();
}

std::string Informer::LastResourceVersion() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  return impl_->last_rv;
}

}  // namespace hami::k8s
