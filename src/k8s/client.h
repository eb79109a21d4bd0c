// Kubernetes API client over HTTPS (libcurl) with JSON objects (nlohmann::json).
// Contract: every call has a connect and a total timeout and returns errors as
// Status values (HTTP 404 -> kNotFound, 409 Conflict -> kAborted, 409
// AlreadyExists -> kAlreadyExists, 410 Gone -> kOutOfRange, 401/403 ->
// kPermissionDenied, 400/422 -> kInvalidArgument, 429/5xx/transport -> kUnavailable,
// timeouts -> kDeadlineExceeded). Thread-safe: one Client may be shared by threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace hami::k8s {

using Json = nlohmann::json;

// Where and how to reach the API server.
struct ClientConfig {
  std::string server;  // e.g. https://127.0.0.1:6443 (http:// allowed for tests)
  std::string ca_pem;  // PEM CA bundle; empty = system roots
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string bearer_token;
  std::string bearer_token_file;  // re-read on each request when set (in-cluster rotation)
  bool insecure_skip_tls_verify = false;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};  // non-watch calls
  std::string user_agent = "hami/0.1";
};

// Loads a kubeconfig file (current-context unless `context` is given). Supports
// certificate-authority(-data), client-certificate(-data), client-key(-data),
// token, tokenFile, insecure-skip-tls-verify. Relative paths are resolved
// against the kubeconfig's directory.
StatusOr<ClientConfig> LoadKubeconfig(const std::string& path, const std::string& context = "");
// In-cluster: KUBERNETES_SERVICE_HOST/PORT and the service-account mount
// (/var/run/secrets/kubernetes.io/serviceaccount, or `sa_dir`).
StatusOr<ClientConfig> InClusterConfig(
    const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");
// `path` if non-empty, else $KUBECONFIG, else in-cluster.
StatusOr<ClientConfig> LoadClientConfig(const std::string& path);

// A resource collection: URL prefix, plural name, namespaced or not.
struct Resource {
  std::string_view api_prefix;  // "/api/v1" or "/apis/<group>/<version>"
  std::string_view plural;
  bool namespaced;
};
inline constexpr Resource kPods{"/api/v1", "pods", true};
inline constexpr Resource kNodes{"/api/v1", "nodes", false};
inline constexpr Resource kEvents{"/api/v1", "events", true};
inline constexpr Resource kNamespaces{"/api/v1", "namespaces", false};
inline constexpr Resource kResourceQuotas{"/api/v1", "resourcequotas", true};
inline constexpr Resource kConfigMaps{"/api/v1", "configmaps", true};
inline constexpr Resource kLeases{"/apis/coordination.k8s.io/v1", "leases", true};
inline constexpr Resource kMutatingWebhookConfigurations{
    "/apis/admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations", false};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // "" = most recent (quorum read)
  int64_t limit = 500;           // page size; List() follows `continue` to the end
};

// One watch event. type is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.
struct WatchEvent {
  std::string type;
  Json object;
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // start after this version
  bool allow_bookmarks = true;
  std::chrono::seconds server_timeout{300};  // timeoutSeconds sent to the server
  // The stream is abandoned when no byte (data or bookmark) arrives for this long.
  std::chrono::seconds idle_timeout{330};
};

// Bounded retry policy for conflicts (409) in read-modify-write helpers.
struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{50};
  double factor = 2.0;
};

class Client {
 public:
  static StatusOr<std::unique_ptr<Client>> Create(ClientConfig config);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ClientConfig& config() const;

  // Path helpers: `/api/v1/namespaces/<ns>/pods/<name>[/<sub>]`.
  static std::string ObjectPath(const Resource& r, std::string_view ns, std::string_view name,
                                std::string_view subresource = "");
  static std::string CollectionPath(const Resource& r, std::string_view ns);

  StatusOr<Json> Get(const Resource& r, std::string_view ns, std::string_view name);
  // Returns the whole list object ({"metadata":{"resourceVersion"},"items":[...]}),
  // all pages concatenated. ns "" lists across namespaces.
  StatusOr<Json> List(const Resource& r, std::string_view ns, const ListOptions& opts = {});
  StatusOr<Json> CreateObject(const Resource& r, std::string_view ns, const Json& obj);
  StatusOr<Json> Update(const Resource& r, std::string_view ns, std::string_view name,
                        const Json& obj, std::string_view subresource = "");
  // grace_seconds: nullopt = server default.
  Status Delete(const Resource& r, std::string_view ns, std::string_view name,
                std::optional<int64_t> grace_seconds = std::nullopt);
  // RFC 7386 merge patch. Put metadata.resourceVersion in `patch` for a precondition.
  StatusOr<Json> MergePatch(const Resource& r, std::string_view ns, std::string_view name,
                            const Json& patch, std::string_view subresource = "");
  // RFC 6902 JSON patch (an array of operations; add a "test" op for preconditions).
  StatusOr<Json> JsonPatch(const Resource& r, std::string_view ns, std::string_view name,
                           const Json& ops, std::string_view subresource = "");

  // Read-modify-write: GETs the object, calls `mutate(current)`, which returns a
  // merge patch (or nullopt = nothing to do, or an error to abort); the patch is
  // sent with metadata.resourceVersion = current's and retried on 409 Conflict.
  using MutateFn = std::function<StatusOr<std::optional<Json>>(const Json& current)>;
  StatusOr<Json> PatchWithRetry(const Resource& r, std::string_view ns, std::string_view name,
                                const MutateFn& mutate, const RetryPolicy& policy = {});

  // POST pods/<name>/binding (target Node/<node>).
  Status Bind(std::string_view ns, std::string_view pod_name, std::string_view pod_uid,
              std::string_view node_name);

  // Creates a core/v1 Event about `involved` (any object with kind/apiVersion
  // or a pod/node JSON). type is "Normal" or "Warning".
  Status RecordEvent(const Json& involved, std::string_view type, std::string_view reason,
                     std::string_view message, std::string_view component);

  // Streams a watch until the server closes it, an error happens, `on_event`
  // returns false, or `*stop` becomes true (checked at least every second).
  // Returns OK on a clean end; kOutOfRange when the server says 410 Gone
  // (the caller must re-list). ERROR events other than 410 become a Status.
  Status Watch(const Resource& r, std::string_view ns, const WatchOptions& opts,
               const std::function<bool(const WatchEvent&)>& on_event,
               const std::atomic<bool>* stop);

  // Raw request (path may include a query). Returns the body on 2xx.
  StatusOr<std::string> Do(std::string_view method, std::string_view path,
                           std::string_view body = "",
                           std::string_view content_type = "application/json");

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Convenience accessors on object JSON (never throw; "" when absent).
std::string Namespace(const Json& obj);
std::string Name(const Json& obj);
std::string Uid(const Json& obj);
std::string ResourceVersion(const Json& obj);
std::string Annotation(const Json& obj, std::string_view key);
// "<ns>/<name>" or "<name>" for cluster-scoped objects.
std::string Key(const Json& obj);

}  // namespace hami::k8s
