// TEST DOUBLE (never shipped): see sim_vendor_node.h.
#include "sim_vendor_node.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "api/annotations.h"
#include "api/node_lock.h"

namespace hami::testing {
namespace {

using ::v1beta1::AllocateRequest;
using ::v1beta1::AllocateResponse;
using ::v1beta1::ContainerAllocateResponse;

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

int64_t BindTime(const deviceplugin::PodInfo& pod) {
  auto it = pod.annotations.find(std::string(api::kBindTime));
  int64_t t = 0;
  if (it != pod.annotations.end()) std::from_chars(it->second.data(), it->second.data() + it->second.size(), t);
  return t;
}

StatusOr<SimVendorSpec> SpecFrom(const YAML::Node& n) {
  SimVendorSpec s;
  s.node = n["name"].as<std::string>("");
  s.vendor = n["vendor"].as<std::string>("");
  s.env = n["env"].as<std::string>("");
  if (s.node.empty() || s.vendor.empty() || s.env.empty()) {
    return InvalidArgumentError("every simulated vendor node needs name, vendor and env");
  }
  if (n["primary"]) s.primary = n["primary"].as<std::vector<std::string>>();
  if (n["devices"]) s.devices = n["devices"].as<std::map<std::string, int>>();
  if (n["annotations"]) s.annotations = n["annotations"].as<std::map<std::string, std::string>>();
  return s;
}

}  // namespace

StatusOr<std::vector<SimVendorSpec>> ParseSimVendorSpecs(std::string_view yaml_text) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    std::vector<SimVendorSpec> out;
    for (const YAML::Node& n : root["nodes"]) {
      ASSIGN_OR_RETURN(SimVendorSpec s, SpecFrom(n));
      out.push_back(std::move(s));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string("simulated vendor nodes: ") + e.what());
  }
}

std::map<std::string, std::string> RenderNodeAnnotations(const SimVendorSpec& spec,
                                                         std::chrono::system_clock::time_point now) {
  std::map<std::string, std::string> out;
  for (auto [key, value] : spec.annotations) {
    ReplaceAll(value, "{node}", spec.node);
    ReplaceAll(value, "{now}", api::FormatRfc3339(now));
    out[key] = value;
  }
  return out;
}

SimVendorNode::SimVendorNode(deviceplugin::ClusterApi* api, const vendors::Vendor* vendor, SimVendorSpec spec)
    : api_(api), vendor_(vendor), spec_(std::move(spec)) {
  if (spec_.primary.empty()) spec_.primary.push_back(vendor_->names().count_resource);
}

Status SimVendorNode::PublishInventory(std::chrono::system_clock::time_point now) {
  deviceplugin::AnnotationPatch patch;
  for (auto& [key, value] : RenderNodeAnnotations(spec_, now)) patch[key] = value;
  if (patch.empty()) return OkStatus();
  return api_->PatchNodeAnnotations(spec_.node, patch);
}

bool SimVendorNode::IsPrimary(std::string_view resource) const {
  return std::find(spec_.primary.begin(), spec_.primary.end(), resource) != spec_.primary.end();
}

StatusOr<AllocateResponse> SimVendorNode::Allocate(std::string_view resource, const AllocateRequest& request) {
  std::lock_guard lock(mu_);
  AllocateResponse out;
  for (int i = 0; i < request.container_requests_size(); ++i) {
    if (!IsPrimary(resource)) {
      out.add_container_responses();  // units of memory/cores: nothing to hand over
      continue;
    }
    ASSIGN_OR_RETURN(ContainerAllocateResponse r, AllocateContainer());
    *out.add_container_responses() = std::move(r);
  }
  return out;
}

// The pod kubelet admits now: pending on this node, scheduled to this vendor
// (its allocated annotation) and not yet fully allocated; the earliest bound.
StatusOr<ContainerAllocateResponse> SimVendorNode::AllocateContainer() {
  const vendors::VendorNames& names = vendor_->names();
  ASSIGN_OR_RETURN(std::vector<deviceplugin::PodInfo> pods, api_->ListPodsOnNode(spec_.node));
  std::erase_if(pods, [&](const deviceplugin::PodInfo& p) {
    return p.terminating || (p.phase != "Pending" && !p.phase.empty()) ||
           !p.annotations.contains(names.allocated_annotation) ||
           p.annotations.contains(std::string(kSimAllocatedAnnotation));
  });
  if (pods.empty()) {
    return FailedPreconditionError("no pending " + names.keyword + " pod on " + spec_.node +
                                   " carries " + names.allocated_annotation);
  }
  const auto& pod = *std::min_element(pods.begin(), pods.end(), [](const auto& a, const auto& b) {
    return std::pair(BindTime(a), a.ns + "/" + a.name) < std::pair(BindTime(b), b.ns + "/" + b.name);
  });
  ASSIGN_OR_RETURN(api::PodDevices devices,
                   vendor_->annotator().DecodeAllocated(pod.annotations.at(names.allocated_annotation)));
  std::erase_if(devices, [](const api::ContainerDevices& c) { return c.empty(); });
  size_t& served = served_[pod.uid];
  if (served >= devices.size()) {
    return FailedPreconditionError("pod " + pod.ns + "/" + pod.name + " has no container left to allocate");
  }
  std::string ids;
  for (const api::ContainerDevice& d : devices[served]) ids += (ids.empty() ? "" : ",") + d.uuid;
  ContainerAllocateResponse r;
  (*r.mutable_envs())[spec_.env] = ids;
  (*r.mutable_envs())["HAMI_SIMULATED_DEVICE_PLUGIN"] = names.keyword;
  if (++served < devices.size()) return r;
  served_.erase(pod.uid);
  RETURN_IF_ERROR(api_->PatchPodAnnotations(
      pod.ns, pod.name,
      {{std::string(api::kBindPhase), std::string(api::kBindPhaseSuccess)},
       {std::string(kSimAllocatedAnnotation), "true"}}));
  if (names.node_lock == vendors::NodeLockKind::kHami) {
    RETURN_IF_ERROR(api_->ReleaseNodeLock(spec_.node, pod.ns, pod.name));
  } else if (names.node_lock == vendors::NodeLockKind::kTimeOnly) {  // e.g. cambricon.com/dsmlu.lock
    RETURN_IF_ERROR(api_->PatchNodeAnnotations(spec_.node, {{names.node_lock_annotation, std::nullopt}}));
  }
  return r;
}

StatusOr<::v1beta1::PreferredAllocationResponse> SimVendorNode::Resource::GetPreferredAllocation(
    const ::v1beta1::PreferredAllocationRequest& request) {
  ::v1beta1::PreferredAllocationResponse out;
  for (const auto& c : request.container_requests()) {
    auto* r = out.add_container_responses();
    for (const auto& id : c.must_include_deviceids()) r->add_deviceids(id);
    for (const auto& id : c.available_deviceids()) {
      if (r->deviceids_size() >= c.allocation_size()) break;
      if (std::find(r->deviceids().begin(), r->deviceids().end(), id) == r->deviceids().end()) r->add_deviceids(id);
    }
  }
  return out;
}

}  // namespace hami::testing
