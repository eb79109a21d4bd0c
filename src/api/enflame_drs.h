// Enflame DRS wire values (hami-protocol.md section 10): the node inventory
// Enflame's DRS plugin publishes (`enflame.com/gcu-drs-capacity`,
// `{"devices":[{"index","minor","capacity"}],"profiles":{name:id}}`) and the
// per-container assignment the scheduler writes (`assigned-containers`, a JSON
// map container name -> `{"allocated","request","profileID","profileName"}`).
// The decoder reads JSON the way Go's encoding/json fills HAMi's structs
// (case-insensitive keys, null = zero value; index/minor/profile ids must be
// strings; capacity a whole number or a decimal string); the encoder writes
// HAMi's bytes (keys sorted, Go field order, omitempty, Go escaping). Never throw.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hami::api {

inline constexpr std::string_view kEnflameDrsCapacityAnnotation = "enflame.com/gcu-drs-capacity";
inline constexpr std::string_view kEnflameAssignedContainersAnnotation = "assigned-containers";

struct EnflameDrsDevice {
  std::string index, minor;  // as written; HAMi reads index as an integer
  // The slice capacity; nullopt when absent or null (HAMi refuses the node).
  std::optional<int64_t> capacity;
  friend bool operator==(const EnflameDrsDevice&, const EnflameDrsDevice&) = default;
};

struct EnflameDrsCapacity {
  std::vector<EnflameDrsDevice> devices;
  std::map<std::string, std::string> profiles;  // profile name ("3g.20gb") -> profile id
  friend bool operator==(const EnflameDrsCapacity&, const EnflameDrsCapacity&) = default;
};
StatusOr<EnflameDrsCapacity> DecodeEnflameDrsCapacity(std::string_view text);
std::string EncodeEnflameDrsCapacity(const EnflameDrsCapacity& capacity);

struct EnflameDrsAssignment {
  bool allocated = false;
  int32_t request = 0;  // slices
  std::string profile_id, profile_name;
  friend bool operator==(const EnflameDrsAssignment&, const EnflameDrsAssignment&) = default;
};
using EnflameDrsAssignments = std::map<std::string, EnflameDrsAssignment>;  // by container name
StatusOr<EnflameDrsAssignments> DecodeEnflameDrsAssignments(std::string_view text);
std::string EncodeEnflameDrsAssignments(const EnflameDrsAssignments& assignments);

}  // namespace hami::api
