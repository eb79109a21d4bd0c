// Asynchronous Kubernetes Event recorder. Record() never waits for the API
// server: events go to a bounded queue drained by one background thread, and
// are dropped (and counted) when the queue is full, so a slow or failing API
// server can never stall scheduling. Identical events (same involved object,
// type, reason and message) within `dedupe_window` are posted once, so a pod
// that kube-scheduler retries every few seconds does not flood its events.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "k8s/client.h"

namespace hami::k8s {

struct EventToPost {
  Json involved;  // {"kind", "metadata": {"name", "namespace", "uid"}}
  std::string type;  // "Normal" or "Warning"
  std::string reason;
  std::string message;
};

// Where events go: normally PostEventsTo(client, component).
using EventSink = std::function<Status(const EventToPost&)>;
EventSink PostEventsTo(Client* client, std::string component);

// Minimal involved-object references.
Json PodRef(std::string_view ns, std::string_view name, std::string_view uid);
Json NodeRef(std::string_view name, std::string_view uid);

struct EventRecorderOptions {
  size_t queue_limit = 4096;
  std::chrono::seconds dedupe_window{600};
};

class EventRecorder {
 public:
  EventRecorder(EventSink sink, const Clock* clock, EventRecorderOptions options = {});
  ~EventRecorder();  // Stop()
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  void Start();
  // Posts what is still queued (bounded by `drain_timeout`), then stops.
  void Stop(std::chrono::milliseconds drain_timeout = std::chrono::milliseconds(2000));

  void Record(Json involved, std::string_view type, std::string_view reason,
              std::string_view message);
  void Normal(const Json& involved, std::string_view reason, std::string_view message) {
    Record(involved, "Normal", reason, message);
  }
  void Warning(const Json& involved, std::string_view reason, std::string_view message) {
    Record(involved, "Warning", reason, message);
  }

  // Blocks until every queued event has been handed to the sink (tests).
  bool Flush(std::chrono::milliseconds timeout);

  uint64_t posted() const;
  uint64_t failed() const;
  uint64_t dropped() const;       // queue full
  uint64_t deduplicated() const;  // identical event inside the window

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hami::k8s
