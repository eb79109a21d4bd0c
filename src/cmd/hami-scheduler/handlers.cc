#include "cmd/hami-scheduler/handlers.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "api/reasons.h"
#include "cmd/hami-scheduler/time_lock.h"
#include "common/log.h"
#include "extender/extender.h"

namespace hami::schedulerd {
namespace {

using Json = nlohmann::json;
using Steady = std::chrono::steady_clock;
constexpr std::string_view kComponent = "scheduler";

std::string ErrorBody(std::string_view message) {
  return Json{{"Error", std::string(message)}}.dump();
}

Json AnnotationsJson(const scheduler::AnnotationMap& map) {
  Json out = Json::object();
  for (const auto& [k, v] : map) out[k] = v;
  return out;
}

void Reply(httplib::Response& res, const std::string& body) {
  res.status = 200;
  res.set_content(body, "application/json");
}

}  // namespace

Handlers::Handlers(HandlerDeps deps) : deps_(std::move(deps)) {}

std::string Handlers::Filter(std::string_view body) {
  ScopedPermit permit(deps_.filter_limiter);
  if (!permit.status().ok()) {
    if (deps_.metrics != nullptr) deps_.metrics->FilterError("overloaded");
    return extender::FilterErrorResponse(permit.status().message()).dump();
  }
  auto start = Steady::now();
  std::string out;
  std::string result = "error";
  try {
    out = FilterImpl(body);
    Json parsed = Json::parse(out, nullptr, false);
    if (parsed.is_object()) {
      auto err = parsed.find("Error");
      bool has_error = err != parsed.end() && err->is_string() && !err->get<std::string>().empty();
      auto names = parsed.find("NodeNames");
      bool no_nodes = names != parsed.end() && names->is_array() && names->empty();
      result = has_error ? "error" : (no_nodes ? "unschedulable" : "success");
    }
  } catch (const std::exception& e) {
    out = extender::FilterErrorResponse(std::string("internal error: ") + e.what()).dump();
    if (deps_.metrics != nullptr) deps_.metrics->FilterError("exception");
  }
  if (deps_.metrics != nullptr) deps_.metrics->ObserveFilter(Steady::now() - start, result);
  return out;
}

void Handlers::WaitForNodeLockRelease(const std::string& node,
                                      std::chrono::steady_clock::time_point until) const {
  if (deps_.nodes == nullptr) {
    std::this_thread::sleep_until(until);
    return;
  }
  // The lock holder's release shows in the node cache within milliseconds;
  // polling the cache costs no API call. A stale holder never releases: the
  // next Lock() after `until` takes such a lock over.
  while (Steady::now() < until) {
    k8s::ObjectPtr cached = deps_.nodes->Get(node);
    if (cached == nullptr || k8s::Annotation(*cached, k8s::kNodeLockAnnotation).empty()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool Handlers::WaitForCaches() const {
  if (!deps_.caches_synced) return true;
  auto deadline = Steady::now() + deps_.sync_wait;
  while (!deps_.caches_synced()) {
    if (Steady::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::string Handlers::FilterImpl(std::string_view body) {
  if (!WaitForCaches()) {
    if (deps_.metrics != nullptr) deps_.metrics->FilterError("not_synced");
    return extender::FilterErrorResponse("hami-scheduler caches are not synced yet").dump();
  }
  extender::FilterOutcome outcome = extender::HandleFilter(*deps_.scheduler, body);
  k8s::Json pod_ref = k8s::PodRef(outcome.pod_namespace, outcome.pod_name, outcome.pod_uid);
  if (!outcome.decision.has_value()) {
    auto failed = outcome.response.find("FailedNodes");
    if (deps_.events != nullptr && !outcome.pod_name.empty() && failed != outcome.response.end() &&
        failed->is_object() && !failed->empty()) {
      deps_.events->Warning(pod_ref, api::reasons::kEventFilteringFailed, SummarizeFailedNodes(*failed));
    }
    return outcome.response.dump();
  }
  const scheduler::FilterDecision& d = *outcome.decision;
  if (deps_.client != nullptr) {
    Json patch = {{"metadata",
                   {{"annotations", AnnotationsJson(d.annotations)},
                    {"labels", AnnotationsJson(d.labels)}}}};
    auto patched = deps_.client->MergePatch(k8s::kPods, outcome.pod_namespace, outcome.pod_name,
                                            patch);
    if (!patched.ok()) {
      deps_.scheduler->Unreserve(outcome.pod_uid);
      if (deps_.metrics != nullptr) deps_.metrics->FilterError("patch_failed");
      log::Warn(kComponent, "filter: pod patch failed",
                {{"pod", outcome.pod_namespace + "/" + outcome.pod_name},
                 {"error", patched.status().ToString()}});
      if (deps_.events != nullptr) {
        deps_.events->Warning(pod_ref, api::reasons::kEventFilteringFailed,
                              "cannot record the allocation on the pod: " + patched.status().ToString());
      }
      return extender::FilterErrorResponse("patch pod annotations: " +
                                           patched.status().ToString())
          .dump();
    }
  }
  log::Info(kComponent, "filter: node chosen",
            {{"pod", outcome.pod_namespace + "/" + outcome.pod_name}, {"node", d.node}});
  if (deps_.events != nullptr && deps_.success_events) {
    char score[32];
    std::snprintf(score, sizeof score, "%.2f", d.score);
    deps_.events->Normal(pod_ref, api::reasons::kEventFilteringSucceed,
                         "find fit node(" + d.node + "), score " + score);
  }
  return outcome.response.dump();
}

std::string Handlers::Bind(std::string_view body) {
  ScopedPermit permit(deps_.bind_limiter);
  if (!permit.status().ok()) {
    if (deps_.metrics != nullptr) deps_.metrics->BindError("overloaded");
    return extender::BindResponse(permit.status()).dump();
  }
  auto start = Steady::now();
  auto args = extender::ParseBindArgs(body);  // parsed once: bind and its event
  Status status;
  try {
    status = args.ok() ? BindImpl(*args) : args.status();
  } catch (const std::exception& e) {
    status = InternalError(std::string("internal error: ") + e.what());
  }
  if (!status.ok() && deps_.metrics != nullptr) deps_.metrics->BindError("bind_failed");
  if (deps_.events != nullptr && args.ok() && !args->pod_name.empty()) {
    k8s::Json ref = k8s::PodRef(args->pod_namespace, args->pod_name, args->pod_uid);
    if (!status.ok()) {
      deps_.events->Warning(ref, api::reasons::kEventBindingFailed,
                            "binding to node " + args->node + " failed: " + status.ToString());
    } else if (deps_.success_events) {
      deps_.events->Normal(ref, api::reasons::kEventBindingSucceed,
                           "Successfully binding node [" + args->node + "] to " +
                               args->pod_namespace + "/" + args->pod_name);
    }
  }
  if (deps_.metrics != nullptr) {
    deps_.metrics->ObserveBind(Steady::now() - start, status.ok() ? "success" : "error");
  }
  return extender::BindResponse(status).dump();
}

Status Handlers::BindImpl(const extender::BindArgs& args) {
  if (deps_.client == nullptr) return FailedPreconditionError("no API client");
  std::string key = args.pod_namespace + "/" + args.pod_name;

  Json pod_json;
  k8s::ObjectPtr cached = deps_.pods != nullptr ? deps_.pods->Get(key) : nullptr;
  if (cached != nullptr) {
    pod_json = *cached;
  } else {
    ASSIGN_OR_RETURN(pod_json, deps_.client->Get(k8s::kPods, args.pod_namespace, args.pod_name));
  }
  ASSIGN_OR_RETURN(scheduler::Pod pod, scheduler::PodFromJson(pod_json));
  int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                      deps_.clock->Now().time_since_epoch())
                      .count();
  ASSIGN_OR_RETURN(extender::BindPlan plan,
                   extender::PlanBind(*deps_.scheduler, args, pod, now_s));

  bool locked = false;
  if (plan.needs_node_lock && deps_.locker != nullptr) {
    Status lock;
    auto deadline = Steady::now() + deps_.node_lock_wait;
    while (true) {
      lock = deps_.locker->Lock(args.node, args.pod_namespace, args.pod_name);
      if (lock.ok() || lock.code() != StatusCode::kResourceExhausted) break;
      if (Steady::now() >= deadline) break;
      WaitForNodeLockRelease(args.node, std::min(deadline, Steady::now() + deps_.node_lock_backoff));
    }
    if (!lock.ok()) {
      log::Warn(kComponent, "bind: node lock failed",
                {{"pod", key}, {"node", args.node}, {"error", lock.ToString()}});
      return lock;
    }
    locked = true;
  }
  std::vector<std::string> time_locks;  // taken, in order
  auto release = [&] {
    for (auto it = time_locks.rbegin(); it != time_locks.rend(); ++it) {
      if (Status r = ReleaseTimeLock(*deps_.client, args.node, *it); !r.ok()) {
        log::Warn(kComponent, "bind: node lock release failed",
                  {{"node", args.node}, {"lock", *it}, {"error", r.ToString()}});
      }
    }
    if (!locked) return;
    Status r = deps_.locker->Release(args.node, args.pod_namespace, args.pod_name);
    if (!r.ok()) {
      log::Warn(kComponent, "bind: node lock release failed",
                {{"node", args.node}, {"error", r.ToString()}});
    }
  };
  for (const std::string& lock_key : plan.time_locks) {
    if (Status t = TakeTimeLock(*deps_.client, *deps_.clock, args.node, lock_key); !t.ok()) {
      log::Warn(kComponent, "bind: node lock failed",
                {{"pod", key}, {"node", args.node}, {"lock", lock_key}, {"error", t.ToString()}});
      release();
      return t;
    }
    time_locks.push_back(lock_key);
  }

  Json patch = {{"metadata", {{"annotations", AnnotationsJson(plan.annotations)}}}};
  auto patched = deps_.client->MergePatch(k8s::kPods, args.pod_namespace, args.pod_name, patch);
  if (!patched.ok()) {
    release();
    return patched.status();
  }
  if (Status b = deps_.client->Bind(args.pod_namespace, args.pod_name, args.pod_uid, args.node);
      !b.ok()) {
    release();
    Json failed = {{"metadata", {{"annotations", {{"hami.io/bind-phase", "failed"}}}}}};
    (void)deps_.client->MergePatch(k8s::kPods, args.pod_namespace, args.pod_name, failed);
    log::Warn(kComponent, "bind failed", {{"pod", key}, {"node", args.node}, {"error", b.ToString()}});
    return b;
  }
  log::Info(kComponent, "bound", {{"pod", key}, {"node", args.node}});
  return OkStatus();
}

std::string Handlers::Webhook(std::string_view body) {
  ScopedPermit permit(deps_.webhook_limiter);
  if (!permit.status().ok()) {
    return OverloadedAdmissionResponse(body, deps_.device_resources, permit.status().message());
  }
  auto start = Steady::now();
  std::string out;
  std::string result = "success";
  try {
    out = deps_.webhook->Handle(body).dump();
  } catch (const std::exception& e) {
    out = ErrorBody(std::string("internal error: ") + e.what());
    result = "error";
  }
  if (deps_.metrics != nullptr) deps_.metrics->ObserveWebhook(Steady::now() - start, result);
  return out;
}

void Handlers::Register(httplib::Server* server) {
  server->set_payload_max_length(kMaxBodyBytes);
  server->set_read_timeout(kReadTimeout);
  server->set_write_timeout(kWriteTimeout);
  server->set_keep_alive_timeout(kKeepAliveIdle.count());
  server->set_keep_alive_max_count(kKeepAliveMaxRequests);
  server->set_tcp_nodelay(true);  // answers go out at once, not after a delayed ACK
  server->Post("/filter", [this](const httplib::Request& req, httplib::Response& res) {
    Reply(res, Filter(req.body));
  });
  server->Post("/bind", [this](const httplib::Request& req, httplib::Response& res) {
    Reply(res, Bind(req.body));
  });
  server->Post("/webhook", [this](const httplib::Request& req, httplib::Response& res) {
    Reply(res, Webhook(req.body));
  });
  auto ok = [](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content("ok", "text/plain");
  };
  server->Get("/healthz", ok);
  server->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    bool ready = !deps_.caches_synced || deps_.caches_synced();
    res.status = ready ? 200 : 503;
    res.set_content(ready ? "ok" : "caches not synced", "text/plain");
  });
  server->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what += std::string(": ") + e.what();
        } catch (...) {
        }
        Reply(res, ErrorBody(what));
      });
  server->set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 413 && req.method == "POST") {
      Reply(res, ErrorBody("request body larger than 1 MiB"));
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }));
}

std::string SummarizeFailedNodes(const Json& failed_nodes) {
  if (!failed_nodes.is_object()) return "no available node";
  std::map<std::string, std::vector<std::string>> by_reason;
  for (const auto& [node, reason] : failed_nodes.items()) {
    by_reason[reason.is_string() ? reason.get<std::string>() : reason.dump()].push_back(node);
  }
  std::string out = "no available node, " + std::to_string(failed_nodes.size()) + " nodes do not meet: ";
  bool first = true;
  for (auto& [reason, nodes] : by_reason) {
    std::sort(nodes.begin(), nodes.end());
    out += first ? "" : "; ";
    first = false;
    out += std::to_string(nodes.size()) + " nodes " + reason + "(";
    for (size_t i = 0; i < nodes.size() && i < 5; ++i) out += (i ? "," : "") + nodes[i];
    if (nodes.size() > 5) out += ",...";
    out += ")";
  }
  return out;
}

std::string OverloadedAdmissionResponse(std::string_view body,
                                        const std::vector<std::string>& device_resources,
                                        std::string_view message) {
  // Keep only what the answer needs: the pod (request.object and
  // request.oldObject) is skipped, not built.
  Json review = Json::parse(
      body.begin(), body.end(),
      [](int depth, Json::parse_event_t event, Json& parsed) {
        if (event != Json::parse_event_t::key || depth != 2 || !parsed.is_string()) return true;
        const std::string& key = parsed.get_ref<const std::string&>();
        return key != "object" && key != "oldObject";
      },
      false);
  std::string api_version = "admission.k8s.io/v1";
  std::string uid;
  if (review.is_object()) {
    auto v = review.find("apiVersion");
    if (v != review.end() && v->is_string() && *v == "admission.k8s.io/v1beta1") api_version = *v;
    auto req = review.find("request");
    if (req != review.end() && req->is_object()) {
      auto u = req->find("uid");
      if (u != req->end() && u->is_string()) uid = u->get<std::string>();
    }
  }
  bool names_device = false;
  for (const std::string& r : device_resources) {
    if (!r.empty() && body.find(r) != std::string_view::npos) {
      names_device = true;
      break;
    }
  }
  Json resp = {{"uid", uid}, {"allowed", !names_device}};
  if (names_device) {
    resp["status"] = {{"code", 429},
                      {"reason", "TooManyRequests"},
                      {"message", std::string(message) +
                                      " (a pod asking for devices is not admitted unmutated)"}};
  }
  return Json{{"apiVersion", api_version}, {"kind", "AdmissionReview"}, {"response", resp}}.dump();
}

namespace {

void UpsertPodFrom(scheduler::Scheduler* s, k8s::EventRecorder* events, const k8s::ObjectPtr& obj) {
  auto pod = scheduler::PodFromJson(*obj);
  Status st = pod.ok() ? s->UpsertPod(*pod) : pod.status();
  if (st.ok()) return;
  log::Warn(kComponent, "malformed pod skipped", {{"pod", k8s::Key(*obj)}, {"error", st.ToString()}});
  if (events != nullptr) {
    events->Warning(k8s::PodRef(k8s::Namespace(*obj), k8s::Name(*obj), k8s::Uid(*obj)),
                    api::reasons::kEventInvalidAllocation,
                    "hami-scheduler cannot read this pod's device annotations (usage recorded "
                    "before, if any, is kept): " + st.ToString());
  }
}

void UpsertQuotaFrom(scheduler::Scheduler* s, const k8s::ObjectPtr& obj) {
  auto quota = scheduler::ResourceQuotaFromJson(*obj);
  if (!quota.ok()) return;
  s->UpsertQuota(*quota);
}

}  // namespace

k8s::InformerHandlers PodHandlers(scheduler::Scheduler* s, k8s::EventRecorder* events) {
  k8s::InformerHandlers h;
  h.on_add = [s, events](const k8s::ObjectPtr& o) { UpsertPodFrom(s, events, o); };
  h.on_update = [s, events](const k8s::ObjectPtr&, const k8s::ObjectPtr& o) {
    UpsertPodFrom(s, events, o);
  };
  h.on_delete = [s](const k8s::ObjectPtr& o) { s->RemovePod(k8s::Uid(*o)); };
  return h;
}

k8s::InformerHandlers QuotaHandlers(scheduler::Scheduler* s) {
  k8s::InformerHandlers h;
  h.on_add = [s](const k8s::ObjectPtr& o) { UpsertQuotaFrom(s, o); };
  h.on_update = [s](const k8s::ObjectPtr&, const k8s::ObjectPtr& o) { UpsertQuotaFrom(s, o); };
  h.on_delete = [s](const k8s::ObjectPtr& o) {
    s->RemoveQuota(k8s::Namespace(*o), k8s::Name(*o));
  };
  return h;
}

}  // namespace hami::schedulerd
