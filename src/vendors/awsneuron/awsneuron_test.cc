// Golden tests for AWS Neuron: capacity inventory with the core mask, the
// request split and the webhook's refusals, one-device fits by cores, whole
// devices in a row (Trainium aligned, Inferentia any start), HAMi's refusal
// reasons and the annotations the Neuron plugin reads, byte for byte.
#include <gtest/gtest.h>

#include "vendors/testing/harness.h"

namespace hami::vendors {
namespace {

constexpr char kCount[] = "aws.amazon.com/neuron";
constexpr char kCores[] = "aws.amazon.com/neuroncore";
constexpr int64_t kNow = 1700000000123456789;

testing::FakeNode Node(int64_t devices, int64_t cores, std::string instance_type = "") {
  testing::FakeNode node;
  node.Capacity(kCount, devices);
  node.Capacity(kCores, cores);
  if (!instance_type.empty()) node.labels["node.kubernetes.io/instance-type"] = instance_type;
  return node;
}

TEST(AwsNeuron, NamesAndConfig) {
  testing::Harness h;
  const VendorNames& n = h.Get("AWSNeuron").names();
  EXPECT_EQ(n.node_lock, NodeLockKind::kNone);
  EXPECT_EQ(n.allocated_annotation, "hami.io/aws-neuron-devices-allocated");
  EXPECT_EQ(n.to_allocate_annotation, "");
  EXPECT_EQ(testing::Resources(n), (std::vector<std::string>{kCount, "", kCores}));
  EXPECT_EQ(n.managed_resources, (std::vector<std::string>{kCount, kCores}));

  DevicesConfig config;
  config.sections["awsneuron"] = {{{"resourceCountName", "x/neuron"}, {"resourceCoreName", "x/core"}}};
  testing::Harness custom(config);
  testing::FakeNode node;
  node.Capacity("x/neuron", 1);
  node.Capacity("x/core", 2);
  custom.Load("AWSNeuron", node);
  ASSERT_EQ(custom.devices().size(), 1u);
  auto r = custom.Fit("AWSNeuron", testing::Container({{"x/core", "1"}}));
  EXPECT_EQ(r.annotations.at("NEURON_RESOURCE_TYPE"), "x/core");
}

TEST(AwsNeuron, InventoryFromCapacity) {
  testing::Harness h;
  h.Load("AWSNeuron", Node(2, 4));
  EXPECT_EQ(h.Described(),
            (std::vector<std::string>{"node-a-AWSNeuron-0 #0 AWSNeuron AWSNeuron numa=0 slots=2 mem=0 cores=3 healthy",
                                      "node-a-AWSNeuron-1 #1 AWSNeuron AWSNeuron numa=0 slots=2 mem=0 cores=3 healthy"}));
  EXPECT_EQ(h.devices()[0].group, 0);  // no instance type: Trainium rules
  h.Load("AWSNeuron", Node(1, 4, "inf1.xlarge"));  // Inf1: four cores a device
  EXPECT_EQ(h.Described(),
            (std::vector<std::string>{"node-a-AWSNeuron-0 #0 AWSNeuron AWSNeuron numa=0 slots=4 mem=0 cores=15 healthy"}));
  EXPECT_EQ(h.devices()[0].group, 1);
  h.Load("AWSNeuron", Node(2, 0));  // no core capacity: no slots, no cores
  EXPECT_EQ(h.Described()[1], "node-a-AWSNeuron-1 #1 AWSNeuron AWSNeuron numa=0 slots=0 mem=0 cores=0 healthy");
  h.Load("AWSNeuron", testing::FakeNode{});
  EXPECT_TRUE(h.devices().empty());
  EXPECT_FALSE(h.Get("AWSNeuron").inventory().Decode(Node(1, 64).View()).ok());  // a mask beyond int32
}

TEST(AwsNeuron, RequestsAndAdmission) {
  testing::Harness h;
  const Vendor& v = h.Get("AWSNeuron");
  auto parse = [&](std::string resource, std::string value) { return v.parser().Parse(testing::Container({{resource, value}})); };
  auto want = [](int32_t count, int32_t cores) { return DeviceRequest{"AWSNeuron", count, 0, 0, cores}; };
  EXPECT_EQ(parse(kCount, "3"), want(3, 2));  // whole devices, charged with two cores
  EXPECT_EQ(parse(kCores, "1"), want(1, 1));
  EXPECT_EQ(parse(kCores, "2"), want(1, 2));
  EXPECT_EQ(parse(kCores, "6"), want(3, 2));  // three whole devices
  EXPECT_EQ(parse(kCores, "3"), std::nullopt);
  EXPECT_EQ(parse(kCount, "0"), std::nullopt);
  EXPECT_EQ(parse(kCount, "500m"), std::nullopt);
  // The count resource wins; a bad count is not read as cores.
  EXPECT_EQ(v.parser().Parse(testing::Container({{kCount, "1"}, {kCores, "1"}})), want(1, 2));
  EXPECT_EQ(v.parser().Parse(testing::Container({{kCount, "-1"}, {kCores, "1"}})), std::nullopt);

  auto admit = [&](std::string resource, std::string value) {
    ContainerResources c = testing::Container({{resource, value}});
    return v.mutator().Mutate(c);
  };
  EXPECT_TRUE(admit(kCount, "2")->has_resource);
  EXPECT_TRUE(admit(kCores, "4")->has_resource);
  EXPECT_FALSE(admit("nvidia.com/gpu", "1")->has_resource);
  EXPECT_EQ(admit(kCores, "3").status().message(), "aws.amazon.com/neuroncore must be 1 or a multiple of 2, got 3");
  EXPECT_EQ(admit(kCount, "0").status().message(), "aws.amazon.com/neuron must be greater than 0");
  EXPECT_EQ(admit(kCount, "500m").status().message(), "aws.amazon.com/neuron must be an integer");
  EXPECT_EQ(admit(kCount, "3000000000").status().message(), "aws.amazon.com/neuron must not exceed 2147483647");
}

TEST(AwsNeuron, OneDeviceByCoresAndAnnotations) {
  testing::Harness h;
  h.Load("AWSNeuron", Node(4, 8));
  // A whole device: the last in the policy order, its index in AWS_NEURON_IDS.
  auto r = h.Fit("AWSNeuron", testing::Container({{kCount, "1"}}), {}, {}, "node-a", kNow);
  EXPECT_EQ(r.annotations, (AnnotationMap{{"AWS_NEURON_IDS", "3"},
                                          {"NEURON_ALLOCATED", "false"},
                                          {"NEURON_ALLOC_TIME", "1700000000123456789"},
                                          {"aws.amazon.com/predicate-node", "node-a"},
                                          {"hami.io/aws-neuron-devices-allocated", "node-a-AWSNeuron-3,AWSNeuron,0,3:;"}}));
  // Cores: the lowest free core of the next device, as a global core index.
  r = h.Fit("AWSNeuron", testing::Container({{kCores, "1"}}));
  EXPECT_EQ(r.annotations, (AnnotationMap{{"AWS_NEURON_IDS", "4"},
                                          {"NEURON_ALLOCATED", "false"},
                                          {"NEURON_ALLOC_TIME", "1700000000123456789"},
                                          {"NEURON_RESOURCE_TYPE", "aws.amazon.com/neuroncore"},
                                          {"aws.amazon.com/predicate-node", "node-a"},
                                          {"hami.io/aws-neuron-devices-allocated", "node-a-AWSNeuron-2,AWSNeuron,0,1:;"}}));
  r = h.Fit("AWSNeuron", testing::Container({{kCores, "1"}}));
  EXPECT_EQ(r.annotations.at("AWS_NEURON_IDS"), "5");
  EXPECT_EQ(r.annotations.at("hami.io/aws-neuron-devices-allocated"), "node-a-AWSNeuron-2,AWSNeuron,0,2:;");
  r = h.Fit("AWSNeuron", testing::Container({{kCores, "2"}}));
  EXPECT_EQ(r.annotations.at("AWS_NEURON_IDS"), "2,3");
  EXPECT_EQ(h.devices()[1].used_cores, 3);
  // Device 0 left; a core-request does not fit a device with one free core.
  r = h.Fit("AWSNeuron", testing::Container({{kCores, "1"}}));
  EXPECT_EQ(r.indexes, (std::vector<int32_t>{0}));
  r = h.Fit("AWSNeuron", testing::Container({{kCount, "1"}}));
  EXPECT_FALSE(r.outcome.ok);
  EXPECT_EQ(r.reason, "1/4 CardTimeSlicingExhausted, 3/4 CardInsufficientCore");
}

TEST(AwsNeuron, OneDeviceRefusals) {
  testing::Harness h;
  h.Load("AWSNeuron", Node(2, 4));
  auto r = h.Fit("AWSNeuron", testing::Container({{kCount, "1"}}),
                 {{"aws.amazon.com/nouse-neuron-uuid", "node-a-AWSNeuron-0,node-a-AWSNeuron-1"}});
  EXPECT_EQ(r.reason, "2/2 CardUuidMismatch");
  r = h.Fit("AWSNeuron", testing::Container({{kCount, "1"}}), {{"aws.amazon.com/use-neuron-uuid", "node-a-AWSNeuron-0"}});
  EXPECT_EQ(r.indexes, (std::vector<int32_t>{0}));
  h.devices()[1].used = 1, h.devices()[1].used_cores = 1;
  r = h.Fit("AWSNeuron", testing::Container({{kCores, "1"}}), {{"hami.io/gpu-scheduler-policy", "mutex"}});
  EXPECT_EQ(r.reason, "2/2 ExclusiveDeviceAllocateConflict");
  h.devices()[1].healthy = false;
  r = h.Fit("AWSNeuron", testing::Container({{kCores, "1"}}));
  EXPECT_EQ(r.reason, "1/2 CardInsufficientCore, 1/2 CardNotHealth");
}

TEST(AwsNeuron, FourCoreDevices) {
  testing::Harness h;
  h.Load("AWSNeuron", Node(2, 8, "inf1.2xlarge"));
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    auto r = h.Fit("AWSNeuron", testing::Container({{kCores, "1"}}));
    ids.push_back(r.annotations.at("AWS_NEURON_IDS"));
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"4", "5", "6", "7"}));  // 4 x device 1 + core
  EXPECT_EQ(h.devices()[1].used_cores, 15);
  auto r = h.Fit("AWSNeuron", testing::Container({{kCores, "1"}}));  // device 1 has no slot left
  EXPECT_EQ(r.annotations.at("AWS_NEURON_IDS"), "0");
}

TEST(AwsNeuron, WholeDevicesTrainium) {
  testing::Harness h;
  h.Load("AWSNeuron", Node(8, 16, "trn1.32xlarge"));
  h.devices()[1].used = 1;
  auto r = h.Fit("AWSNeuron", testing::Container({{kCount, "4"}}));  // 0-3 busy: the next aligned four
  EXPECT_EQ(r.indexes, (std::vector<int32_t>{4, 5, 6, 7}));
  EXPECT_EQ(r.annotations.at("AWS_NEURON_IDS"), "4,5,6,7");
  EXPECT_EQ(r.annotations.at("hami.io/aws-neuron-devices-allocated"),
            "node-a-AWSNeuron-4,AWSNeuron,0,3:node-a-AWSNeuron-5,AWSNeuron,0,3:"
            "node-a-AWSNeuron-6,AWSNeuron,0,3:node-a-AWSNeuron-7,AWSNeuron,0,3:;");
  EXPECT_EQ(h.Fit("AWSNeuron", testing::Container({{kCount, "4"}})).reason, "1/8 NumaNotFit");
  EXPECT_EQ(h.Fit("AWSNeuron", testing::Container({{kCount, "2"}})).reason, "1/8 NumaNotFit");  // only 4, 8, 16
  EXPECT_EQ(h.Fit("AWSNeuron", testing::Container({{kCores, "4"}})).reason, "1/8 NumaNotFit");  // two devices
}

TEST(AwsNeuron, WholeDevicesInferentia) {
  testing::Harness h;
  h.Load("AWSNeuron", Node(6, 12, "inf2.48xlarge"));
  h.devices()[1].used = 1;
  auto r = h.Fit("AWSNeuron", testing::Container({{kCount, "3"}}));  // any start
  EXPECT_EQ(r.indexes, (std::vector<int32_t>{2, 3, 4}));
  EXPECT_EQ(h.Fit("AWSNeuron", testing::Container({{kCount, "2"}})).reason, "1/6 NumaNotFit");  // no wrap: 5, 0
  h.devices()[1].used = 0;
  r = h.Fit("AWSNeuron", testing::Container({{kCores, "4"}}));
  EXPECT_EQ(r.indexes, (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(r.annotations.at("AWS_NEURON_IDS"), "0,1,2,3");
  EXPECT_EQ(r.annotations.at("NEURON_RESOURCE_TYPE"), "aws.amazon.com/neuroncore");
}

TEST(AwsNeuron, IndexesAccumulateOverContainers) {
  testing::Harness h;
  const PodAnnotator& a = h.Get("AWSNeuron").annotator();
  h.Load("AWSNeuron", Node(2, 4));
  std::vector<ContainerResources> containers = {testing::Container({{kCount, "1"}}),
                                                testing::Container({{kCores, "1"}}), testing::Container({})};
  containers.push_back(ContainerResources{});
  containers.back().requests.emplace(kCount, api::Quantity::FromInteger(1));  // HAMi reads limits only
  api::PodDevices devices = {{{"node-a-AWSNeuron-0", "AWSNeuron", 0, 3}},
                             {{"node-a-AWSNeuron-1", "AWSNeuron", 0, 1}},
                             {},
                             {{"node-a-AWSNeuron-1", "AWSNeuron", 0, 2}}};
  AnnotationMap out;
  a.Annotate(devices, FilterContext{"node-a", 5, nullptr, h.devices(), containers}, out);
  EXPECT_EQ(out.at("AWS_NEURON_IDS"), "0,2,3");
  EXPECT_EQ(out.at("NEURON_RESOURCE_TYPE"), "aws.amazon.com/neuroncore");
  EXPECT_EQ(out.at("NEURON_ALLOC_TIME"), "5");
}

}  // namespace
}  // namespace hami::vendors
