#include "extender/extender.h"

#include <algorithm>
#include <cctype>

#include "api/annotations.h"
#include "api/node_lock.h"

namespace hami::extender {
namespace {

using nlohmann::json;

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Go encoding/json field matching: exact name first, else case-insensitive.
const json* Field(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  if (auto it = obj.find(std::string(key)); it != obj.end()) return it->is_null() ? nullptr : &*it;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (EqualFold(it.key(), key)) return it->is_null() ? nullptr : &*it;
  }
  return nullptr;
}

StatusOr<json> ParseObject(std::string_view body) {
  json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError("request body is not valid JSON");
  if (!j.is_object()) return InvalidArgumentError("request body is not a JSON object");
  return j;
}

std::string FieldString(const json& obj, std::string_view key) {
  const json* f = Field(obj, key);
  return f != nullptr && f->is_string() ? f->get<std::string>() : std::string();
}

FilterOutcome FilterImpl(scheduler::Scheduler& sched, std::string_view body) {
  FilterOutcome out;
  auto req = ParseObject(body);
  if (!req.ok()) {
    out.response = FilterErrorResponse(req.status().message());
    return out;
  }
  const json* pod_json = Field(*req, "Pod");
  if (pod_json == nullptr) {
    out.response = FilterErrorResponse("request has no Pod");
    return out;
  }
  auto pod = scheduler::PodFromJson(*pod_json);
  if (!pod.ok()) {
    out.response = FilterErrorResponse(pod.status().message());
    return out;
  }
  out.pod_uid = pod->uid;
  out.pod_namespace = pod->namespace_name;
  out.pod_name = pod->name;

  if (const json* names_json = Field(*req, "NodeNames")) {
    if (!names_json->is_array()) {
      out.response = FilterErrorResponse("NodeNames is not an array");
      return out;
    }
    std::vector<std::string> names;
    names.reserve(names_json->size());
    for (const auto& n : *names_json) {
      if (!n.is_string()) {
        out.response = FilterErrorResponse("NodeNames holds a non-string");
        return out;
      }
      names.push_back(n.get<std::string>());
    }
    auto result = sched.Filter(*pod, names);
    if (!result.ok()) {
      out.response = FilterErrorResponse(result.status().message());
      return out;
    }
    if (!result->interested) {
      out.response = json{{"NodeNames", names}};
      return out;
    }
    if (result->decision) {
      out.response = json{{"NodeNames", json::array({result->decision->node})}};
      out.decision = std::move(result->decision);
      return out;
    }
    out.response = json{{"NodeNames", json::array()}, {"FailedNodes", result->failed_nodes}};
    return out;
  }

  if (const json* nodes_json = Field(*req, "Nodes")) {
    const json* items = Field(*nodes_json, "items");
    if (items == nullptr || !items->is_array()) {
      // An empty NodeList.
      out.response = json{{"Nodes", {{"metadata", json::object()}, {"items", json::array()}}}};
      return out;
    }
    std::vector<scheduler::Node> nodes;
    json failed = json::object();
    for (const auto& item : *items) {
      auto n = scheduler::NodeFromJson(item);
      if (!n.ok()) {
        out.response = FilterErrorResponse("Nodes: " + n.status().message());
        return out;
      }
      nodes.push_back(std::move(*n));
    }
    auto result = sched.Simulate(*pod, nodes);
    if (!result.ok()) {
      out.response = FilterErrorResponse(result.status().message());
      return out;
    }
    if (!result->interested) {
      out.response = json{{"Nodes", *nodes_json}};
      return out;
    }
    json chosen = json::array();
    if (result->decision) {
      for (size_t i = 0; i < nodes.size(); ++i) {
        if (nodes[i].name == result->decision->node) chosen.push_back((*items)[i]);
      }
    }
    out.response = json{{"Nodes", {{"metadata", json::object()}, {"items", chosen}}},
                        {"FailedNodes", result->failed_nodes}};
    return out;
  }
  out.response = FilterErrorResponse("request has neither NodeNames nor Nodes");
  return out;
}

}  // namespace

nlohmann::json FilterErrorResponse(std::string_view message) {
  return json{{"Error", std::string(message)}};
}

FilterOutcome HandleFilter(scheduler::Scheduler& sched, std::string_view body) {
  try {
    return FilterImpl(sched, body);
  } catch (const std::exception& e) {
    FilterOutcome out;
    out.response = FilterErrorResponse(std::string("internal error: ") + e.what());
    return out;
  }
}

StatusOr<BindArgs> ParseBindArgs(std::string_view body) {
  try {
    ASSIGN_OR_RETURN(json j, ParseObject(body));
    BindArgs a;
    a.pod_name = FieldString(j, "PodName");
    a.pod_namespace = FieldString(j, "PodNamespace");
    a.pod_uid = FieldString(j, "PodUID");
    a.node = FieldString(j, "Node");
    if (a.pod_name.empty()) return InvalidArgumentError("bind request has no PodName");
    if (a.node.empty()) return InvalidArgumentError("bind request has no Node");
    if (a.pod_namespace.empty()) a.pod_namespace = "default";
    return a;
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("bind request: ") + e.what());
  }
}

StatusOr<BindPlan> PlanBind(const scheduler::Scheduler& sched, const BindArgs& args,
                            const scheduler::Pod& pod, int64_t now_unix_seconds) {
  if (!args.pod_uid.empty() && !pod.uid.empty() && args.pod_uid != pod.uid) {
    return FailedPreconditionError("pod " + args.pod_namespace + "/" + args.pod_name +
                                   " has UID " + pod.uid + ", bind asked for " + args.pod_uid);
  }
  std::optional<std::string> reserved = sched.PodNode(pod.uid);
  if (!reserved) {
    if (auto it = pod.annotations.find(api::kVgpuNode); it != pod.annotations.end()) reserved = it->second;
  }
  if (!reserved) {
    return FailedPreconditionError("pod " + args.pod_namespace + "/" + args.pod_name +
                                   " has no device reservation; filter must run first");
  }
  if (*reserved != args.node) {
    return FailedPreconditionError("pod " + args.pod_namespace + "/" + args.pod_name + " was filtered to node " +
                                   *reserved + ", not " + args.node);
  }
  BindPlan plan;
  for (const auto& v : sched.vendors()) {
    const auto& n = v->names();
    if (n.node_lock == vendors::NodeLockKind::kNone) continue;
    bool asks = false;
    for (const auto& c : pod.containers) asks = asks || v->parser().Parse(c).has_value();
    if (!asks) continue;
    if (n.node_lock == vendors::NodeLockKind::kHami) {
      plan.needs_node_lock = true;
    } else if (std::find(plan.time_locks.begin(), plan.time_locks.end(), n.node_lock_annotation) ==
               plan.time_locks.end()) {
      plan.time_locks.push_back(n.node_lock_annotation);
    }
  }
  plan.annotations[std::string(api::kBindPhase)] = std::string(api::kBindPhaseAllocating);
  plan.annotations[std::string(api::kBindTime)] = api::EncodeUnixSeconds(now_unix_seconds);
  return plan;
}

nlohmann::json BindResponse(const Status& status) {
  if (status.ok()) return json::object();
  return json{{"Error", status.message()}};
}

}  // namespace hami::extender
