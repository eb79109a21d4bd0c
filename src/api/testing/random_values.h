// Test-only: seeded random values of every api type, for property tests
// (decode(encode(x)) == x). Deterministic for a given seed.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "api/mig_allocations.h"
#include "api/node_devices.h"
#include "api/node_lock.h"
#include "api/pair_scores.h"
#include "api/pod_devices.h"

namespace hami::api::testing {

class RandomValues {
 public:
  explicit RandomValues(uint64_t seed) : rng_(seed) {}

  int64_t Int(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  bool Bool() { return Int(0, 1) == 1; }
  // Mostly small numbers, sometimes the int32 edges.
  int32_t Count() {
    switch (Int(0, 5)) {
      case 0: return 0;
      case 1: return 2147483647;
      default: return static_cast<int32_t>(Int(0, 200000));
    }
  }

  // Text for the separator formats: printable ASCII and UTF-8, no , : ;
  std::string Token(size_t max_len = 12) {
    static const std::vector<std::string> kPieces = {
        "GPU-", "a", "Z", "0", "9", "-", "_", ".", " ", "NVIDIA", "\xc3\xa9", "\xe4\xb8\xad",
        "\xf0\x9f\x98\x80", "<", "&", "\"", "\\", "/"};
    std::string out;
    size_t n = static_cast<size_t>(Int(0, static_cast<int64_t>(max_len)));
    for (size_t i = 0; i < n; ++i) out += kPieces[static_cast<size_t>(Int(0, kPieces.size() - 1))];
    return out;
  }
  // Any valid UTF-8, including control characters and JSON/HTML specials.
  std::string JsonText(size_t max_len = 12) {
    static const std::vector<std::string> kExtra = {",", ":", ";", "\n", "\t", "\b", "\f",
                                                     "\x01", "\x1f", "\x7f", "\xe2\x80\xa8",
                                                     "'", ">", "{", "]"};
    std::string out;
    size_t n = static_cast<size_t>(Int(0, static_cast<int64_t>(max_len)));
    for (size_t i = 0; i < n; ++i) {
      out += Bool() ? Token(1) : kExtra[static_cast<size_t>(Int(0, kExtra.size() - 1))];
    }
    return out;
  }

  PodDevices Pod() {
    PodDevices pod(static_cast<size_t>(Int(0, 5)));
    for (ContainerDevices& c : pod) {
      c.resize(static_cast<size_t>(Int(0, 4)));
      for (ContainerDevice& d : c) d = {Token(), Token(3), Count(), Count()};
    }
    return pod;
  }

  MigPlacement Placement() { return {Count(), Count()}; }

  DeviceInfo Device(bool legacy) {
    DeviceInfo d;
    d.id = legacy ? Token() : JsonText();
    d.index = Count();
    d.count = Count();
    d.devmem_mib = Count();
    d.devcore = Count();
    d.type = legacy ? Token() : JsonText();
    d.numa = Count();
    d.mode = legacy ? Token(2) : JsonText(2);
    d.health = Bool();
    if (legacy) return d;
    for (int64_t i = Int(0, 2); i > 0; --i) {
      MigProfile p{JsonText(4), Count(), Count(), Count(), {}};
      for (int64_t k = Int(0, 3); k > 0; --k) p.placements.push_back(Placement());
      d.mig_profiles.push_back(std::move(p));
    }
    d.device_vendor = JsonText(2);
    if (Bool()) d.custom_info_json = R"({"AIC":2,"NetworkID":"n\u003c1"})";
    return d;
  }

  std::vector<DeviceInfo> Devices(bool legacy) {
    std::vector<DeviceInfo> out(static_cast<size_t>(Int(0, 4)));
    for (DeviceInfo& d : out) d = Device(legacy);
    return out;
  }

  NodeLock Lock() {
    NodeLock lock;
    lock.time = std::chrono::system_clock::time_point(std::chrono::seconds(Int(-8'900'000'000, 8'900'000'000)));
    lock.utc_offset_seconds = static_cast<int32_t>(Int(-23, 23) * 3600 + Int(0, 59) * 60);
    if (Bool()) {
      lock.pod_namespace = "ns" + Token(4);
      lock.pod_name = "p" + Token(6);
    }
    return lock;
  }

  std::vector<DevicePairScore> PairScores() {
    std::vector<DevicePairScore> out(static_cast<size_t>(Int(0, 4)));
    for (DevicePairScore& s : out) {
      s.uuid = JsonText();
      for (int64_t k = Int(0, 4); k > 0; --k) {
        s.scores[JsonText()] = static_cast<int32_t>(Int(-2147483648LL, 2147483647));
      }
    }
    return out;
  }

  std::vector<MigAllocation> MigAllocations() {
    std::vector<MigAllocation> out;
    int64_t n = Int(0, 4);
    for (int64_t i = 0; i < n; ++i) {
      MigAllocation a;
      a.container_index = static_cast<int32_t>(i);
      a.device_index = Count();
      a.gpu_uuid = "GPU-" + JsonText();
      a.profile = "1g." + JsonText(3);
      a.placement = Placement();
      if (Bool()) a.runtime = MigRuntimeIdentity{"MIG-" + JsonText(), Count(), Count()};
      out.push_back(std::move(a));
    }
    return out;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace hami::api::testing
