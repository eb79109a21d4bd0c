// Golden tests for Moore Threads: devices from capacity, per-GPU division of
// a container's request, the one-GPU-per-pod rule, admission defaults and
// the annotations written byte for byte.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

using testing::Container;
using testing::FakeNode;
using testing::Harness;

FakeNode MtNode() {
  FakeNode n;
  n.Capacity("mthreads.com/sgpu-core", 32);
  n.Capacity("mthreads.com/sgpu-memory", 192);
  return n;
}

TEST(Mthreads, DevicesFromCapacity) {
  Harness h;
  EXPECT_EQ(h.Get("Mthreads").names().node_lock, NodeLockKind::kNone);
  EXPECT_EQ(h.Get("Mthreads").names().memory_factor, 512);
  h.Load("Mthreads", MtNode());
  ASSERT_EQ(h.devices().size(), 2u);
  EXPECT_EQ(h.devices()[1].id, "node-a-mthreads-1");
  EXPECT_EQ(h.devices()[1].total_mem_mib, 192 * 512 * 16 / 32);
  EXPECT_EQ(h.devices()[1].total_cores, 16);
  EXPECT_EQ(h.devices()[1].count, 100);
}

TEST(Mthreads, RequestIsDividedOverTheGpus) {
  Harness h;
  auto r = h.Get("Mthreads").parser().Parse(Container(
      {{"mthreads.com/vgpu", "2"}, {"mthreads.com/sgpu-memory", "192"}, {"mthreads.com/sgpu-core", "32"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->mem_mib, 96 * 512);
  EXPECT_EQ(r->cores, 16);
}

TEST(Mthreads, Admission) {
  Harness h;
  const auto& m = h.Get("Mthreads").mutator();
  ContainerResources two = Container({{"mthreads.com/vgpu", "2"}});
  auto e = m.Mutate(two);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(two.limits.at("mthreads.com/sgpu-core").Value(), 32);
  EXPECT_EQ(two.limits.at("mthreads.com/sgpu-memory").Value(), 192);
  ASSERT_EQ(e->pod_annotations.size(), 1u);
  EXPECT_EQ(e->pod_annotations[0], (std::pair<std::string, std::string>{"mthreads.com/request-gpu-num", "2"}));
  ContainerResources whole = Container({{"mthreads.com/vgpu", "1"}});
  ASSERT_TRUE(m.Mutate(whole).ok());
  EXPECT_EQ(whole.limits.at("mthreads.com/sgpu-memory").Value(), 96);
  ContainerResources bad = Container({{"mthreads.com/vgpu", "1"}, {"mthreads.com/sgpu-memory", "3"}});
  auto denied = m.Mutate(bad);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().message(),
            "sGPU memory request value is invalid, valid values are [1, 2, 4, 8, 16, 32, 64, 96]");
  ContainerResources ok = Container({{"mthreads.com/vgpu", "1"}, {"mthreads.com/sgpu-memory", "8"}});
  EXPECT_TRUE(m.Mutate(ok).ok());
}

TEST(Mthreads, FitWritesAnnotationsByteForByte) {
  Harness h;
  h.Load("Mthreads", MtNode());
  auto r = h.Fit("Mthreads", Container({{"mthreads.com/vgpu", "1"}, {"mthreads.com/sgpu-memory", "8"},
                                        {"mthreads.com/sgpu-core", "4"}}));
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.annotations, (AnnotationMap{{"hami.io/mthreads-vgpu-devices-allocated", "node-a-mthreads-1,Mthreads,4096,4:;"},
                                          {"mthreads.com/gpu-index", "1"},
                                          {"mthreads.com/predicate-node", "node-a"},
                                          {"mthreads.com/predicate-time", "1700000000123456789"}}));
}

TEST(Mthreads, EveryDeviceOfAPodIsTheSameGpu) {
  Harness h;
  h.Load("Mthreads", MtNode());
  auto c = Container({{"mthreads.com/vgpu", "1"}, {"mthreads.com/sgpu-memory", "8"}, {"mthreads.com/sgpu-core", "4"}});
  auto r = h.Fit("Mthreads", c, {}, {{"node-a-mthreads-0"}});
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.indexes, std::vector<int32_t>{0});
  r = h.Fit("Mthreads", c, {{"mthreads.ai/nouse-gpuuuid", "node-a-mthreads-0"}}, {{"node-a-mthreads-0"}});
  EXPECT_EQ(r.reason, "1/2 CardNotFoundCustomFilterRule, 1/2 CardUuidMismatch");
}

}  // namespace
}  // namespace hami::vendors
