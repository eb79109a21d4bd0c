// Golden tests for Iluvatar: the enable switch, one vendor per chip, legacy
// registration, admission defaults and the device list byte for byte.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

using testing::Container;
using testing::FakeNode;
using testing::Harness;

DevicesConfig Enabled() {
  DevicesConfig c;
  c.enable_iluvatar = true;
  return c;
}

TEST(Iluvatar, OnlyBehindTheSwitch) {
  Harness off;
  for (const auto& v : off.vendors()) EXPECT_NE(v->names().keyword, "MR-V100");
  Harness on(Enabled());
  const auto& n = on.Get("BI-V150").names();
  EXPECT_EQ(n.count_resource, "iluvatar.ai/BI-V150-vgpu");
  EXPECT_EQ(n.memory_resource, "iluvatar.ai/BI-V150.vMem");
  EXPECT_EQ(n.core_resource, "iluvatar.ai/BI-V150.vCore");
  EXPECT_EQ(n.register_annotation, "hami.io/node-BI-V150-register");
  EXPECT_EQ(n.handshake_annotation, "hami.io/node-handshake-BI-V150");
  EXPECT_EQ(n.memory_factor, 256);
  on.Get("MR-V100"), on.Get("MR-V50"), on.Get("BI-V100");
}

TEST(Iluvatar, ChipsFromTheConfigList) {
  DevicesConfig c = Enabled();
  c.sections["iluvatars"] = {{{"chipName", "X1"}, {"commonWord", "X1"}, {"resourceCountName", "iluvatar.ai/X1-vgpu"},
                              {"resourceMemoryName", "iluvatar.ai/X1.vMem"}, {"resourceCoreName", "iluvatar.ai/X1.vCore"}}};
  Harness h(c);
  int iluvatar = 0;
  for (const auto& v : h.vendors()) iluvatar += v->names().count_resource.rfind("iluvatar.ai/", 0) == 0;
  EXPECT_EQ(iluvatar, 1);
  EXPECT_EQ(h.Get("X1").names().allocated_annotation, "hami.io/X1-devices-allocated");
}

TEST(Iluvatar, AdmissionSetsCoresForSeveralCardsAndContainerName) {
  Harness h(Enabled());
  ContainerResources c = Container({{"iluvatar.ai/MR-V100-vgpu", "2"}});
  c.name = "train";
  auto e = h.Get("MR-V100").mutator().Mutate(c);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->has_resource);
  EXPECT_EQ(c.limits.at("iluvatar.ai/MR-V100.vCore").Value(), 200);
  ASSERT_EQ(e->env.size(), 1u);
  EXPECT_EQ(e->env[0], (std::pair<std::string, std::string>{"SOL_CONTINER_NAME", "train"}));
  ContainerResources other = Container({{"nvidia.com/gpu", "1"}});
  EXPECT_FALSE(h.Get("MR-V100").mutator().Mutate(other)->has_resource);
}

TEST(Iluvatar, FitWritesDeviceListByteForByte) {
  Harness h(Enabled());
  FakeNode node;
  node.annotations["hami.io/node-MR-V100-register"] =
      "GPU-1,4,32768,100,MR-V100,0,true,0,hami-core:GPU-2,4,32768,100,MR-V100,0,true,1,hami-core:";
  h.Load("MR-V100", node);
  ASSERT_EQ(h.devices().size(), 2u);
  auto r = h.Fit("MR-V100", Container({{"iluvatar.ai/MR-V100-vgpu", "1"}, {"iluvatar.ai/MR-V100.vMem", "8"},
                                       {"iluvatar.ai/MR-V100.vCore", "30"}}),
                 {{"hami.io/use-MR-V100-uuid", "GPU-1"}});
  ASSERT_TRUE(r.outcome.ok) << r.reason;
  EXPECT_EQ(r.annotations, (AnnotationMap{{"hami.io/MR-V100-devices-allocated", "GPU-1,MR-V100,2048,30:;"},
                                          {"hami.io/MR-V100-devices-to-allocate", "GPU-1,MR-V100,2048,30:;"}}));
  r = h.Fit("MR-V100", Container({{"iluvatar.ai/MR-V100-vgpu", "1"}}), {{"hami.io/no-use-MR-V100-uuid", "GPU-1,GPU-2"}});
  EXPECT_EQ(r.reason, "2/2 CardUuidMismatch");
}

}  // namespace
}  // namespace hami::vendors
