// Node lock (`hami.io/mutex.lock` on the Node): serialises the bind ->
// Allocate hand-off of one pod per node between hami-scheduler and the device
// plugin. Value `<RFC3339>,<ns>,<pod>`; a bare timestamp (legacy) is accepted.
// Acquire: resourceVersion-guarded merge patch; re-entrant for the same pod;
// taken over when expired, when the owner pod no longer exists, or when the
// injected judge calls it stale. Release is
// owner-checked (legacy values are released by anyone). Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/node_lock.h"
#include "common/clock.h"
#include "common/status.h"
#include "k8s/client.h"

namespace hami::k8s {

inline constexpr std::string_view kNodeLockAnnotation = "hami.io/mutex.lock";

// Decides whether another pod's unexpired lock on `node` may be taken over
// now: returns why it is stale, or "" while it is live. `owner` is the owner
// pod as the API returned it (nullopt: NotFound). The scheduler supplies its
// policy (scheduler::JudgeNodeLock); the client knows none.
using NodeLockJudge = std::function<std::string(
    std::string_view node, const api::NodeLock& lock, const std::optional<Json>& owner)>;

struct NodeLockOptions {
  std::chrono::seconds expiry{300};  // --node-lock-timeout
  RetryPolicy retry{5, std::chrono::milliseconds(100), 2.0};
  NodeLockJudge judge;  // null: stale only when expired or the owner is gone
  // The node as last seen by a watch (an informer cache), or null. When set,
  // Lock's first try reads the node from it instead of a GET; the patch is
  // still guarded by that resourceVersion, so a stale copy only costs a
  // conflict, after which the tries GET.
  std::function<std::shared_ptr<const Json>(std::string_view node)> cached_node;
};

class NodeLocker {
 public:
  NodeLocker(Client* client, const Clock* clock, NodeLockOptions options = {});

  // Takes the lock on `node` for pod ns/name. Returns kResourceExhausted with
  // "node <n> has been locked within <d>: node lock contention" when a live
  // pod holds an unexpired lock; other errors as the API returned them.
  Status Lock(std::string_view node, std::string_view pod_ns, std::string_view pod_name);
  // Releases the lock if pod ns/name owns it (or if skip_owner_check, or the
  // value is legacy). Absent lock = OK.
  Status Release(std::string_view node, std::string_view pod_ns, std::string_view pod_name,
                 bool skip_owner_check = false);

 private:
  std::mutex& NodeMutex(std::string_view node);
  Status TryLockOnce(std::string_view node, std::string_view pod_ns, std::string_view pod_name,
                     bool from_cache);

  Client* client_;
  const Clock* clock_;
  NodeLockOptions options_;
  std::mutex map_mu_;
  std::unordered_map<std::string, std::unique_ptr<std::mutex>> node_mu_;
};

}  // namespace hami::k8s
