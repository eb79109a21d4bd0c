// decode(encode(x)) == x over seeded random values, for every codec.
#include <gtest/gtest.h>

#include "api/annotation_json.h"
#include "api/quantity.h"
#include "api/testing/random_values.h"

namespace hami::api {
namespace {

constexpr int kIterations = 2000;

TEST(Property, PodDevices) {
  testing::RandomValues r(1);
  for (int i = 0; i < kIterations; ++i) {
    PodDevices pod = r.Pod();
    ASSERT_TRUE(ValidatePodDevices(pod).ok());
    std::string text = EncodePodDevices(pod);
    auto back = DecodePodDevices(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().ToString();
    ASSERT_EQ(*back, pod) << text;
    // The JSON view is an exact inverse too.
    auto json = DecodeAnnotationToJson("hami.io/vgpu-devices-allocated", text);
    ASSERT_TRUE(json.ok());
    ASSERT_EQ(*EncodeAnnotationFromJson("hami.io/vgpu-devices-allocated", *json), text);
  }
}

TEST(Property, NodeDevicesJson) {
  testing::RandomValues r(2);
  for (int i = 0; i < kIterations; ++i) {
    auto devices = r.Devices(/*legacy=*/false);
    std::string text = EncodeNodeDevicesJson(devices);
    auto back = DecodeNodeDevicesJson(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().ToString();
    ASSERT_EQ(*back, devices) << text;
    auto json = DecodeAnnotationToJson("hami.io/node-nvidia-register", text);
    ASSERT_TRUE(json.ok());
    ASSERT_EQ(*EncodeAnnotationFromJson("hami.io/node-nvidia-register", *json), text);
  }
}

TEST(Property, NodeDevicesLegacy) {
  testing::RandomValues r(3);
  for (int i = 0; i < kIterations; ++i) {
    auto devices = r.Devices(/*legacy=*/true);
    if (devices.empty()) continue;  // "" has no ':' and is refused, as HAMi does
    ASSERT_TRUE(ValidateNodeDevicesLegacy(devices).ok());
    std::string text = EncodeNodeDevicesLegacy(devices);
    auto back = DecodeNodeDevicesLegacy(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().ToString();
    ASSERT_EQ(*back, devices) << text;
  }
}

TEST(Property, NodeLock) {
  testing::RandomValues r(4);
  for (int i = 0; i < kIterations; ++i) {
    NodeLock lock = r.Lock();
    std::string text = EncodeNodeLock(lock);
    auto back = DecodeNodeLock(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().ToString();
    ASSERT_EQ(*back, lock) << text;
  }
}

TEST(Property, HandshakeAndTimes) {
  testing::RandomValues r(5);
  for (int i = 0; i < kIterations; ++i) {
    std::chrono::system_clock::time_point t(std::chrono::seconds(r.Int(-8'900'000'000, 8'900'000'000)));
    Handshake h = DecodeHandshake(EncodeHandshakeRequesting(t));
    ASSERT_TRUE(h.requesting);
    ASSERT_EQ(h.requested_at, t);
    int64_t s = r.Int(0, INT64_MAX);
    ASSERT_EQ(*DecodeUnixSeconds(EncodeUnixSeconds(s)), s);
  }
}

TEST(Property, PairScores) {
  testing::RandomValues r(6);
  for (int i = 0; i < kIterations; ++i) {
    auto scores = r.PairScores();
    std::string text = EncodePairScores(scores);
    auto back = DecodePairScores(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().ToString();
    ASSERT_EQ(*back, scores) << text;
  }
}

TEST(Property, MigAllocations) {
  testing::RandomValues r(7);
  for (int i = 0; i < kIterations; ++i) {
    auto allocations = r.MigAllocations();
    std::string text = EncodeMigAllocations(allocations);
    auto back = DecodeMigAllocations(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().ToString();
    ASSERT_EQ(*back, allocations) << text;
  }
}

TEST(Property, Quantity) {
  testing::RandomValues r(8);
  for (int i = 0; i < kIterations * 5; ++i) {
    int64_t milli = r.Bool() ? r.Int(-INT64_MAX, INT64_MAX) : r.Int(-5000000, 5000000);
    if (r.Bool()) milli -= milli % 1024000;  // exercise the binary suffixes
    auto format = static_cast<Quantity::Format>(r.Int(0, 2));
    Quantity q = Quantity::FromMilli(milli, format);
    std::string text = q.ToString();
    auto back = Quantity::Parse(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().ToString();
    ASSERT_EQ(back->MilliValue(), milli) << text;
    ASSERT_EQ(back->ToString(), text);
  }
}

}  // namespace
}  // namespace hami::api
