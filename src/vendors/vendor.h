// Vendor backends. A vendor is a bundle of small roles (inventory decoding,
// request reading, admission defaults, device fit, the pod
// annotations written on filter) plus its wire names and node-lock kind; the
// scheduler core only talks to these roles. Adding a vendor = one folder
// building a Vendor (vendors/common/composed.h gives defaults for every role)
// + one line in vendors/registry.cc. Roles never throw and never touch the
// network.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/node_devices.h"
#include "api/pod_devices.h"
#include "api/quantity.h"
#include "common/status.h"

namespace hami::vendors {

using ResourceList = std::map<std::string, api::Quantity, std::less<>>;
using AnnotationMap = std::map<std::string, std::string, std::less<>>;

// The resource view of one container, with its pod's annotations (read-only,
// nullptr when unknown) for vendors whose defaults depend on them.
struct ContainerResources {
  std::string name;
  ResourceList limits;
  ResourceList requests;
  const AnnotationMap* pod_annotations = nullptr;
};

inline constexpr int32_t kMemPercentUnset = 101;

// What one container asks of one vendor (HAMi ContainerDeviceRequest).
struct DeviceRequest {
  std::string vendor;  // vendor keyword, e.g. "NVIDIA"
  int32_t count = 0;   // devices for this container
  int64_t mem_mib = 0;                      // per device; 0 = use mem_percent
  int32_t mem_percent = kMemPercentUnset;   // per device; 101 = unset
  int32_t cores = 0;                        // percent per device
  friend bool operator==(const DeviceRequest&, const DeviceRequest&) = default;
};

// Scheduling view of one physical device: inventory plus current usage.
// The string fields view storage owned by the DeviceInventory the device came
// from (copying a DeviceUsage is cheap: the hot path copies them per node).
struct DeviceUsage {
  std::string_view id;
  int32_t index = 0;
  std::string_view type;    // registered model name
  std::string_view vendor;  // vendor keyword
  int32_t numa = 0;
  std::string_view mode;    // "hami-core" when unset
  bool healthy = true;
  bool cordoned = false;
  int32_t count = 0;  // slots
  int32_t used = 0;   // slots in use
  int64_t total_mem_mib = 0;
  int64_t used_mem_mib = 0;
  int32_t total_cores = 0;
  int32_t used_cores = 0;
  double score = 0;  // per-request device score (section 6.6)
  // Vendor-defined state a few vendors read (0 when unused): the device's
  // interconnect group (MetaX link zone), the sharing policy it runs now
  // (set by the inventory, then by the pods charged on it, UsageMark), and
  // how many pods of each vendor-defined class it holds.
  int32_t group = 0;
  int32_t policy = 0;
  std::array<int32_t, 2> class_pods{};
  // Vendor-defined text the decoder keeps for its own fitter and annotator
  // (Enflame DRS: the card's minor and profile table); empty when unused.
  std::string_view detail;
};

struct FitConstraints;

// A device a pod takes, with the cores it takes there and the container
// (index in PodDevices, init containers first) that takes it.
struct HeldDevice {
  std::string_view id;
  int32_t cores = 0;
  int32_t container = 0;
};

// What a vendor's node score sees: the node's devices (every vendor) before
// the pod, the devices the pod takes from the vendor (containers in order),
// the pod's constraints for the vendor and the node policy.
struct ScoreInput {
  std::span<const DeviceUsage> before;
  std::span<const HeldDevice> taken;
  const FitConstraints* constraints = nullptr;
  bool binpack = true;
};

// The vendor part of a node's score (reference 6.6), added to the default
// node score; built by the decoder from what it read on the node.
using NodeScorer = std::function<double(const ScoreInput& input)>;

// Devices plus the storage their string views point into. Moving an
// inventory keeps the views valid.

struct DeviceInventory {
  NodeScorer score;  // empty: the vendor adds nothing to the node score
  std::vector<DeviceUsage> devices;
  std::shared_ptr<std::deque<std::string>> strings = std::make_shared<std::deque<std::string>>();
  std::string_view Intern(std::string s) { return strings->emplace_back(std::move(s)); }
};

struct ScoringWeights {
  double slot = 1, core = 1, memory = 1;
};
// "slot=<int>,core=<int>,memory=<int>", all three, >=0, one >0.
StatusOr<ScoringWeights> ParseScoringWeights(std::string_view text);

// GPU policy: sort keys in order plus Fit-side filters (section 6.7).
struct GpuPolicy {
  enum class Key { kBinpack, kSpread, kNuma };
  std::vector<Key> keys;  // empty = spread
  bool mutex = false;
  bool topology_aware = false;
  bool chain = false;  // comma chain / bare numa: final tie-break by index
};
GpuPolicy ParseGpuPolicy(std::string_view text, bool numa_bind);
// Sorts devices so that Fit, walking from the end, tries the preferred first.
void SortDevices(std::vector<DeviceUsage*>& devices, const GpuPolicy& policy,
                 bool numa_bind);

// Pod-level constraints parsed once per filter (annotations).
struct FitConstraints {
  std::vector<std::string> use_types, nouse_types;  // lower-cased
  std::vector<std::string> use_uuids, nouse_uuids;
  std::string vgpu_mode;  // empty = any
  bool numa_bind = false;
  GpuPolicy gpu_policy;
  ScoringWeights weights;
  // uuid -> (other uuid -> score); only for topology-aware.
  const std::map<std::string, std::map<std::string, int32_t>>* pair_scores = nullptr;
  // Pod annotations a vendor's fitter keeps for its own rules (copied by
  // its ParseConstraints).
  AnnotationMap pod_values;
};

// Per-vendor state of one pod's fit on one node: the remaining namespace
// quota (unset = unlimited) and the devices the pod already got from this
// vendor in earlier containers (filled by the core after each Fit).
struct QuotaBudget {
  std::optional<int64_t> mem_mib;
  std::optional<int64_t> cores;
  std::vector<HeldDevice> held_devices;
};

// Counts of first-failing checks per reason over the devices examined.
struct FitOutcome {
  struct Pick {
    int pos = 0;  // position in the input span
    int64_t mem_mib = 0;
    int32_t cores = 0;
    std::string_view type;  // device-list type; empty = the request's vendor keyword
    int32_t slots = 1;      // device slots the pick takes (Enflame DRS: the slice size)
  };
  bool ok = false;
  std::vector<Pick> chosen;  // no strings: the hot path fits every node
  std::map<std::string, int> reasons;
  int examined = 0;
  // "n/m Reason, ..." sorted (section 4.7).
  std::string ReasonString() const;
};

class RequestParser {
 public:
  virtual ~RequestParser() = default;
  // nullopt = the container asks nothing of this vendor (or asks nonsense).
  virtual std::optional<DeviceRequest> Parse(const ContainerResources& c) const = 0;
};

// Result of admission mutation of one container.
struct AdmissionEffect {
  bool has_resource = false;  // the container asks for this vendor's devices
  std::vector<std::pair<std::string, std::string>> env;  // env to add if absent
  std::vector<std::pair<std::string, std::string>> pod_annotations;  // set on the pod
  std::optional<std::string> runtime_class;  // set on the pod if it has none
};

class AdmissionMutator {
 public:
  virtual ~AdmissionMutator() = default;
  // Applies defaults in place. Error = deny (message shown to the user).
  virtual StatusOr<AdmissionEffect> Mutate(ContainerResources& c) const = 0;
};

class DeviceFitter {
 public:
  virtual ~DeviceFitter() = default;
  // Pod constraints from annotations; error = pod unschedulable (reason).
  virtual StatusOr<FitConstraints> ParseConstraints(const AnnotationMap& pod_annotations,
                                                    std::string_view default_gpu_policy) const = 0;
  // devices are sorted by SortDevices; walk from the end. quota is
  // consumed on success.
  virtual FitOutcome Fit(std::span<DeviceUsage* const> devices, const DeviceRequest& req,
                         const FitConstraints& constraints, QuotaBudget& quota) const = 0;
};

// Read-only view of one node, all an inventory decoder may look at.
struct NodeView {
  std::string_view name;
  const AnnotationMap* annotations = nullptr;
  const ResourceList* capacity = nullptr;
  const ResourceList* allocatable = nullptr;
  const AnnotationMap* labels = nullptr;
  // nullptr when absent.
  const std::string* Annotation(std::string_view key) const;
  const std::string* Label(std::string_view key) const;
  // Integer value of status.capacity[resource]; nullopt when absent.
  std::optional<int64_t> Capacity(std::string_view resource) const;
};

class InventoryDecoder {
 public:
  virtual ~InventoryDecoder() = default;
  // The vendor's devices on the node (usage zero). An empty inventory means
  // the node publishes nothing for this vendor; an error means it publishes
  // something malformed.
  virtual StatusOr<DeviceInventory> Decode(const NodeView& node) const = 0;
};

// What a filter decision knows besides the devices.
struct FilterContext {
  std::string_view node;
  int64_t now_unix_nanos = 0;
  // The pod's annotations (nullptr when unknown), for vendors whose
  // annotations depend on what the pod asked (Ascend's vNPU mode).
  const AnnotationMap* pod_annotations = nullptr;
  // The node's devices (every vendor) before the pod, and the pod's
  // containers in PodDevices order (init containers first); empty when unknown.
  std::span<const DeviceUsage> devices;
  std::span<const ContainerResources> containers;
};

class PodAnnotator {
 public:
  virtual ~PodAnnotator() = default;
  // Adds the annotations the vendor's plugin reads for the chosen devices
  // (per container, init containers first) to `out`.
  virtual void Annotate(const api::PodDevices& devices, const FilterContext& context,
                        AnnotationMap& out) const = 0;
  // Decodes the vendor's allocated annotation (usage is rebuilt from it).
  virtual StatusOr<api::PodDevices> DecodeAllocated(std::string_view value) const = 0;
  // What a pod's device (rebuilt from the allocated annotation) leaves on
  // the device besides usage: DeviceUsage::policy and class_pods, and the
  // slots it takes. `pod_annotations` include the ones written on filter.
  struct UsageMark {
    int32_t policy = -1;     // the device's policy from now on; -1 = unchanged
    int32_t pod_class = -1;  // index into class_pods; -1 = none
    int32_t slots = 0;       // slots the container's device takes; 0 = one
  };
  virtual UsageMark Mark(const AnnotationMap& /*pod_annotations*/, const api::ContainerDevice& /*device*/) const {
    return {};
  }
};

// Which node lock guards the bind of this vendor's pods (section 4.5).
enum class NodeLockKind {
  kNone,
  kHami,      // hami.io/mutex.lock, "<RFC3339>,<ns>,<pod>"
  kTimeOnly,  // names().node_lock_annotation holds a bare RFC3339 time
};

// Wire names of a vendor (section 3.3).
struct VendorNames {
  std::string keyword;             // "NVIDIA"
  std::string family;              // multi-chip families (Iluvatar, Ascend); empty = keyword
  std::string register_annotation; // node registration key
  std::string handshake_annotation;
  std::string pair_score_annotation;  // may be empty
  std::string to_allocate_annotation;
  std::string allocated_annotation;
  std::string count_resource;
  std::string memory_resource;       // quota dimension, may be empty
  std::string core_resource;         // quota dimension, may be empty
  std::vector<std::string> managed_resources;  // every resource name of the vendor (`hami vendors`)
  NodeLockKind node_lock = NodeLockKind::kHami;
  std::string node_lock_annotation;  // kTimeOnly only
  int64_t memory_factor = 1;
  // Scheduler metrics report cores allocated as a percentage of the device's
  // total (its registered cores are compute units, not percent).
  bool cores_are_units = false;
};

class Vendor {
 public:
  virtual ~Vendor() = default;
  virtual const VendorNames& names() const = 0;
  virtual const RequestParser& parser() const = 0;
  virtual const AdmissionMutator& mutator() const = 0;
  virtual const DeviceFitter& fitter() const = 0;
  virtual const InventoryDecoder& inventory() const = 0;
  virtual const PodAnnotator& annotator() const = 0;
};

// Device score (section 6.6) for one device under one container request.
double DeviceScore(const DeviceUsage& d, const ScoringWeights& w);

}  // namespace hami::vendors
