// Golden tests for Cambricon MLU (dynamic-smlu): devices from node capacity,
// the dsmlu profile annotations and the device list byte for byte.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

using testing::Container;
using testing::FakeNode;
using testing::Harness;

FakeNode MluNode() {
  FakeNode n;
  n.Capacity("cambricon.com/mlu.smlu.vcore", 200);
  n.Capacity("cambricon.com/mlu.smlu.vmemory", 192);  // 256 MiB units
  n.Capacity("cambricon.com/vmlu", 2);
  return n;
}

TEST(Cambricon, NamesLockAndFactor) {
  Harness h;
  const auto& n = h.Get("MLU").names();
  EXPECT_EQ(testing::Resources(n), (std::vector<std::string>{"cambricon.com/vmlu", "cambricon.com/mlu.smlu.vmemory",
                                                               "cambricon.com/mlu.smlu.vcore"}));
  EXPECT_EQ(n.node_lock, NodeLockKind::kTimeOnly);
  EXPECT_EQ(n.node_lock_annotation, "cambricon.com/dsmlu.lock");
  EXPECT_EQ(n.memory_factor, 256);
  EXPECT_TRUE(n.handshake_annotation.empty());
}

TEST(Cambricon, DevicesFromCapacity) {
  Harness h;
  h.Load("MLU", MluNode());
  // memory per card = 192 x 256 x 100 / 200
  EXPECT_EQ(h.Described(), (std::vector<std::string>{
                               "node-a-cambricon-mlu-0 #0 MLU MLU numa=0 slots=100 mem=24576 cores=100 healthy",
                               "node-a-cambricon-mlu-1 #1 MLU MLU numa=0 slots=100 mem=24576 cores=100 healthy"}));
  EXPECT_TRUE(h.Get("MLU").inventory().Decode(FakeNode{}.View())->devices.empty());
}

TEST(Cambricon, RequestInMemoryUnits) {
  Harness h;
  auto r = h.Get("MLU").parser().Parse(Container({{"cambricon.com/vmlu", "1"}, {"cambricon.com/mlu.smlu.vmemory", "10"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->mem_mib, 2560);
  EXPECT_EQ(r->cores, 100);
}

TEST(Cambricon, FitWritesProfileAndDeviceList) {
  const ContainerResources c = Container(
      {{"cambricon.com/vmlu", "1"}, {"cambricon.com/mlu.smlu.vmemory", "10"}, {"cambricon.com/mlu.smlu.vcore", "50"}});
  Harness h;
  h.Load("MLU", MluNode());
  auto r = h.Fit("MLU", c);
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.annotations, (AnnotationMap{
                               {"CAMBRICON_DSMLU_ASSIGNED", "false"},
                               {"CAMBRICON_DSMLU_PROFILE", "1_50_10"},
                               {"hami.io/cambricon-mlu-devices-allocated", "node-a-cambricon-mlu-1,MLU,2560,50:;"},
                               {"hami.io/cambricon-mlu-devices-to-allocate", "node-a-cambricon-mlu-1,MLU,2560,50:;"},
                           }));
}

TEST(Cambricon, ProfileComesFromTheFirstContainerWithADevice) {
  Harness h;
  AnnotationMap out;
  api::PodDevices devices = {{}, {{"n-cambricon-mlu-3", "MLU", 512, 20}}};
  h.Get("MLU").annotator().Annotate(devices, {"n", 0}, out);
  EXPECT_EQ(out.at("CAMBRICON_DSMLU_PROFILE"), "3_20_2");
  EXPECT_EQ(out.at("hami.io/cambricon-mlu-devices-allocated"), ";n-cambricon-mlu-3,MLU,512,20:;");
}

TEST(Cambricon, Refusals) {
  Harness h;
  h.Load("MLU", MluNode());
  auto r = h.Fit("MLU", Container({{"cambricon.com/vmlu", "1"}, {"cambricon.com/mlu.smlu.vmemory", "200"}}));
  EXPECT_EQ(r.reason, "2/2 CardInsufficientMemory");
  r = h.Fit("MLU", Container({{"cambricon.com/vmlu", "3"}, {"cambricon.com/mlu.smlu.vmemory", "1"}}));
  EXPECT_EQ(r.reason, "2/2 AllocatedCardsInsufficientRequest");
  r = h.Fit("MLU", Container({{"cambricon.com/vmlu", "1"}}), {{"cambricon.com/nouse-gpuuuid", "node-a-cambricon-mlu-0,node-a-cambricon-mlu-1"}});
  EXPECT_EQ(r.reason, "2/2 CardUuidMismatch");
}

}  // namespace
}  // namespace hami::vendors
