// Private: the JSON views behind api/annotation_json.h, one pair per codec.
// ToJson never fails; FromJson checks types, ranges and unknown fields.
#pragma once

#include <string>
#include <vector>

#include "api/internal/json_util.h"
#include "api/mig_allocations.h"
#include "api/node_devices.h"
#include "api/node_lock.h"
#include "api/pair_scores.h"
#include "api/pod_devices.h"
#include "api/quantity.h"
#include "api/vendor_values.h"

namespace hami::api::internal {

Json PodDevicesToJson(const PodDevices& pod);
StatusOr<PodDevices> PodDevicesFromJson(const Json& json);

Json NodeDevicesToJson(const std::vector<DeviceInfo>& devices);
StatusOr<std::vector<DeviceInfo>> NodeDevicesFromJson(const Json& json);

Json NodeLockToJson(const NodeLock& lock);
StatusOr<NodeLock> NodeLockFromJson(const Json& json);

Json HandshakeToJson(const Handshake& handshake);
StatusOr<std::string> HandshakeFromJson(const Json& json);  // the annotation value

Json UnixSecondsToJson(int64_t seconds);
StatusOr<int64_t> UnixSecondsFromJson(const Json& json);
// {"unixNanos":N,"time":<RFC3339, whole seconds>}.
Json UnixNanosToJson(int64_t nanos);
StatusOr<int64_t> UnixNanosFromJson(const Json& json);
// OK for an object whose keys are decimal int32s and values integers.
Status CheckIntegerTable(const Json& json);

Json PairScoresToJson(const std::vector<DevicePairScore>& scores);
StatusOr<std::vector<DevicePairScore>> PairScoresFromJson(const Json& json);

Json MigAllocationsToJson(const std::vector<MigAllocation>& allocations);
StatusOr<std::vector<MigAllocation>> MigAllocationsFromJson(const Json& json);

Json DsmluProfileToJson(const DsmluProfile& profile);
StatusOr<DsmluProfile> DsmluProfileFromJson(const Json& json);

Json IndexListToJson(const std::vector<int64_t>& indexes);
StatusOr<std::vector<int64_t>> IndexListFromJson(const Json& json);

Json QuantityToJson(const Quantity& quantity);
StatusOr<Quantity> QuantityFromJson(const Json& json);

// InvalidArgument naming the first key of `object` not in `allowed`.
Status CheckKnownKeys(const Json& object, std::initializer_list<std::string_view> allowed,
                      std::string_view where);

}  // namespace hami::api::internal
