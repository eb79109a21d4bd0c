#include "api/node_devices.h"

#include <gtest/gtest.h>

#include <string>

namespace hami::api {
namespace {

// Reference 4.1, with the elided second device written out.
constexpr char kRegister[] =
    R"([{"id":"GPU-0fc3...","count":10,"devmem":32768,"devcore":100,)"
    R"("type":"NVIDIA-Tesla V100-PCIE-32GB","mode":"hami-core","health":true},)"
    R"({"id":"GPU-0055...","index":1,"count":10,"devmem":32768,"devcore":100,)"
    R"("type":"NVIDIA-Tesla V100-PCIE-32GB","numa":1,"mode":"hami-core","health":true}])";

TEST(NodeDevicesJson, ReferenceExampleRoundTrips) {
  auto devices = DecodeNodeDevicesJson(kRegister);
  ASSERT_TRUE(devices.ok()) << devices.status().ToString();
  ASSERT_EQ(devices->size(), 2u);
  const DeviceInfo& d = (*devices)[0];
  EXPECT_EQ(d.id, "GPU-0fc3...");
  EXPECT_EQ(d.index, 0);
  EXPECT_EQ(d.count, 10);
  EXPECT_EQ(d.devmem_mib, 32768);
  EXPECT_EQ(d.devcore, 100);
  EXPECT_EQ(d.type, "NVIDIA-Tesla V100-PCIE-32GB");
  EXPECT_EQ(d.mode, "hami-core");
  EXPECT_TRUE(d.health);
  EXPECT_EQ((*devices)[1].index, 1);
  EXPECT_EQ((*devices)[1].numa, 1);
  EXPECT_EQ(EncodeNodeDevicesJson(*devices), kRegister);
}

TEST(NodeDevicesJson, MissingFieldsDefaultAndStayMissing) {
  const std::string text = R"([{"id":"GPU-a","count":4}])";
  auto devices = DecodeNodeDevicesJson(text);
  ASSERT_TRUE(devices.ok());
  EXPECT_EQ((*devices)[0].mode, "");
  EXPECT_EQ(EffectiveMode((*devices)[0]), "hami-core");
  EXPECT_FALSE((*devices)[0].health);
  EXPECT_EQ(EncodeNodeDevicesJson(*devices), text);
}

TEST(NodeDevicesJson, GoDecoderLeniency) {
  // Case-insensitive keys, null = absent, unknown keys ignored, last duplicate wins.
  auto devices = DecodeNodeDevicesJson(
      R"([{"ID":"GPU-a","Count":2,"devmem":null,"migtemplate":[{"x":1}],"count":3}])");
  ASSERT_TRUE(devices.ok()) << devices.status().ToString();
  EXPECT_EQ((*devices)[0].id, "GPU-a");
  EXPECT_EQ((*devices)[0].count, 3);
  EXPECT_EQ((*devices)[0].devmem_mib, 0);
  EXPECT_TRUE(DecodeNodeDevicesJson("null")->empty());
  EXPECT_EQ(EncodeNodeDevicesJson({}), "[]");
}

TEST(NodeDevicesJson, MigProfilesAndCustomInfo) {
  const std::string text =
      R"([{"id":"GPU-a","count":7,"devmem":40960,"devcore":100,"type":"NVIDIA A100-SXM4-40GB",)"
      R"("mode":"mig","migProfiles":[{"name":"1g.5gb","memoryMB":4864,"core":15,"sliceCount":1,)"
      R"("placements":[{"start":0,"size":1},{"start":6,"size":1}]}],"health":true,)"
      R"("devicevendor":"x","custominfo":{"AIC":2,"NetworkID":"a\u003cb"}}])";
  auto devices = DecodeNodeDevicesJson(text);
  ASSERT_TRUE(devices.ok()) << devices.status().ToString();
  const DeviceInfo& d = (*devices)[0];
  ASSERT_EQ(d.mig_profiles.size(), 1u);
  EXPECT_EQ(d.mig_profiles[0].placements[1], (MigPlacement{6, 1}));
  EXPECT_EQ(d.custom_info_json, R"({"AIC":2,"NetworkID":"a\u003cb"})");
  EXPECT_EQ(EncodeNodeDevicesJson(*devices), text);
}

TEST(NodeDevicesJson, CustomInfoKeysSortedLikeGoMaps) {
  auto devices = DecodeNodeDevicesJson(R"([{"custominfo":{"b":1.0,"a":"<&>"}}])");
  ASSERT_TRUE(devices.ok());
  EXPECT_EQ((*devices)[0].custom_info_json, R"({"a":"\u003c\u0026\u003e","b":1})");
}

TEST(NodeDevicesJson, ErrorsNamePosition) {
  auto r = DecodeNodeDevicesJson(R"([{"id":"a"},{"id":"b","devmem":"big"}])");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "node device registration: device 2: field 'devmem': expected an integer, got a "
            "string");
  r = DecodeNodeDevicesJson(R"([{"devmem":3000000000}])");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  for (const std::string text : {"", "[", "{}", "[1]", R"([{"count":1.5}])",
                                 R"([{"count":-1}])", R"([{"health":"true"}])",
                                 R"([{"migProfiles":{}}])", R"([{"custominfo":[]}])",
                                 "[{\"id\":\"\xc3\x28\"}]"}) {
    EXPECT_FALSE(DecodeNodeDevicesJson(text).ok()) << text;
  }
  EXPECT_FALSE(DecodeNodeDevicesJson(std::string(100000, '[')).ok());
  EXPECT_FALSE(DecodeNodeDevicesJson(std::string(1 << 20, ' ')).ok());
}

TEST(NodeDevicesJson, EscapesStringsLikeGo) {
  DeviceInfo d;
  d.id = "a\"\\\n\b\x01<>&\xe2\x80\xa8";
  d.type = std::string("bad\xff", 4);
  EXPECT_EQ(EncodeNodeDevicesJson({d}),
            R"([{"id":"a\"\\\n\b\u0001\u003c\u003e\u0026\u2028","type":"bad\ufffd"}])");
}

// Reference 4.2, with the elided second device written out.
constexpr char kLegacy[] =
    "GPU-a,10,32768,100,NVIDIA-Tesla V100,0,true,0,hami-core:"
    "GPU-b,10,32768,100,NVIDIA-Tesla V100,1,true,1,hami-core:";

TEST(NodeDevicesLegacy, ReferenceExampleRoundTrips) {
  auto devices = DecodeNodeDevicesLegacy(kLegacy);
  ASSERT_TRUE(devices.ok()) << devices.status().ToString();
  ASSERT_EQ(devices->size(), 2u);
  EXPECT_EQ((*devices)[1].id, "GPU-b");
  EXPECT_EQ((*devices)[1].numa, 1);
  EXPECT_EQ((*devices)[1].index, 1);
  EXPECT_EQ((*devices)[1].type, "NVIDIA-Tesla V100");
  EXPECT_EQ(EncodeNodeDevicesLegacy(*devices), kLegacy);
  EXPECT_TRUE(ValidateNodeDevicesLegacy(*devices).ok());
}

TEST(NodeDevicesLegacy, SevenFieldFormRoundTrips) {
  const std::string text = "DCU-1,4,16384,100,DCU-Z100,0,1:";
  auto devices = DecodeNodeDevicesLegacy(text);
  ASSERT_TRUE(devices.ok());
  EXPECT_EQ(EffectiveMode((*devices)[0]), "hami-core");
  EXPECT_TRUE((*devices)[0].health);
  EXPECT_EQ(EncodeNodeDevicesLegacy(*devices), "DCU-1,4,16384,100,DCU-Z100,0,true:");
}

TEST(NodeDevicesLegacy, Errors) {
  auto r = DecodeNodeDevicesLegacy("a,1,2,3,t,0,maybe:");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "node device registration: device 1: field 7 (health) 'maybe' is not a boolean");
  for (const std::string text : {"", "a,1,2,3,t,0,true", "a,1,2,3,t,0,true,1:",
                                 "a,1,2,3:", "a,x,2,3,t,0,true:", "a,1,-2,3,t,0,true:"}) {
    EXPECT_FALSE(DecodeNodeDevicesLegacy(text).ok()) << text;
  }
  EXPECT_TRUE(DecodeNodeDevicesLegacy("::")->empty());
  EXPECT_EQ(EncodeNodeDevicesLegacy({}), ":");
  EXPECT_TRUE(DecodeNodeDevicesLegacy(EncodeNodeDevicesLegacy({}))->empty());
}

}  // namespace
}  // namespace hami::api
