#include "k8s/client.h"

#include <ctime>
#include <random>
#include <thread>

#include "common/log.h"
#include "k8s/internal/http.h"

namespace hami::k8s {

struct Client::Impl {
  explicit Impl(ClientConfig c) : config(std::move(c)), http(config) {}
  ClientConfig config;
  internal::HttpTransport http;

  StatusOr<Json> Call(std::string_view method, const std::string& path, std::string_view body,
                      std::string_view content_type) {
    internal::HttpRequest req;
    req.method = method;
    req.url = config.server + path;
    req.body = body;
    req.content_type = content_type;
    req.timeout = config.request_timeout;
    ASSIGN_OR_RETURN(auto resp, http.Perform(req));
    std::string what = std::string(method) + " " + path;
    if (resp.code < 200 || resp.code >= 300) return internal::StatusFromHttp(resp.code, resp.body, what);
    if (resp.body.empty()) return Json::object();
    try {
      return Json::parse(resp.body);
    } catch (const std::exception& e) {
      return InternalError(what + ": response is not JSON: " + e.what());
    }
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

StatusOr<std::unique_ptr<Client>> Client::Create(ClientConfig config) {
  if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0) {
    return InvalidArgumentError("server must start with https:// or http://: '" + config.server + "'");
  }
  return std::unique_ptr<Client>(new Client(std::make_unique<Impl>(std::move(config))));
}

const ClientConfig& Client::config() const { return impl_->config; }

std::string Client::CollectionPath(const Resource& r, std::string_view ns) {
  std::string p(r.api_prefix);
  if (r.namespaced && !ns.empty()) {
    p += "/namespaces/";
    p += ns;
  }
  p += '/';
  p += r.plural;
  return p;
}

std::string Client::ObjectPath(const Resource& r, std::string_view ns, std::string_view name,
                               std::string_view subresource) {
  std::string p = CollectionPath(r, ns);
  p += '/';
  p += name;
  if (!subresource.empty()) {
    p += '/';
    p += subresource;
  }
  return p;
}

StatusOr<Json> Client::Get(const Resource& r, std::string_view ns, std::string_view name) {
  if (name.empty()) return InvalidArgumentError("Get: empty name");
  return impl_->Call("GET", ObjectPath(r, ns, name), "", "");
}

StatusOr<Json> Client::List(const Resource& r, std::string_view ns, const ListOptions& opts) {
  Json result;
  std::string cont;
  for (int page = 0; page < 100000; ++page) {
    std::string q = "?limit=" + std::to_string(opts.limit);
    auto& h = impl_->http;
    if (!opts.label_selector.empty()) q += "&labelSelector=" + h.Escape(opts.label_selector);
    if (!opts.field_selector.empty()) q += "&fieldSelector=" + h.Escape(opts.field_selector);
    if (!cont.empty()) {
      q += "&continue=" + h.Escape(cont);
    } else if (!opts.resource_version.empty()) {
      q += "&resourceVersion=" + h.Escape(opts.resource_version);
    }
    ASSIGN_OR_RETURN(Json list, impl_->Call("GET", CollectionPath(r, ns) + q, "", ""));
    if (!list.is_object()) return InternalError("List: response is not an object");
    if (result.is_null()) {
      result = std::move(list);
      if (!result.contains("items") || !result["items"].is_array()) result["items"] = Json::array();
    } else {
      if (list.contains("items") && list["items"].is_array()) {
        for (auto& item : list["items"]) result["items"].push_back(std::move(item));
      }
      if (list.contains("metadata")) result["metadata"] = list["metadata"];
    }
    cont = result["metadata"].is_object() ? result["metadata"].value("continue", "") : "";
    if (cont.empty()) break;
  }
  if (result.contains("metadata") && result["metadata"].is_object()) result["metadata"].erase("continue");
  return result;
}

StatusOr<Json> Client::CreateObject(const Resource& r, std::string_view ns, const Json& obj) {
  return impl_->Call("POST", CollectionPath(r, ns), obj.dump(), "application/json");
}

StatusOr<Json> Client::Update(const Resource& r, std::string_view ns, std::string_view name,
                              const Json& obj, std::string_view subresource) {
  return impl_->Call("PUT", ObjectPath(r, ns, name, subresource), obj.dump(), "application/json");
}

Status Client::Delete(const Resource& r, std::string_view ns, std::string_view name,
                      std::optional<int64_t> grace_seconds) {
  std::string body;
  if (grace_seconds) {
    body = Json{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"gracePeriodSeconds", *grace_seconds}}.dump();
  }
  auto res = impl_->Call("DELETE", ObjectPath(r, ns, name), body, body.empty() ? "" : "application/json");
  return res.ok() ? OkStatus() : res.status();
}

StatusOr<Json> Client::MergePatch(const Resource& r, std::string_view ns, std::string_view name,
                                  const Json& patch, std::string_view subresource) {
  return impl_->Call("PATCH", ObjectPath(r, ns, name, subresource), patch.dump(),
                     "application/merge-patch+json");
}

StatusOr<Json> Client::JsonPatch(const Resource& r, std::string_view ns, std::string_view name,
                                 const Json& ops, std::string_view subresource) {
  if (!ops.is_array()) return InvalidArgumentError("JsonPatch: operations must be an array");
  return impl_->Call("PATCH", ObjectPath(r, ns, name, subresource), ops.dump(),
                     "application/json-patch+json");
}

StatusOr<Json> Client::PatchWithRetry(const Resource& r, std::string_view ns, std::string_view name,
                                      const MutateFn& mutate, const RetryPolicy& policy) {
  auto backoff = policy.initial_backoff;
  thread_local std::minstd_rand rng(std::random_device{}());
  Status last;
  for (int attempt = 0; attempt < std::max(1, policy.max_attempts); ++attempt) {
    if (attempt > 0) {
      std::uniform_real_distribution<double> jitter(1.0, 1.5);
      std::this_thread::sleep_for(std::chrono::duration_cast<std::chrono::milliseconds>(backoff * jitter(rng)));
      backoff = std::chrono::milliseconds(int64_t(double(backoff.count()) * policy.factor));
    }
    ASSIGN_OR_RETURN(Json current, Get(r, ns, name));
    ASSIGN_OR_RETURN(std::optional<Json> patch, mutate(current));
    if (!patch) return current;
    if (!patch->is_object()) return InvalidArgumentError("PatchWithRetry: patch must be an object");
    (*patch)["metadata"]["resourceVersion"] = ResourceVersion(current);
    auto res = MergePatch(r, ns, name, *patch);
    if (res.ok() || res.status().code() != StatusCode::kAborted) return res;
    last = res.status();
  }
  return last;
}

Status Client::Bind(std::string_view ns, std::string_view pod_name, std::string_view pod_uid,
                    std::string_view node_name) {
  Json binding = {{"apiVersion", "v1"},
                  {"kind", "Binding"},
                  {"metadata", {{"name", pod_name}, {"namespace", ns}}},
                  {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node_name}}}};
  if (!pod_uid.empty()) binding["metadata"]["uid"] = pod_uid;
  auto res = impl_->Call("POST", ObjectPath(kPods, ns, pod_name, "binding"), binding.dump(), "application/json");
  return res.ok() ? OkStatus() : res.status();
}

namespace {
std::string Rfc3339Now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}
}  // namespace

Status Client::RecordEvent(const Json& involved, std::string_view type, std::string_view reason,
                           std::string_view message, std::string_view component) {
  if (!involved.is_object()) return InvalidArgumentError("RecordEvent: involved object is not an object");
  std::string kind = involved.value("kind", "");
  if (kind.empty()) {
    // Items of a list carry no kind; pods have spec.containers.
    bool is_pod = involved.contains("spec") && involved["spec"].is_object() && involved["spec"].contains("containers");
    kind = is_pod ? "Pod" : "Node";
  }
  std::string ns = Namespace(involved);
  std::string name = Name(involved);
  std::string event_ns = ns.empty() ? "default" : ns;
  static std::atomic<uint64_t> seq{0};
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, ".%lx%04lx", long(std::time(nullptr)), long(seq.fetch_add(1) & 0xffff));
  std::string now = Rfc3339Now();
  Json ref = {{"kind", kind}, {"name", name}, {"apiVersion", "v1"}};
  if (!ns.empty()) ref["namespace"] = ns;
  if (!Uid(involved).empty()) ref["uid"] = Uid(involved);
  Json ev = {{"apiVersion", "v1"},
             {"kind", "Event"},
             {"metadata", {{"name", name + suffix}, {"namespace", event_ns}}},
             {"involvedObject", ref},
             {"type", type},
             {"reason", reason},
             {"message", std::string(message).substr(0, 1024)},
             {"source", {{"component", component}}},
             {"reportingComponent", component},
             {"firstTimestamp", now},
             {"lastTimestamp", now},
             {"count", 1}};
  auto res = CreateObject(kEvents, event_ns, ev);
  return res.ok() ? OkStatus() : res.status();
}

StatusOr<std::string> Client::Do(std::string_view method, std::string_view path, std::string_view body,
                                 std::string_view content_type) {
  internal::HttpRequest req;
  req.method = method;
  req.url = impl_->config.server + std::string(path);
  req.body = body;
  req.content_type = content_type;
  req.timeout = impl_->config.request_timeout;
  ASSIGN_OR_RETURN(auto resp, impl_->http.Perform(req));
  if (resp.code < 200 || resp.code >= 300) {
    return internal::StatusFromHttp(resp.code, resp.body, std::string(method) + " " + std::string(path));
  }
  return resp.body;
}

Status Client::Watch(const Resource& r, std::string_view ns, const WatchOptions& opts,
                     const std::function<bool(const WatchEvent&)>& on_event,
                     const std::atomic<bool>* stop) {
  auto& h = impl_->http;
  std::string q = "?watch=1&timeoutSeconds=" + std::to_string(opts.server_timeout.count());
  if (opts.allow_bookmarks) q += "&allowWatchBookmarks=true";
  if (!opts.resource_version.empty()) q += "&resourceVersion=" + h.Escape(opts.resource_version);
  if (!opts.label_selector.empty()) q += "&labelSelector=" + h.Escape(opts.label_selector);
  if (!opts.field_selector.empty()) q += "&fieldSelector=" + h.Escape(opts.field_selector);
  std::string path = CollectionPath(r, ns) + q;

  std::string buffer;
  std::string error_body;
  Status result;
  bool consumer_stopped = false;
  internal::HttpRequest req;
  req.method = "GET";
  req.url = impl_->config.server + path;
  req.timeout = std::chrono::milliseconds(0);
  req.low_speed_time = opts.idle_timeout;
  req.stop = stop;
  req.on_data = [&](std::string_view chunk) {
    buffer.append(chunk);
    size_t start = 0;
    for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(buffer.data() + start, nl - start);
      if (line.empty()) continue;
      WatchEvent ev;
      try {
        Json j = Json::parse(line);
        if (!j.is_object()) throw std::runtime_error("watch line is not an object");
        if (!j.contains("type") && j.value("kind", "") == "Status") {
          error_body = std::string(line);  // non-2xx body
          continue;
        }
        ev.type = j.value("type", "");
        ev.object = std::move(j["object"]);
      } catch (const std::exception& e) {
        result = InternalError("watch " + path + ": bad event: " + e.what());
        return false;
      }
      if (ev.type == "ERROR") {
        long code = ev.object.is_object() ? ev.object.value("code", 0L) : 0L;
        result = internal::StatusFromHttp(code == 0 ? 500 : code, ev.object.dump(), "watch " + path);
        return false;
      }
      if (!on_event(ev)) {
        consumer_stopped = true;
        return false;
      }
    }
    buffer.erase(0, start);
    return true;
  };
  auto resp = h.Perform(req);
  if (!result.ok()) return result;
  if (consumer_stopped) return OkStatus();
  if (!resp.ok()) {
    if (resp.status().code() == StatusCode::kCancelled && stop != nullptr && stop->load()) return OkStatus();
    return resp.status();
  }
  if (resp->code < 200 || resp->code >= 300) {
    return internal::StatusFromHttp(resp->code, error_body.empty() ? buffer : error_body, "watch " + path);
  }
  return OkStatus();
}

namespace {
const Json& Meta(const Json& obj) {
  static const Json kEmpty = Json::object();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find("metadata");
  return (it != obj.end() && it->is_object()) ? *it : kEmpty;
}
std::string MetaString(const Json& obj, const char* key) {
  const Json& m = Meta(obj);
  auto it = m.find(key);
  return (it != m.end() && it->is_string()) ? it->get<std::string>() : "";
}
}  // namespace

std::string Namespace(const Json& obj) { return MetaString(obj, "namespace"); }
std::string Name(const Json& obj) { return MetaString(obj, "name"); }
std::string Uid(const Json& obj) { return MetaString(obj, "uid"); }
std::string ResourceVersion(const Json& obj) { return MetaString(obj, "resourceVersion"); }
std::string Annotation(const Json& obj, std::string_view key) {
  const Json& m = Meta(obj);
  auto it = m.find("annotations");
  if (it == m.end() || !it->is_object()) return "";
  auto v = it->find(std::string(key));
  return (v != it->end() && v->is_string()) ? v->get<std::string>() : "";
}
std::string Key(const Json& obj) {
  std::string ns = Namespace(obj);
  return ns.empty() ? Name(obj) : ns + "/" + Name(obj);
}

}  // namespace hami::k8s
