#include "bench/cluster_load/vendor_mix.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <unordered_map>

#include "api/quantity.h"

namespace hami::bench::cluster_load {
namespace {

const Json* Path(const Json& obj, std::initializer_list<const char*> path) {
  const Json* cur = &obj;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string Str(const Json& obj, std::initializer_list<const char*> path) {
  const Json* v = Path(obj, path);
  return v != nullptr && v->is_string() ? v->get<std::string>() : "";
}

vendors::AnnotationMap StringMap(const Json* obj) {
  vendors::AnnotationMap out;
  if (obj == nullptr || !obj->is_object()) return out;
  for (auto it = obj->begin(); it != obj->end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

vendors::ResourceList Resources(const Json* obj) {
  vendors::ResourceList out;
  if (obj == nullptr || !obj->is_object()) return out;
  for (auto it = obj->begin(); it != obj->end(); ++it) {
    if (!it.value().is_string()) continue;
    auto q = api::Quantity::Parse(it.value().get<std::string>());
    if (q.ok()) out[it.key()] = *q;
  }
  return out;
}

void AddProblem(VendorMixReport* r, std::string text) {
  ++r->problem_count;
  if (r->problems.size() < 10) r->problems.push_back(std::move(text));
}

// A node's decoded inventory, device id -> (memory, slots).
struct NodeInventory {
  std::string vendor;
  std::unordered_map<std::string, std::pair<int64_t, int32_t>> devices;
  std::string error;
};

}  // namespace

StatusOr<std::vector<VendorPodTemplate>> ParseVendorExpectations(std::string_view expected_yaml) {
  try {
    YAML::Node root = YAML::Load(std::string(expected_yaml));
    std::vector<VendorPodTemplate> out;
    for (const auto& example : root["examples"]) {
      std::string file = example.first.as<std::string>();
      if (!file.starts_with("vendors/")) continue;
      for (const auto& pod : example.second) {
        VendorPodTemplate t;
        t.example = file;
        t.pod = pod.first.as<std::string>();
        t.spec_node = pod.second["node"].as<std::string>("");
        t.vendor = pod.second["vendor"].as<std::string>("");
        t.allocated = pod.second["allocated"].as<std::string>("");
        t.devices = pod.second["devices"].as<int>(0);
        if (t.spec_node.empty() || t.vendor.empty() || t.allocated.empty() || t.devices <= 0) {
          return InvalidArgumentError("expected.yaml: " + file + " " + t.pod +
                                      " needs node, vendor, allocated and devices");
        }
        out.push_back(std::move(t));
      }
    }
    if (out.empty()) return InvalidArgumentError("expected.yaml: no vendors/ examples");
    return out;
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string("expected.yaml: ") + e.what());
  }
}

Status ReadTemplateLimits(std::string_view pod_yaml, VendorPodTemplate* t) {
  try {
    YAML::Node pod = YAML::Load(std::string(pod_yaml));
    t->limits.clear();
    for (const auto& c : pod["spec"]["containers"]) {
      Json limits = Json::object();
      for (const auto& kv : c["resources"]["limits"]) {
        limits[kv.first.as<std::string>()] = kv.second.as<std::string>();
      }
      t->limits.push_back(std::move(limits));
    }
    if (t->limits.empty()) return InvalidArgumentError(t->example + ": no containers");
    return OkStatus();
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(t->example + ": " + e.what());
  }
}

std::string VendorNodeName(std::string_view prefix, const testing::SimVendorSpec& spec, int copy) {
  return std::string(prefix) + spec.node + "-" + std::to_string(copy);
}

Json VendorNodeObject(const testing::SimVendorSpec& spec, std::string_view name,
                      std::chrono::system_clock::time_point now, int max_pods) {
  testing::SimVendorSpec named = spec;
  named.node = std::string(name);
  Json resources = {{"cpu", "128"}, {"memory", "1024Gi"}, {"pods", std::to_string(max_pods)}};
  for (const auto& [resource, n] : spec.devices) resources[resource] = std::to_string(n);
  Json annotations = Json::object();
  for (const auto& [k, v] : testing::RenderNodeAnnotations(named, now)) annotations[k] = v;
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata",
           {{"name", named.node},
            {"labels", {{"kubernetes.io/hostname", named.node}, {std::string(kVendorNodeLabel), spec.vendor}}},
            {"annotations", annotations}}},
          {"status",
           {{"capacity", resources},
            {"allocatable", resources},
            {"conditions", Json::array({{{"type", "Ready"},
                                         {"status", "True"},
                                         {"reason", "Simulated"},
                                         {"message", "hami-cluster-load simulated " + spec.vendor + " node"}}})}}}};
}

size_t VendorTemplateOf(int index, size_t templates) {
  return templates == 0 ? 0 : static_cast<size_t>(index) % templates;
}

Json VendorPodObject(const VendorPodTemplate& t, const PodSpec& spec, int index) {
  Json containers = Json::array();
  for (size_t i = 0; i < t.limits.size(); ++i) {
    containers.push_back({{"name", i == 0 ? std::string("main") : "c" + std::to_string(i)},
                          {"image", "busybox"},
                          {"command", Json::array({"sleep", "infinity"})},
                          {"resources", {{"limits", t.limits[i]}}}});
  }
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", PodName(spec, index)},
            {"namespace", spec.ns},
            {"labels", {{"app", "hami-cluster-load"}, {std::string(kVendorNodeLabel), t.vendor}}}}},
          {"spec",
           {{"schedulerName", spec.extender_scheduler},
            {"terminationGracePeriodSeconds", 0},
            {"containers", containers}}}};
}

VendorMixReport CheckVendorMix(const std::vector<Json>& pods, const std::vector<Json>& nodes,
                               const std::vector<VendorPodTemplate>& templates,
                               const PodSpec& spec, const vendors::VendorList& vendors) {
  VendorMixReport r;
  auto find_vendor = [&](std::string_view keyword) -> const vendors::Vendor* {
    for (const auto& v : vendors) {
      if (v->names().keyword == keyword) return v.get();
    }
    return nullptr;
  };
  for (const VendorPodTemplate& t : templates) r.vendors[t.vendor];

  std::unordered_map<std::string, NodeInventory> inventory;  // node name -> devices
  for (const Json& node : nodes) {
    std::string name = Str(node, {"metadata", "name"});
    NodeInventory& inv = inventory[name];
    inv.vendor = Str(node, {"metadata", "labels", std::string(kVendorNodeLabel).c_str()});
    const vendors::Vendor* v = find_vendor(inv.vendor);
    if (v == nullptr) {
      inv.error = "vendor '" + inv.vendor + "' is not enabled";
      continue;
    }
    vendors::AnnotationMap annotations = StringMap(Path(node, {"metadata", "annotations"}));
    vendors::AnnotationMap labels = StringMap(Path(node, {"metadata", "labels"}));
    vendors::ResourceList capacity = Resources(Path(node, {"status", "capacity"}));
    vendors::ResourceList allocatable = Resources(Path(node, {"status", "allocatable"}));
    vendors::NodeView view{name, &annotations, &capacity, &allocatable, &labels};
    auto decoded = v->inventory().Decode(view);
    if (!decoded.ok()) {
      inv.error = decoded.status().ToString();
      continue;
    }
    for (const vendors::DeviceUsage& d : decoded->devices) {
      inv.devices[std::string(d.id)] = {d.total_mem_mib, d.count};
    }
  }

  struct Use {
    int64_t mem = 0;
    int32_t slots = 0;
  };
  std::map<std::string, std::map<std::string, Use>> use;  // vendor -> node/device -> use
  for (const Json& pod : pods) {
    std::string name = Str(pod, {"metadata", "name"});
    std::string node = Str(pod, {"spec", "nodeName"});
    int index = PodIndex(spec, name);
    if (index < 0 || node.empty() || templates.empty()) continue;
    ++r.pods_checked;
    const VendorPodTemplate& t = templates[VendorTemplateOf(index, templates.size())];
    VendorMixReport::PerVendor& pv = r.vendors[t.vendor];
    ++pv.pods_bound;
    auto inv = inventory.find(node);
    if (inv == inventory.end() || inv->second.vendor != t.vendor) {
      AddProblem(&r, "pod " + name + " (" + t.vendor + ") bound to " + node + " of vendor '" +
                         (inv == inventory.end() ? std::string("?") : inv->second.vendor) + "'");
      continue;
    }
    if (!inv->second.error.empty()) {
      AddProblem(&r, "node " + node + ": inventory: " + inv->second.error);
      continue;
    }
    const vendors::Vendor* v = find_vendor(t.vendor);
    vendors::AnnotationMap annotations = StringMap(Path(pod, {"metadata", "annotations"}));
    auto text = annotations.find(t.allocated);
    if (text == annotations.end()) {
      AddProblem(&r, "pod " + name + " on " + node + ": no " + t.allocated);
      continue;
    }
    auto decoded = v->annotator().DecodeAllocated(text->second);
    if (!decoded.ok()) {
      AddProblem(&r, "pod " + name + ": " + t.allocated + ": " + decoded.status().ToString());
      continue;
    }
    int count = 0;
    bool good = true;
    for (const api::ContainerDevices& container : *decoded) {
      for (const api::ContainerDevice& d : container) {
        ++count;
        auto dev = inv->second.devices.find(d.uuid);
        if (dev == inv->second.devices.end()) {
          AddProblem(&r, "pod " + name + " on " + node + " got device " + d.uuid + " not in the node's inventory");
          good = false;
          continue;
        }
        Use& u = use[t.vendor][node + "/" + d.uuid];
        u.mem += d.used_mem_mib;
        int32_t slots = v->annotator().Mark(annotations, d).slots;
        u.slots += slots > 0 ? slots : 1;
      }
    }
    if (count != t.devices) {
      AddProblem(&r, "pod " + name + ": " + std::to_string(count) + " devices, expected " + std::to_string(t.devices));
      good = false;
    }
    if (good) ++pv.pods_ok;
  }

  for (const auto& [vendor, devices] : use) {
    VendorMixReport::PerVendor& pv = r.vendors[vendor];
    pv.devices_used = static_cast<int>(devices.size());
    for (const auto& [key, u] : devices) {
      size_t slash = key.find('/');
      const auto& inv = inventory[key.substr(0, slash)].devices.at(key.substr(slash + 1));
      auto [total_mem, total_slots] = inv;
      pv.max_slots = std::max(pv.max_slots, u.slots);
      if (total_mem > 0) {
        pv.max_mem_fill = std::max(pv.max_mem_fill, double(u.mem) / double(total_mem));
        if (u.mem > total_mem) {
          AddProblem(&r, vendor + " device " + key + " over-committed: memory " + std::to_string(u.mem) + "/" +
                             std::to_string(total_mem) + " MiB");
        }
      }
      if (total_slots > 0 && u.slots > total_slots) {
        AddProblem(&r, vendor + " device " + key + " over-committed: " + std::to_string(u.slots) + "/" +
                           std::to_string(total_slots) + " slots");
      }
    }
  }
  return r;
}

}  // namespace hami::bench::cluster_load
