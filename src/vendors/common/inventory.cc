#include "vendors/common/inventory.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "api/annotations.h"
#include "vendors/common/text.h"

namespace hami::vendors::common {

DeviceInventory FromDeviceInfos(std::vector<api::DeviceInfo> infos, std::string_view keyword,
                                const std::vector<std::string>& cordoned) {
  DeviceInventory inv;
  inv.devices.reserve(infos.size());
  const std::string_view kw = inv.Intern(std::string(keyword));
  for (auto& info : infos) {
    DeviceUsage d;
    d.id = inv.Intern(std::move(info.id));
    d.index = info.index;
    d.type = inv.Intern(std::move(info.type));
    d.vendor = kw;
    d.numa = info.numa;
    d.mode = inv.Intern(info.mode.empty() ? std::string("hami-core") : std::move(info.mode));
    d.healthy = info.health;
    d.cordoned = std::find(cordoned.begin(), cordoned.end(), d.id) != cordoned.end();
    d.count = info.count;
    d.total_mem_mib = info.devmem_mib;
    d.total_cores = info.devcore;
    inv.devices.push_back(d);
  }
  return inv;
}

StatusOr<std::vector<api::DeviceInfo>> RegisterDecoder::DecodeValue(std::string_view value) const {
  if (spec_.format == RegisterSpec::Format::kLegacy) return api::DecodeNodeDevicesLegacy(value);
  return api::DecodeNodeDevicesJson(value);
}

StatusOr<DeviceInventory> RegisterDecoder::Decode(const NodeView& node) const {
  const std::string* value = node.Annotation(spec_.annotation);
  if (value == nullptr || value->empty()) return DeviceInventory{};
  ASSIGN_OR_RETURN(auto infos, DecodeValue(*value));
  if (spec_.force_devcore) {
    for (auto& i : infos) i.devcore = *spec_.force_devcore;
  }
  std::vector<std::string> cordoned;
  if (spec_.read_cordon) {
    if (const std::string* c = node.Annotation(api::kNodeDeviceCordon)) cordoned = SplitList(*c, false);
  }
  return FromDeviceInfos(std::move(infos), spec_.keyword, cordoned);
}

std::unique_ptr<const InventoryDecoder> Registered(VendorNames& names, std::string annotation,
                                                   std::string handshake, RegisterSpec::Format format,
                                                   std::optional<int32_t> force_devcore) {
  names.register_annotation = annotation;
  names.handshake_annotation = std::move(handshake);
  return std::make_unique<RegisterDecoder>(
      RegisterSpec{std::move(annotation), names.keyword, format, false, force_devcore});
}

DeviceInventory Synthesize(const NodeView& node, const SynthesizedDevices& s) {
  DeviceInventory inv;
  const std::string_view kw = inv.Intern(s.keyword);
  const std::string_view type = inv.Intern(s.type);
  const std::string_view mode = inv.Intern("hami-core");
  for (int32_t i = 0; i < s.n; ++i) {
    DeviceUsage d;
    d.id = inv.Intern(std::string(node.name) + "-" + s.id_word + "-" + std::to_string(i));
    d.index = i;
    d.type = type;
    d.vendor = kw;
    d.mode = mode;
    d.count = s.count;
    d.total_mem_mib = s.total_mem_mib;
    d.total_cores = s.total_cores;
    inv.devices.push_back(d);
  }
  return inv;
}

StatusOr<DeviceInventory> CapacityDecoder::Decode(const NodeView& node) const {
  const int64_t total = node.Capacity(spec_.count_resource).value_or(0);
  if (total <= 0) return DeviceInventory{};
  SynthesizedDevices s = spec_.devices;
  const int64_t per = std::max<int64_t>(1, spec_.per_device);
  s.n = static_cast<int32_t>(std::min<int64_t>(total / per + (total % per != 0), 1 << 16));
  s.total_mem_mib = spec_.fixed_memory_mib;
  if (!spec_.memory_resource.empty()) {
    const int64_t scale = spec_.memory_unit_mib * per;
    const int64_t units = std::min(node.Capacity(spec_.memory_resource).value_or(0), INT64_MAX / scale);
    s.total_mem_mib = std::clamp<int64_t>(units * scale / total, 0, INT32_MAX);
  }
  return Synthesize(node, s);
}

int32_t SynthesizedIndex(std::string_view id) {
  size_t dash = id.rfind('-');
  int32_t index = 0;
  if (dash != std::string_view::npos) std::from_chars(id.data() + dash + 1, id.data() + id.size(), index);
  return index;
}

}  // namespace hami::vendors::common
