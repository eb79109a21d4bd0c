#include "cmd/hami-scheduler/time_lock.h"

#include "api/node_lock.h"

namespace hami::schedulerd {
namespace {

const std::string* AnnotationOf(const k8s::Json& node, const std::string& key, std::string* storage) {
  auto meta = node.find("metadata");
  if (meta == node.end() || !meta->is_object()) return nullptr;
  auto ann = meta->find("annotations");
  if (ann == meta->end() || !ann->is_object()) return nullptr;
  auto it = ann->find(key);
  if (it == ann->end() || !it->is_string()) return nullptr;
  *storage = it->get<std::string>();
  return storage;
}

}  // namespace

TimeLockState JudgeTimeLock(const std::string* value, std::chrono::system_clock::time_point now,
                            std::chrono::seconds expiry) {
  if (value == nullptr) return TimeLockState::kFree;
  auto t = api::ParseRfc3339(*value);
  if (!t.ok()) return TimeLockState::kInvalid;
  return now - *t > expiry ? TimeLockState::kExpired : TimeLockState::kHeld;
}

Status TakeTimeLock(k8s::Client& client, const Clock& clock, std::string_view node, const std::string& key) {
  auto res = client.PatchWithRetry(
      k8s::kNodes, "", node, [&](const k8s::Json& current) -> StatusOr<std::optional<k8s::Json>> {
        std::string storage;
        const std::string* value = AnnotationOf(current, key, &storage);
        switch (JudgeTimeLock(value, clock.Now())) {
          case TimeLockState::kHeld:
            return ResourceExhaustedError("node " + std::string(node) + " is locked (" + key + ")");
          case TimeLockState::kInvalid:
            return InvalidArgumentError("node " + std::string(node) + ": bad " + key + " '" + *value + "'");
          case TimeLockState::kFree:
          case TimeLockState::kExpired:
            break;
        }
        return std::optional<k8s::Json>(
            k8s::Json{{"metadata", {{"annotations", {{key, api::FormatRfc3339(clock.Now())}}}}}});
      });
  return res.status();
}

Status ReleaseTimeLock(k8s::Client& client, std::string_view node, const std::string& key) {
  auto res = client.PatchWithRetry(
      k8s::kNodes, "", node, [&](const k8s::Json& current) -> StatusOr<std::optional<k8s::Json>> {
        std::string storage;
        if (AnnotationOf(current, key, &storage) == nullptr) return std::optional<k8s::Json>();
        return std::optional<k8s::Json>(k8s::Json{{"metadata", {{"annotations", {{key, nullptr}}}}}});
      });
  return res.status();
}

}  // namespace hami::schedulerd
