// Inventory decoders shared by vendors: from a registration annotation (HAMi's
// JSON DeviceInfo array or the legacy colon text), and devices synthesised
// from node capacity. Every decoder returns an empty inventory when the node
// publishes nothing for the vendor.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/node_devices.h"
#include "vendors/vendor.h"

namespace hami::vendors::common {

// Devices from registration records; ids listed in `cordoned` are marked.
DeviceInventory FromDeviceInfos(std::vector<api::DeviceInfo> infos, std::string_view keyword,
                                const std::vector<std::string>& cordoned = {});

struct RegisterSpec {
  enum class Format { kJson, kLegacy };
  std::string annotation;
  std::string keyword;
  Format format = Format::kJson;
  bool read_cordon = false;             // honour hami.io/device-cordon
  std::optional<int32_t> force_devcore;  // e.g. 100 for count-only vendors
};

class RegisterDecoder : public InventoryDecoder {
 public:
  explicit RegisterDecoder(RegisterSpec spec) : spec_(std::move(spec)) {}
  StatusOr<DeviceInventory> Decode(const NodeView& node) const override;
  // Decodes a registration value alone (CLI, fuzzers).
  StatusOr<std::vector<api::DeviceInfo>> DecodeValue(std::string_view value) const;

 private:
  RegisterSpec spec_;
};

// A RegisterDecoder for `names` (keyword), setting names.register_annotation
// and names.handshake_annotation (may be empty).
std::unique_ptr<const InventoryDecoder> Registered(VendorNames& names, std::string annotation,
                                                   std::string handshake, RegisterSpec::Format format,
                                                   std::optional<int32_t> force_devcore = {});

// `n` identical devices `<node>-<id_word>-<i>` (index i, NUMA 0, healthy).
struct SynthesizedDevices {
  std::string keyword, type, id_word;
  int32_t n = 0, count = 0, total_cores = 0;
  int64_t total_mem_mib = 0;
};
DeviceInventory Synthesize(const NodeView& node, const SynthesizedDevices& spec);

// Devices from node capacity: n = ceil(capacity[count_resource] / per_device);
// memory per device = capacity[memory_resource] x memory_unit_mib x per_device
// / capacity[count_resource] (clamped to int32), or `fixed_memory_mib` when
// no memory resource is named. Empty when the count capacity is absent or 0.
struct CapacitySpec {
  SynthesizedDevices devices;  // n and total_mem_mib are computed
  std::string count_resource, memory_resource;
  int64_t per_device = 1, memory_unit_mib = 1, fixed_memory_mib = 0;
};
class CapacityDecoder : public InventoryDecoder {
 public:
  explicit CapacityDecoder(const CapacitySpec& spec) : spec_(spec) {}
  StatusOr<DeviceInventory> Decode(const NodeView& node) const override;

 private:
  CapacitySpec spec_;
};

// The index `i` of a synthesised id `<...>-<i>` (0 when there is none).
int32_t SynthesizedIndex(std::string_view id);

}  // namespace hami::vendors::common
