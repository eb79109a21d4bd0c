#include "scheduler/model.h"

#include <nlohmann/json.hpp>

namespace hami::scheduler {
namespace {

using nlohmann::json;

const json* Child(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

std::string Str(const json& j, const char* key) {
  const json* c = Child(j, key);
  return c != nullptr && c->is_string() ? c->get<std::string>() : std::string();
}

Status StringMap(const json& j, const char* key, AnnotationMap& out, std::string_view where) {
  const json* c = Child(j, key);
  if (c == nullptr) return OkStatus();
  if (!c->is_object()) return InvalidArgumentError(std::string(where) + "." + key + ": not an object");
  for (auto it = c->begin(); it != c->end(); ++it) {
    if (!it.value().is_string()) {
      return InvalidArgumentError(std::string(where) + "." + key + "[" + it.key() + "]: not a string");
    }
    out.emplace(it.key(), it.value().get<std::string>());
  }
  return OkStatus();
}

Status Resources(const json& j, const char* key, ResourceList& out, std::string_view where) {
  const json* c = Child(j, key);
  if (c == nullptr) return OkStatus();
  if (!c->is_object()) return InvalidArgumentError(std::string(where) + ": not an object");
  for (auto it = c->begin(); it != c->end(); ++it) {
    std::string text;
    if (it.value().is_string()) {
      text = it.value().get<std::string>();
    } else if (it.value().is_number_integer()) {
      text = std::to_string(it.value().get<int64_t>());
    } else {
      return InvalidArgumentError(std::string(where) + "[" + it.key() + "]: not a quantity");
    }
    auto q = api::Quantity::Parse(text);
    if (!q.ok()) {
      return InvalidArgumentError(std::string(where) + "[" + it.key() + "]: " + q.status().message());
    }
    out.insert_or_assign(it.key(), *q);
  }
  return OkStatus();
}

Status Containers(const json& spec, const char* key, std::vector<vendors::ContainerResources>& out) {
  const json* list = Child(spec, key);
  if (list == nullptr) return OkStatus();
  if (!list->is_array()) return InvalidArgumentError(std::string("spec.") + key + ": not an array");
  for (size_t i = 0; i < list->size(); ++i) {
    const json& c = (*list)[i];
    std::string where = std::string("spec.") + key + "[" + std::to_string(i) + "]";
    if (!c.is_object()) return InvalidArgumentError(where + ": not an object");
    vendors::ContainerResources r;
    r.name = Str(c, "name");
    if (const json* res = Child(c, "resources")) {
      RETURN_IF_ERROR(Resources(*res, "limits", r.limits, where + ".resources.limits"));
      RETURN_IF_ERROR(Resources(*res, "requests", r.requests, where + ".resources.requests"));
    }
    out.push_back(std::move(r));
  }
  return OkStatus();
}

}  // namespace

bool Pod::InitContainersDone() const {
  if (init_containers.empty() || init_statuses.size() < init_containers.size()) return false;
  for (const auto& s : init_statuses) {
    if (!s.terminated || s.exit_code != 0) return false;
  }
  return true;
}

StatusOr<Pod> PodFromJson(const json& o) {
  try {
    if (!o.is_object()) return InvalidArgumentError("pod: not a JSON object");
    Pod p;
    const json* meta = Child(o, "metadata");
    if (meta == nullptr || !meta->is_object()) return InvalidArgumentError("pod: missing metadata");
    p.uid = Str(*meta, "uid");
    p.name = Str(*meta, "name");
    p.namespace_name = Str(*meta, "namespace");
    if (p.namespace_name.empty()) p.namespace_name = "default";
    p.deleting = Child(*meta, "deletionTimestamp") != nullptr;
    RETURN_IF_ERROR(StringMap(*meta, "annotations", p.annotations, "metadata"));
    RETURN_IF_ERROR(StringMap(*meta, "labels", p.labels, "metadata"));
    if (const json* spec = Child(o, "spec")) {
      p.node_name = Str(*spec, "nodeName");
      p.scheduler_name = Str(*spec, "schedulerName");
      RETURN_IF_ERROR(Containers(*spec, "initContainers", p.init_containers));
      RETURN_IF_ERROR(Containers(*spec, "containers", p.containers));
    }
    if (const json* st = Child(o, "status")) {
      p.phase = Str(*st, "phase");
      if (const json* ics = Child(*st, "initContainerStatuses"); ics && ics->is_array()) {
        for (const json& s : *ics) {
          InitContainerState state;
          const json* term = Child(s, "state") ? Child(*Child(s, "state"), "terminated") : nullptr;
          if (term != nullptr) {
            state.terminated = true;
            const json* code = Child(*term, "exitCode");
            state.exit_code = code && code->is_number_integer() ? code->get<int32_t>() : -1;
          }
          p.init_statuses.push_back(state);
        }
      }
    }
    return p;
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("pod: ") + e.what());
  }
}

StatusOr<Node> NodeFromJson(const json& o) {
  try {
    if (!o.is_object()) return InvalidArgumentError("node: not a JSON object");
    Node n;
    const json* meta = Child(o, "metadata");
    if (meta == nullptr) return InvalidArgumentError("node: missing metadata");
    n.name = Str(*meta, "name");
    if (n.name.empty()) return InvalidArgumentError("node: missing metadata.name");
    RETURN_IF_ERROR(StringMap(*meta, "annotations", n.annotations, "metadata"));
    RETURN_IF_ERROR(StringMap(*meta, "labels", n.labels, "metadata"));
    if (const json* st = Child(o, "status")) {
      RETURN_IF_ERROR(Resources(*st, "capacity", n.capacity, "status.capacity"));
      RETURN_IF_ERROR(Resources(*st, "allocatable", n.allocatable, "status.allocatable"));
    }
    return n;
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("node: ") + e.what());
  }
}

StatusOr<ResourceQuota> ResourceQuotaFromJson(const json& o) {
  try {
    ResourceQuota q;
    const json* meta = Child(o, "metadata");
    if (meta == nullptr) return InvalidArgumentError("resourcequota: missing metadata");
    q.name = Str(*meta, "name");
    q.namespace_name = Str(*meta, "namespace");
    if (const json* spec = Child(o, "spec")) {
      RETURN_IF_ERROR(Resources(*spec, "hard", q.hard, "spec.hard"));
    }
    return q;
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("resourcequota: ") + e.what());
  }
}

}  // namespace hami::scheduler
