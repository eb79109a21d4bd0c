#include "webhook/webhook.h"

#include <map>

#include "scheduler/model.h"

namespace hami::webhook {
namespace {

using nlohmann::json;

std::string Base64(std::string_view in) {
  static constexpr char kTable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kTable[(v >> 18) & 63], out += kTable[(v >> 12) & 63], out += kTable[(v >> 6) & 63],
        out += kTable[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kTable[(v >> 18) & 63], out += kTable[(v >> 12) & 63], out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kTable[(v >> 18) & 63], out += kTable[(v >> 12) & 63], out += kTable[(v >> 6) & 63], out += '=';
  }
  return out;
}

struct Verdict {
  bool allowed = true;
  int code = 200;
  std::string message;
  json patch;  // null = no patch
};

Verdict Deny(int code, std::string message) { return {false, code, std::move(message), nullptr}; }

// Reads a container's resources (limits and requests) into `out`.
Status ReadResources(const json& ctr, vendors::ContainerResources& out) {
  out.name = ctr.contains("name") && ctr["name"].is_string() ? ctr["name"].get<std::string>() : "";
  if (!ctr.contains("resources") || !ctr["resources"].is_object()) return OkStatus();
  for (const char* kind : {"limits", "requests"}) {
    const json& res = ctr["resources"];
    if (!res.contains(kind) || res[kind].is_null()) continue;
    if (!res[kind].is_object()) return InvalidArgumentError("container " + out.name + ": resources." + kind + " is not an object");
    auto& dst = std::string_view(kind) == "limits" ? out.limits : out.requests;
    for (auto it = res[kind].begin(); it != res[kind].end(); ++it) {
      std::string text = it->is_string() ? it->get<std::string>()
                         : it->is_number_integer() ? std::to_string(it->get<int64_t>())
                                                   : std::string("<not a quantity>");
      auto q = api::Quantity::Parse(text);
      if (!q.ok()) {
        return InvalidArgumentError("container " + out.name + ": resources." + kind + "[" + it.key() +
                                    "]: " + q.status().message());
      }
      dst.insert_or_assign(it.key(), *q);
    }
  }
  return OkStatus();
}

void AddEnv(json& ctr, const std::string& name, const std::string& value) {
  if (!ctr.contains("env") || !ctr["env"].is_array()) ctr["env"] = json::array();
  for (const auto& e : ctr["env"]) {
    if (e.is_object() && e.value("name", "") == name) return;
  }
  ctr["env"].push_back({{"name", name}, {"value", value}});
}

bool Privileged(const json& ctr) {
  if (!ctr.contains("securityContext") || !ctr["securityContext"].is_object()) return false;
  const json& sc = ctr["securityContext"];
  return sc.contains("privileged") && sc["privileged"].is_boolean() && sc["privileged"].get<bool>();
}

}  // namespace

Webhook::Webhook(const vendors::VendorList& vendors, WebhookOptions options, const scheduler::Scheduler* quota)
    : vendors_(vendors), options_(std::move(options)), quota_(quota) {}

nlohmann::json Webhook::Handle(std::string_view body) const {
  std::string api_version = "admission.k8s.io/v1";
  std::string uid;
  auto reply = [&](const Verdict& v) {
    json resp = {{"uid", uid}, {"allowed", v.allowed}};
    if (!v.allowed) {
      resp["status"] = {{"code", v.code}, {"message", v.message}};
      if (v.code == 403) resp["status"]["reason"] = "Forbidden";
    } else if (!v.patch.is_null() && !v.patch.empty()) {
      resp["patchType"] = "JSONPatch";
      resp["patch"] = Base64(v.patch.dump());
    }
    return json{{"apiVersion", api_version}, {"kind", "AdmissionReview"}, {"response", resp}};
  };
  try {
    json review = json::parse(body.begin(), body.end(), nullptr, false);
    if (review.is_discarded() || !review.is_object()) return reply(Deny(400, "request body is not a JSON object"));
    if (review.contains("apiVersion") && review["apiVersion"].is_string()) {
      std::string v = review["apiVersion"].get<std::string>();
      if (v == "admission.k8s.io/v1beta1" || v == "admission.k8s.io/v1") api_version = v;
    }
    if (!review.contains("request") || !review["request"].is_object()) {
      return reply(Deny(400, "AdmissionReview has no request"));
    }
    const json& request = review["request"];
    if (request.contains("uid") && request["uid"].is_string()) uid = request["uid"].get<std::string>();
    if (!request.contains("object") || !request["object"].is_object()) {
      return reply(Deny(400, "AdmissionReview request has no object (pod)"));
    }
    const json& original = request["object"];
    json pod = original;
    if (!pod.contains("spec") || !pod["spec"].is_object()) return reply(Deny(400, "pod has no spec"));
    json& spec = pod["spec"];
    const bool has_containers = spec.contains("containers") && spec["containers"].is_array() &&
                                !spec["containers"].empty();
    if (!has_containers) return reply(Deny(403, "pod has no containers"));
    const std::string scheduler_name = spec.value("schedulerName", "");
    if (!scheduler_name.empty() &&
        (scheduler_name != "default-scheduler" || !options_.force_overwrite_default_scheduler) &&
        scheduler_name != options_.scheduler_name) {
      return reply(Verdict{});  // pod already has a different scheduler
    }
    bool has_resource = false;
    std::optional<std::string> runtime_class;
    std::map<std::string, std::string> pod_annotations;
    vendors::AnnotationMap existing_annotations;  // what the vendors may read
    if (pod.contains("metadata") && pod["metadata"].is_object() && pod["metadata"].contains("annotations") &&
        pod["metadata"]["annotations"].is_object()) {
      for (const auto& [k, val] : pod["metadata"]["annotations"].items()) {
        if (val.is_string()) existing_annotations[k] = val.get<std::string>();
      }
    }
    for (const char* list : {"initContainers", "containers"}) {
      if (!spec.contains(list) || !spec[list].is_array()) continue;
      for (json& ctr : spec[list]) {
        if (!ctr.is_object()) return reply(Deny(400, std::string("spec.") + list + " holds a non-object"));
        vendors::ContainerResources res;
        res.pod_annotations = &existing_annotations;
        if (Status s = ReadResources(ctr, res); !s.ok()) return reply(Deny(400, s.message()));
        const vendors::ResourceList before = res.limits;
        const vendors::ResourceList before_requests = res.requests;
        for (const auto& v : vendors_) {
          auto effect = v->mutator().Mutate(res);
          if (!effect.ok()) return reply(Deny(500, effect.status().message()));
          has_resource = has_resource || effect->has_resource;
          for (const auto& [k, val] : effect->env) AddEnv(ctr, k, val);
          for (const auto& [k, val] : effect->pod_annotations) pod_annotations[k] = val;
          if (effect->runtime_class) runtime_class = effect->runtime_class;
        }
        for (const auto& [name, q] : res.limits) {
          auto it = before.find(name);
          if (it == before.end() || !(it->second == q)) {
            ctr["resources"]["limits"][name] = q.ToString();
          }
        }
        for (const auto& [name, q] : res.requests) {  // a vendor may round a request (Kunlun vXPU)
          auto it = before_requests.find(name);
          if (it == before_requests.end() || !(it->second == q)) {
            ctr["resources"]["requests"][name] = q.ToString();
          }
        }
      }
    }
    if (has_resource) {
      for (const char* list : {"initContainers", "containers"}) {
        if (!spec.contains(list) || !spec[list].is_array()) continue;
        for (const json& ctr : spec[list]) {
          if (Privileged(ctr)) return reply(Deny(403, "container " + ctr.value("name", "") + " is privileged"));
        }
      }
      if (!options_.scheduler_name.empty()) spec["schedulerName"] = options_.scheduler_name;
      if (spec.contains("nodeName") && spec["nodeName"].is_string() && !spec["nodeName"].get<std::string>().empty()) {
        return reply(Deny(403, "pod has node assigned (spec.nodeName); GPU pods must be placed by " +
                                   options_.scheduler_name));
      }
      if (runtime_class && (!spec.contains("runtimeClassName") || spec["runtimeClassName"].is_null())) {
        spec["runtimeClassName"] = *runtime_class;
      }
      for (const auto& [k, val] : pod_annotations) {
        if (!pod.contains("metadata") || !pod["metadata"].is_object()) pod["metadata"] = json::object();
        pod["metadata"]["annotations"][k] = val;
      }
    }
    if (quota_ != nullptr) {
      json for_quota = pod;
      if (!for_quota.contains("metadata") || !for_quota["metadata"].is_object()) for_quota["metadata"] = json::object();
      if (request.contains("namespace") && request["namespace"].is_string() &&
          !for_quota["metadata"].contains("namespace")) {
        for_quota["metadata"]["namespace"] = request["namespace"];
      }
      auto p = scheduler::PodFromJson(for_quota);
      if (!p.ok()) return reply(Deny(400, p.status().message()));
      if (Status s = quota_->CheckQuota(*p); !s.ok()) return reply(Deny(403, s.message()));
    }
    Verdict ok;
    ok.patch = json::diff(original, pod);
    return reply(ok);
  } catch (const std::exception& e) {
    return reply(Deny(500, std::string("internal error: ") + e.what()));
  }
}

}  // namespace hami::webhook
