// Test harness for vendor golden tests: builds the registry from a config,
// decodes a node, parses a container, fits it the way the scheduler core
// does (device scores, policy sort, Fit) and renders the annotations the
// vendor writes for the result. Header-only, tests only.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/quantity.h"
#include "vendors/registry.h"

namespace hami::vendors::testing {

inline ContainerResources Container(std::initializer_list<std::pair<std::string, std::string>> limits) {
  ContainerResources c;
  c.name = "c";
  for (const auto& [k, v] : limits) c.limits.insert_or_assign(k, api::Quantity::Parse(v).value());
  return c;
}

// count, memory and core resource names of a vendor.
inline std::vector<std::string> Resources(const VendorNames& n) {
  return {n.count_resource, n.memory_resource, n.core_resource};
}

// One line per device: "<id> #<index> <type> <vendor> numa=<n> slots=<count>
// mem=<MiB> cores=<cores> healthy|unhealthy".
inline std::string Describe(const DeviceUsage& d) {
  return std::string(d.id) + " #" + std::to_string(d.index) + " " + std::string(d.type) + " " +
         std::string(d.vendor) + " numa=" + std::to_string(d.numa) + " slots=" + std::to_string(d.count) +
         " mem=" + std::to_string(d.total_mem_mib) + " cores=" + std::to_string(d.total_cores) +
         (d.healthy ? " healthy" : " unhealthy");
}

struct FakeNode {
  std::string name = "node-a";
  AnnotationMap annotations, labels;
  ResourceList capacity, allocatable;
  void Capacity(const std::string& resource, int64_t v) {
    capacity.insert_or_assign(resource, api::Quantity::FromInteger(v));
  }
  NodeView View() const { return {name, &annotations, &capacity, &allocatable, &labels}; }
};

struct FitResult {
  FitOutcome outcome;
  std::string reason;         // FitOutcome::ReasonString()
  api::PodDevices devices;    // one container
  AnnotationMap annotations;  // what the vendor writes
  std::vector<int32_t> indexes;  // indexes of the chosen devices
};

class Harness {
 public:
  explicit Harness(DevicesConfig config = {}) : vendors_(MakeVendors(config)) {}

  const Vendor& Get(std::string_view keyword) const {
    for (const auto& v : vendors_) {
      if (v->names().keyword == keyword) return *v;
    }
    ADD_FAILURE() << "no vendor " << keyword;
    return *vendors_.front();
  }
  const VendorList& vendors() const { return vendors_; }

  // Decodes `node` for `keyword` into devices_ (usage zero).
  void Load(std::string_view keyword, const FakeNode& node) {
    auto inv = Get(keyword).inventory().Decode(node.View());
    ASSERT_TRUE(inv.ok()) << inv.status().ToString();
    inventory_ = std::move(*inv);
  }
  std::vector<DeviceUsage>& devices() { return inventory_.devices; }
  const DeviceInventory& inventory() const { return inventory_; }
  std::vector<std::string> Described() const {
    std::vector<std::string> out;
    for (const auto& d : inventory_.devices) out.push_back(Describe(d));
    return out;
  }

  // `held`: devices the pod already got from the vendor in earlier containers.
  FitResult Fit(std::string_view keyword, const ContainerResources& c, const AnnotationMap& pod = {},
                std::vector<HeldDevice> held = {}, std::string_view node = "node-a",
                int64_t now_ns = 1700000000123456789) {
    FitResult r;
    const Vendor& v = Get(keyword);
    auto req = v.parser().Parse(c);
    EXPECT_TRUE(req.has_value());
    if (!req) return r;
    auto con = v.fitter().ParseConstraints(pod, "spread");
    EXPECT_TRUE(con.ok());
    if (!con.ok()) return r;
    std::vector<DeviceUsage*> ptrs;
    for (auto& d : inventory_.devices) {
      d.score = DeviceScore(d, con->weights);
      ptrs.push_back(&d);
    }
    SortDevices(ptrs, con->gpu_policy, con->numa_bind);
    QuotaBudget quota;
    quota.held_devices = std::move(held);
    r.outcome = v.fitter().Fit(ptrs, *req, *con, quota);
    r.reason = r.outcome.ReasonString();
    if (!r.outcome.ok) return r;
    r.devices.emplace_back();
    for (const auto& p : r.outcome.chosen) {
      DeviceUsage& d = *ptrs[p.pos];
      r.devices[0].push_back({std::string(d.id), p.type.empty() ? req->vendor : std::string(p.type),
                              static_cast<int32_t>(p.mem_mib), p.cores});
      r.indexes.push_back(d.index);
      d.used += p.slots, d.used_mem_mib += p.mem_mib, d.used_cores += p.cores;
    }
    v.annotator().Annotate(r.devices, FilterContext{node, now_ns, &pod, inventory_.devices, {&c, 1}}, r.annotations);
    return r;
  }

 private:
  VendorList vendors_;
  DeviceInventory inventory_;
};

}  // namespace hami::vendors::testing
