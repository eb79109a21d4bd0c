// MetaX sGPU wire values: HAMi's bytes (Go field order, omitempty, escaping),
// Go decoding rules, and the `hami decode/encode` round trip.
#include "api/metax_sgpu.h"

#include <gtest/gtest.h>

#include "api/annotation_json.h"

namespace hami::api {
namespace {

TEST(MetaxSgpu, DevicesDecodeLikeGo) {
  auto d = DecodeMetaxSgpuDevices(
      R"([{"uuid":"GPU-1","bdf":"0000:01:00.0","model":"C500","totalDevCount":16,"totalCompute":100,)"
      R"("totalVRam":65536,"availableDevCount":16,"availableCompute":100,"availableVRam":65536,)"
      R"("numa":1,"healthy":true,"qosPolicy":"best-effort","linkZone":2},null,{"UUID":"GPU-3","numa":null}])");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->size(), 3u);
  EXPECT_EQ((*d)[0].total_vram_mib, 65536);
  EXPECT_EQ((*d)[0].qos_policy, "best-effort");
  EXPECT_EQ((*d)[0].link_zone, 2);
  EXPECT_TRUE((*d)[0].healthy);
  EXPECT_EQ((*d)[1], MetaxSgpuDevice{});
  EXPECT_EQ((*d)[2].uuid, "GPU-3");  // case-insensitive keys, as Go
  EXPECT_EQ(EncodeMetaxSgpuDevices(*d),
            R"([{"uuid":"GPU-1","bdf":"0000:01:00.0","model":"C500","totalDevCount":16,"totalCompute":100,)"
            R"("totalVRam":65536,"availableDevCount":16,"availableCompute":100,"availableVRam":65536,)"
            R"("numa":1,"healthy":true,"qosPolicy":"best-effort","linkZone":2},{"uuid":""},{"uuid":"GPU-3"}])");
  EXPECT_TRUE(DecodeMetaxSgpuDevices("null")->empty());
  EXPECT_FALSE(DecodeMetaxSgpuDevices("").ok());
  EXPECT_FALSE(DecodeMetaxSgpuDevices("{}").ok());
  EXPECT_FALSE(DecodeMetaxSgpuDevices(R"([{"totalVRam":2147483648}])").ok());
  EXPECT_FALSE(DecodeMetaxSgpuDevices(R"([{"totalVRam":1.5}])").ok());
  EXPECT_FALSE(DecodeMetaxSgpuDevices(R"([{"healthy":"yes"}])").ok());
}

TEST(MetaxSgpu, AllocationBytes) {
  MetaxSgpuAllocation a = {{}, {{"GPU-<1>", 30, 4096}, {"GPU-2", 0, 1024}}, {{"GPU-3", 100, 0}}};
  const std::string wire =
      R"([[],[{"uuid":"GPU-\u003c1\u003e","compute":30,"vRam":4096},{"uuid":"GPU-2","vRam":1024}],)"
      R"([{"uuid":"GPU-3","compute":100}]])";
  EXPECT_EQ(EncodeMetaxSgpuAllocation(a), wire);
  auto back = DecodeMetaxSgpuAllocation(wire);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, a);
  EXPECT_EQ(EncodeMetaxSgpuAllocation({}), "[]");
  EXPECT_TRUE(DecodeMetaxSgpuAllocation("[null]")->at(0).empty());
  EXPECT_FALSE(DecodeMetaxSgpuAllocation(R"([{"uuid":"x"}])").ok());
  EXPECT_FALSE(DecodeMetaxSgpuAllocation(R"([["x"]])").ok());
}

TEST(MetaxSgpu, DecodeEncodeCommandRoundTrip) {
  const std::string alloc = R"([[{"uuid":"GPU-1","compute":30,"vRam":4096}]])";
  auto view = DecodeAnnotationToJson("metax-tech.com/gpu-devices-allocated", alloc);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(*view, alloc);
  auto wire = EncodeAnnotationFromJson("metax-tech.com/gpu-devices-allocated", *view);
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ(*wire, alloc);
  const std::string node = R"([{"uuid":"GPU-1","totalDevCount":4,"healthy":true,"qosPolicy":"fixed-share"}])";
  view = DecodeAnnotationToJson("metax-tech.com/node-gpu-devices", node);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(*EncodeAnnotationFromJson("metax-tech.com/node-gpu-devices", *view), node);
}

}  // namespace
}  // namespace hami::api
