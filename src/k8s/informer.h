// Informer: a list+watch cache of one resource kind with add/update/delete
// handlers. Re-lists on 410 Gone, reconnects with capped exponential backoff,
// honours bookmarks. Handlers run on the informer's own thread, in event order;
// they must not block for long. Reads (Get/List) are thread-safe and cheap
// (objects are shared immutable JSON).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "k8s/client.h"

namespace hami::k8s {

using ObjectPtr = std::shared_ptr<const Json>;

struct InformerHandlers {
  std::function<void(const ObjectPtr& obj)> on_add;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)> on_update;
  // Called for deletions seen in the watch and for objects that vanished
  // between two lists (re-list after 410 or reconnect).
  std::function<void(const ObjectPtr& obj)> on_delete;
};

struct InformerOptions {
  std::string ns;  // "" = all namespaces
  std::string label_selector;
  std::string field_selector;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10000};
  std::chrono::seconds watch_timeout{300};
  // Applied to every object before it is stored and handed to the handlers
  // (client-go's TransformFunc): drop what no reader needs to bound the
  // cache's memory. Must keep metadata.name/namespace/uid/resourceVersion.
  std::function<void(Json& object)> transform;
};

class Informer {
 public:
  Informer(Client* client, Resource resource, InformerOptions options = {});
  ~Informer();  // stops the thread
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Register before Start(). Several handler sets may be added.
  void AddHandlers(InformerHandlers handlers);
  void Start();
  void Stop();
  // True once the first list has been delivered to the handlers.
  bool HasSynced() const;
  bool WaitForSync(std::chrono::milliseconds timeout) const;

  // Key is "<ns>/<name>" (namespaced) or "<name>".
  ObjectPtr Get(const std::string& key) const;
  std::vector<ObjectPtr> List() const;
  size_t Size() const;
  // resourceVersion of the last event or list seen.
  std::string LastResourceVersion() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hami::k8s
