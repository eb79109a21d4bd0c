#include "deviceplugin/internal/pod_devices_codec.h"

#include <charconv>

namespace hami::deviceplugin::internal {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

bool ParseInt32(std::string_view s, int32_t* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

StatusOr<PodDevices> DecodePodDevices(std::string_view text) {
  PodDevices pod;
  if (text.empty()) return pod;
  std::vector<std::string_view> containers = Split(text, ';');
  // A trailing `;` terminates the last container: drop the empty tail piece.
  if (!containers.empty() && containers.back().empty()) containers.pop_back();
  for (size_t ci = 0; ci < containers.size(); ++ci) {
    ContainerDevices devs;
    for (std::string_view piece : Split(containers[ci], ':')) {
      if (piece.find(',') == std::string_view::npos) continue;
      std::vector<std::string_view> f = Split(piece, ',');
      const std::string where = "container " + std::to_string(ci) + " device \"" + std::string(piece) + "\"";
      if (f.size() < 4) return InvalidArgumentError("pod device list: " + where + " has fewer than 4 fields");
      ContainerDevice d;
      d.uuid = std::string(f[0]);
      d.type = std::string(f[1]);
      if (d.uuid.empty()) return InvalidArgumentError("pod device list: " + where + " has an empty UUID");
      if (!ParseInt32(f[2], &d.used_mem_mib) || d.used_mem_mib < 0) {
        return InvalidArgumentError("pod device list: " + where + " memory is not a non-negative int32");
      }
      if (!ParseInt32(f[3], &d.used_cores) || d.used_cores < 0) {
        return InvalidArgumentError("pod device list: " + where + " cores is not a non-negative int32");
      }
      devs.push_back(std::move(d));
    }
    pod.push_back(std::move(devs));
  }
  return pod;
}

std::string EncodePodDevices(const PodDevices& devices) {
  std::string out;
  for (const ContainerDevices& c : devices) {
    for (const ContainerDevice& d : c) {
      out += d.uuid + "," + d.type + "," + std::to_string(d.used_mem_mib) + "," +
             std::to_string(d.used_cores) + ":";
    }
    out += ";";
  }
  return out;
}

}  // namespace hami::deviceplugin::internal
