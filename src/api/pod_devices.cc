#include "api/pod_devices.h"

#include <cstdint>
#include <limits>
#include <string>

#include "api/internal/text.h"

namespace hami::api {
namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

std::string Position(size_t container, size_t device) {
  return "container " + std::to_string(container + 1) + ", device " + std::to_string(device + 1);
}

StatusOr<ContainerDevice> DecodeDevice(std::string_view piece, size_t container, size_t device) {
  auto fields = internal::Split(piece, ',');
  if (fields.size() < 4) {
    return InvalidArgumentError(Position(container, device) + ": " + internal::Quote(piece) +
                                " has " + std::to_string(fields.size()) +
                                " fields, want 4 (uuid,type,usedmem,usedcores)");
  }
  ContainerDevice out;
  out.uuid = std::string(fields[0]);
  out.type = std::string(fields[1]);
  auto mem = internal::ParseInt(fields[2], 0, kInt32Max);
  if (!mem.ok()) {
    return Status(mem.status().code(), Position(container, device) + ": field 3 (usedmem) " +
                                           mem.status().message());
  }
  auto cores = internal::ParseInt(fields[3], 0, kInt32Max);
  if (!cores.ok()) {
    return Status(cores.status().code(), Position(container, device) +
                                             ": field 4 (usedcores) " + cores.status().message());
  }
  out.used_mem_mib = static_cast<int32_t>(*mem);
  out.used_cores = static_cast<int32_t>(*cores);
  return out;
}

bool HasSeparator(std::string_view s) { return s.find_first_of(",:;") != std::string_view::npos; }

}  // namespace

StatusOr<PodDevices> DecodePodDevices(std::string_view text) {
  RETURN_IF_ERROR(internal::CheckAnnotationText(text, "pod device list"));
  PodDevices pod;
  if (text.empty()) return pod;
  auto containers = internal::Split(text, ';');
  // The final `;` terminates the last container rather than opening a new one.
  if (containers.back().empty()) containers.pop_back();
  pod.reserve(containers.size());
  for (size_t c = 0; c < containers.size(); ++c) {
    ContainerDevices devices;
    size_t device_index = 0;
    for (std::string_view piece : internal::Split(containers[c], ':')) {
      if (piece.empty()) continue;  // after a device's ':'
      ASSIGN_OR_RETURN(auto device, DecodeDevice(piece, c, device_index));
      devices.push_back(std::move(device));
      ++device_index;
    }
    pod.push_back(std::move(devices));
  }
  return pod;
}

std::string EncodePodDevices(const PodDevices& devices) {
  std::string out;
  for (const ContainerDevices& container : devices) {
    for (const ContainerDevice& d : container) {
      out.append(d.uuid);
      out.push_back(',');
      out.append(d.type);
      out.push_back(',');
      out.append(std::to_string(d.used_mem_mib));
      out.push_back(',');
      out.append(std::to_string(d.used_cores));
      out.push_back(':');
    }
    out.push_back(';');
  }
  return out;
}

Status ValidatePodDevices(const PodDevices& devices) {
  for (size_t c = 0; c < devices.size(); ++c) {
    for (size_t i = 0; i < devices[c].size(); ++i) {
      const ContainerDevice& d = devices[c][i];
      if (HasSeparator(d.uuid)) {
        return InvalidArgumentError(Position(c, i) + ": uuid " + internal::Quote(d.uuid) +
                                    " contains one of , : ;");
      }
      if (HasSeparator(d.type)) {
        return InvalidArgumentError(Position(c, i) + ": type " + internal::Quote(d.type) +
                                    " contains one of , : ;");
      }
      if (d.used_mem_mib < 0 || d.used_cores < 0) {
        return InvalidArgumentError(Position(c, i) + ": usedmem and usedcores must be >= 0");
      }
    }
  }
  return OkStatus();
}

bool IsFullyErased(const PodDevices& devices) {
  for (const ContainerDevices& container : devices) {
    if (!container.empty()) return false;
  }
  return true;
}

}  // namespace hami::api
