#include "api/pod_devices.h"

#include <gtest/gtest.h>

#include <string>

namespace hami::api {
namespace {

std::string RoundTrip(const std::string& text) {
  auto decoded = DecodePodDevices(text);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? EncodePodDevices(*decoded) : "";
}

TEST(PodDevices, ReferenceExamplesRoundTripByteForByte) {
  for (const std::string text : {
           "GPU-0fc3...,NVIDIA,3000,0:;GPU-0fc3...,NVIDIA,5000,0:;",
           "GPU-a,NVIDIA,1024,30:GPU-b,NVIDIA,1024,30:;",
           ";;",
           ";",
           "",
       }) {
    EXPECT_EQ(RoundTrip(text), text);
  }
}

TEST(PodDevices, DecodesTwoContainers) {
  auto pod = DecodePodDevices("GPU-0fc3...,NVIDIA,3000,0:;GPU-0fc3...,NVIDIA,5000,0:;");
  ASSERT_TRUE(pod.ok());
  ASSERT_EQ(pod->size(), 2u);
  EXPECT_EQ((*pod)[0], (ContainerDevices{{"GPU-0fc3...", "NVIDIA", 3000, 0}}));
  EXPECT_EQ((*pod)[1], (ContainerDevices{{"GPU-0fc3...", "NVIDIA", 5000, 0}}));
}

TEST(PodDevices, FinalSemicolonTerminatesLastContainer) {
  auto pod = DecodePodDevices("GPU-a,NVIDIA,1024,30:GPU-b,NVIDIA,1024,30:;");
  ASSERT_TRUE(pod.ok());
  ASSERT_EQ(pod->size(), 1u);
  EXPECT_EQ((*pod)[0].size(), 2u);
  auto erased = DecodePodDevices(";;");
  ASSERT_TRUE(erased.ok());
  EXPECT_EQ(erased->size(), 2u);
  EXPECT_TRUE(IsFullyErased(*erased));
  EXPECT_FALSE(IsFullyErased(*pod));
  EXPECT_TRUE(IsFullyErased(PodDevices{}));
}

TEST(PodDevices, KeepsEmptyEntriesForIndexAlignment) {
  auto pod = DecodePodDevices(";GPU-a,NVIDIA,10,0:;;");
  ASSERT_TRUE(pod.ok());
  ASSERT_EQ(pod->size(), 3u);
  EXPECT_TRUE((*pod)[0].empty());
  EXPECT_EQ((*pod)[1].size(), 1u);
  EXPECT_TRUE((*pod)[2].empty());
}

TEST(PodDevices, LenientLikeHami) {
  // Text after the last ';' is one more container; empty pieces are skipped;
  // extra fields ignored; '+' and leading zeros accepted.
  auto pod = DecodePodDevices("GPU-a,NVIDIA,+010,0,extra::;GPU-b,NVIDIA,1,2:");
  ASSERT_TRUE(pod.ok()) << pod.status().ToString();
  ASSERT_EQ(pod->size(), 2u);
  EXPECT_EQ((*pod)[0], (ContainerDevices{{"GPU-a", "NVIDIA", 10, 0}}));
  EXPECT_EQ((*pod)[1], (ContainerDevices{{"GPU-b", "NVIDIA", 1, 2}}));
}

TEST(PodDevices, ErrorsNamePosition) {
  auto bad = DecodePodDevices(";GPU-a,NVIDIA,1,0:GPU-b,NVIDIA,abc,0:;");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "container 2, device 2: field 3 (usedmem) 'abc' is not an integer");
  auto few = DecodePodDevices("GPU-a,NVIDIA,1:;");
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.status().message(),
            "container 1, device 1: 'GPU-a,NVIDIA,1' has 3 fields, want 4 "
            "(uuid,type,usedmem,usedcores)");
}

TEST(PodDevices, RejectsMalformed) {
  for (const std::string text : {
           "GPU-a,NVIDIA,-1,0:;",           // negative
           "GPU-a,NVIDIA,2147483648,0:;",   // > int32
           "GPU-a,NVIDIA,1,99999999999999999999:;",
           "GPU-a,NVIDIA,1, 0:;",           // space
           "GPU-a,NVIDIA,,0:;",             // empty number
           "GPU-a,NVIDIA,1.5,0:;",          // fraction
           "GPU-a;NVIDIA;1;0",              // wrong separators
           "GPU-a,NVIDIA,1,0:junk:;",       // a piece that is not a device
           "GPU-a,NVIDIA:1,0:;",
           "GPU-\xff,NVIDIA,1,0:;",         // not UTF-8
       }) {
    auto r = DecodePodDevices(text);
    EXPECT_FALSE(r.ok()) << text;
  }
  EXPECT_FALSE(DecodePodDevices(std::string(1 << 20, ';')).ok());  // 1 MB
}

TEST(PodDevices, ValidateRejectsSeparatorsInFields) {
  EXPECT_TRUE(ValidatePodDevices({{{"GPU-a", "NVIDIA", 1, 0}}, {}}).ok());
  EXPECT_FALSE(ValidatePodDevices({{{"GPU-a:b", "NVIDIA", 1, 0}}}).ok());
  EXPECT_FALSE(ValidatePodDevices({{{"GPU-a", "NV;IDIA", 1, 0}}}).ok());
  EXPECT_FALSE(ValidatePodDevices({{{"GPU-a", "NVIDIA", -1, 0}}}).ok());
}

}  // namespace
}  // namespace hami::api
