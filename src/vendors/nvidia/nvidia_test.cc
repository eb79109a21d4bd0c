#include <gtest/gtest.h>

#include <deque>

#include <set>

#include "api/annotations.h"
#include "vendors/nvidia/nvidia_fit.h"
#include "vendors/nvidia/nvidia_vendor.h"

namespace hami::vendors::nvidia {
namespace {

api::Quantity Q(std::string_view s) { return api::Quantity::Parse(s).value(); }

ContainerResources Ctr(std::initializer_list<std::pair<const char*, const char*>> limits) {
  ContainerResources c;
  c.name = "c";
  for (auto& [k, v] : limits) c.limits.emplace(k, Q(v));
  return c;
}

class NvidiaTest : public ::testing::Test {
 protected:
  std::unique_ptr<const Vendor> MakeWith(NvidiaConfig cfg) {
    DevicesConfig dc;
    dc.nvidia = std::move(cfg);
    return MakeNvidiaVendor(dc);
  }
  std::unique_ptr<const Vendor> v_ = MakeWith({});
};

TEST_F(NvidiaTest, CountIsRequired) {
  EXPECT_FALSE(v_->parser().Parse(Ctr({{"nvidia.com/gpumem", "1000"}})).has_value());
  EXPECT_FALSE(v_->parser().Parse(Ctr({{"nvidia.com/gpu", "1500m"}})).has_value());
  EXPECT_FALSE(v_->parser().Parse(Ctr({{"nvidia.com/gpu", "0"}})).has_value());
  EXPECT_FALSE(v_->parser().Parse(Ctr({{"nvidia.com/gpu", "1e9"}})).has_value());
}

TEST_F(NvidiaTest, MemoryDefaultsToWholeCard) {
  auto r = v_->parser().Parse(Ctr({{"nvidia.com/gpu", "2"}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->count, 2);
  EXPECT_EQ(r->mem_mib, 0);
  EXPECT_EQ(r->mem_percent, 100);
  EXPECT_EQ(r->cores, 0);
  EXPECT_EQ(r->vendor, "NVIDIA");
}

TEST_F(NvidiaTest, MemoryPrecedence) {
  auto r = v_->parser().Parse(Ctr({{"nvidia.com/gpu", "1"}, {"nvidia.com/gpumem", "3000"},
                                   {"nvidia.com/gpumem-percentage", "50"}, {"nvidia.com/gpucores", "30"}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->mem_mib, 3000);
  EXPECT_EQ(r->cores, 30);
  r = v_->parser().Parse(Ctr({{"nvidia.com/gpu", "1"}, {"nvidia.com/gpumem-percentage", "150"}}));
  EXPECT_EQ(r->mem_percent, 100);
  NvidiaConfig cfg;
  cfg.default_memory_mib = 2048;
  cfg.default_cores = 10;
  auto v = MakeWith(cfg);
  r = v->parser().Parse(Ctr({{"nvidia.com/gpu", "1"}}));
  EXPECT_EQ(r->mem_mib, 2048);
  EXPECT_EQ(r->mem_percent, kMemPercentUnset);
  EXPECT_EQ(r->cores, 10);
}

TEST_F(NvidiaTest, MemoryFactorAndRequestsFallback) {
  NvidiaConfig cfg;
  cfg.memory_factor = 4;
  auto v = MakeWith(cfg);
  ContainerResources c;
  c.requests.emplace("nvidia.com/gpu", Q("1"));
  c.requests.emplace("nvidia.com/gpumem", Q("100"));
  auto r = v->parser().Parse(c);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->mem_mib, 400);
  EXPECT_FALSE(v_->parser().Parse(Ctr({{"nvidia.com/gpu", "1"}, {"nvidia.com/gpumem", "-5"}})));
}

TEST_F(NvidiaTest, AdmissionDefaults) {
  auto c = Ctr({{"nvidia.com/gpumem", "1000"}});
  auto e = v_->mutator().Mutate(c);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->has_resource);
  EXPECT_EQ(c.limits.at("nvidia.com/gpu"), Q("1"));
  EXPECT_EQ(c.limits.count("nvidia.com/gpucores"), 0u);  // memory is not exclusive

  auto whole = Ctr({{"nvidia.com/gpu", "1"}});
  ASSERT_TRUE(v_->mutator().Mutate(whole).ok());
  EXPECT_EQ(whole.limits.at("nvidia.com/gpucores"), Q("100"));

  auto pct = Ctr({{"nvidia.com/gpu", "1"}, {"nvidia.com/gpumem-percentage", "100"}});
  ASSERT_TRUE(v_->mutator().Mutate(pct).ok());
  EXPECT_EQ(pct.limits.at("nvidia.com/gpucores"), Q("100"));

  auto bad = Ctr({{"nvidia.com/gpu", "1"}, {"nvidia.com/gpumem-percentage", "101"}});
  EXPECT_FALSE(v_->mutator().Mutate(bad).ok());
}

TEST_F(NvidiaTest, AdmissionEnv) {
  NvidiaConfig cfg;
  cfg.gpu_core_policy = "force";
  cfg.overwrite_env = true;
  cfg.runtime_class_name = "nvidia";
  auto v = MakeWith(cfg);
  auto c = Ctr({{"nvidia.com/gpu", "1"}, {"nvidia.com/priority", "0"}});
  auto e = v->mutator().Mutate(c);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->runtime_class, "nvidia");
  ASSERT_EQ(e->env.size(), 2u);
  EXPECT_EQ(e->env[0], (std::pair<std::string, std::string>{"CUDA_TASK_PRIORITY", "0"}));
  EXPECT_EQ(e->env[1], (std::pair<std::string, std::string>{"GPU_CORE_UTILIZATION_POLICY", "force"}));
  ContainerResources plain;
  auto pe = v->mutator().Mutate(plain);
  ASSERT_TRUE(pe.ok());
  EXPECT_FALSE(pe->has_resource);
  EXPECT_EQ(pe->env.back(), (std::pair<std::string, std::string>{"NVIDIA_VISIBLE_DEVICES", "none"}));
}

// --- Fit ---------------------------------------------------------------------

DeviceUsage Gpu(int index, int64_t mem = 16000, int count = 10) {
  DeviceUsage d;
  static std::deque<std::string> ids;  // views must outlive the device
  d.id = ids.emplace_back("GPU-" + std::to_string(index));
  d.index = index;
  d.type = "NVIDIA-Tesla V100";
  d.vendor = "NVIDIA";
  d.mode = "hami-core";
  d.count = count;
  d.total_mem_mib = mem;
  d.total_cores = 100;
  return d;
}

struct FitHarness {
  std::vector<DeviceUsage> devs;
  AnnotationMap annotations;
  std::string default_policy = "spread";
  QuotaBudget quota;
  std::vector<DeviceUsage*> ptrs;
  std::string Uuid(const FitOutcome& o, size_t k) const { return std::string(ptrs[o.chosen[k].pos]->id); }
  FitOutcome Run(DeviceRequest r) {
    NvidiaFitter f;
    auto c = f.ParseConstraints(annotations, default_policy);
    EXPECT_TRUE(c.ok());
    ptrs.clear();
    for (auto& d : devs) {
      d.score = DeviceScore(d, c->weights);
      ptrs.push_back(&d);
    }
    SortDevices(ptrs, c->gpu_policy, c->numa_bind);
    r.vendor = "NVIDIA";
    return f.Fit(ptrs, r, *c, quota);
  }
};

DeviceRequest Req(int count, int64_t mem, int cores, int pct = kMemPercentUnset) {
  DeviceRequest r;
  r.count = count;
  r.mem_mib = mem;
  r.cores = cores;
  r.mem_percent = pct;
  return r;
}

TEST(NvidiaFit, ReasonPerFirstFailingCheck) {
  FitHarness h;
  h.devs = {Gpu(0), Gpu(1), Gpu(2), Gpu(3), Gpu(4), Gpu(5)};
  h.devs[0].healthy = false;
  h.devs[1].cordoned = true;
  h.devs[2].used = 10;                                  // slots exhausted
  h.devs[3].used_mem_mib = 15000, h.devs[3].used = 1;   // memory
  h.devs[4].used_cores = 90, h.devs[4].used = 1;        // cores
  h.devs[5].used = 1, h.devs[5].used_mem_mib = 10;      // exclusive conflict for cores=100
  auto out = h.Run(Req(1, 2000, 100));
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.ReasonString(),
            "1/6 CardCordoned, 1/6 CardInsufficientCore, 1/6 CardInsufficientMemory, "
            "1/6 CardNotHealth, 1/6 CardTimeSlicingExhausted, 1/6 ExclusiveDeviceAllocateConflict");
}

TEST(NvidiaFit, SpreadPicksLeastUsed) {
  FitHarness h;
  h.devs = {Gpu(0), Gpu(1)};
  h.devs[0].used = 1, h.devs[0].used_mem_mib = 4000;
  auto out = h.Run(Req(1, 1000, 10));
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(h.Uuid(out, 0), "GPU-1");
  EXPECT_EQ(out.chosen[0].mem_mib, 1000);
  EXPECT_EQ(out.chosen[0].cores, 10);
  h.default_policy = "binpack";
  out = h.Run(Req(1, 1000, 10));
  EXPECT_EQ(h.Uuid(out, 0), "GPU-0");
}

TEST(NvidiaFit, PercentageAndCoreClamp) {
  FitHarness h;
  h.devs = {Gpu(0, 8000)};
  auto out = h.Run(Req(1, 0, 250, 25));
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(out.chosen[0].mem_mib, 2000);
  EXPECT_EQ(out.chosen[0].cores, 100);
}

TEST(NvidiaFit, FullCoresBlocksZeroCoreRequest) {
  FitHarness h;
  h.devs = {Gpu(0)};
  h.devs[0].used = 1, h.devs[0].used_cores = 100;
  auto out = h.Run(Req(1, 100, 0));
  EXPECT_EQ(out.ReasonString(), "1/1 CardComputeUnitsExhausted");
}

TEST(NvidiaFit, TypeAndUuidFilters) {
  FitHarness h;
  h.devs = {Gpu(0), Gpu(1), Gpu(2)};
  h.devs[2].type = "NVIDIA-A100";
  h.annotations[std::string(api::kUseGpuType)] = "a100";
  auto out = h.Run(Req(1, 100, 0));
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(h.Uuid(out, 0), "GPU-2");
  h.annotations.clear();
  h.annotations[std::string(api::kNoUseGpuType)] = "V100";
  EXPECT_EQ(h.Uuid(h.Run(Req(1, 100, 0)), 0), "GPU-2");
  h.annotations.clear();
  h.annotations[std::string(api::kUseGpuUuid)] = " GPU-1 ";
  EXPECT_EQ(h.Uuid(h.Run(Req(1, 100, 0)), 0), "GPU-1");
  h.annotations[std::string(api::kUseGpuUuid)] = "GPU-9";
  EXPECT_EQ(h.Run(Req(1, 100, 0)).ReasonString(), "3/3 CardUuidMismatch");
  h.annotations.clear();
  h.annotations[std::string(api::kVgpuMode)] = "mig";
  EXPECT_EQ(h.Run(Req(1, 100, 0)).ReasonString(), "3/3 CardTypeMismatch");
}

TEST(NvidiaFit, MutexRejectsUsedDevices) {
  FitHarness h;
  h.devs = {Gpu(0), Gpu(1)};
  h.devs[0].used = 1;
  h.devs[1].used = 1;
  h.annotations[std::string(api::kGpuSchedulerPolicy)] = "mutex";
  EXPECT_EQ(h.Run(Req(1, 100, 0)).ReasonString(), "2/2 ExclusiveDeviceAllocateConflict");
}

TEST(NvidiaFit, SeveralGpusAndPartialReason) {
  FitHarness h;
  h.devs = {Gpu(0), Gpu(1), Gpu(2)};
  h.devs[0].used = 10;
  auto out = h.Run(Req(2, 100, 0));
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(out.chosen.size(), 2u);
  out = h.Run(Req(3, 100, 0));
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.ReasonString(), "1/3 CardTimeSlicingExhausted, 2/3 AllocatedCardsInsufficientRequest");
}

TEST(NvidiaFit, NumaBindKeepsOneNode) {
  FitHarness h;
  h.devs = {Gpu(0), Gpu(1), Gpu(2), Gpu(3)};
  h.devs[0].numa = 0, h.devs[1].numa = 0, h.devs[2].numa = 1, h.devs[3].numa = 1;
  h.devs[3].used = 10;
  h.annotations[std::string(api::kNumaBind)] = "true";
  auto out = h.Run(Req(2, 100, 0));
  ASSERT_TRUE(out.ok);
  for (size_t k = 0; k < out.chosen.size(); ++k) EXPECT_TRUE(h.Uuid(out, k) == "GPU-0" || h.Uuid(out, k) == "GPU-1");
}

TEST(NvidiaFit, QuotaLimitsMemory) {
  FitHarness h;
  h.devs = {Gpu(0), Gpu(1)};
  h.quota.mem_mib = 3000;
  auto out = h.Run(Req(2, 2000, 0));
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.ReasonString().find("ResourceQuotaNotFit"), std::string::npos);
  h.quota.mem_mib = 5000;
  out = h.Run(Req(2, 2000, 0));
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(*h.quota.mem_mib, 1000);
}

TEST(NvidiaFit, TopologyAwarePrefersConnectedPair) {
  FitHarness h;
  h.devs = {Gpu(0), Gpu(1), Gpu(2), Gpu(3)};
  std::map<std::string, std::map<std::string, int32_t>> scores = {
      {"GPU-0", {{"GPU-1", 10}, {"GPU-2", 10}, {"GPU-3", 10}}},
      {"GPU-1", {{"GPU-0", 10}, {"GPU-2", 600}, {"GPU-3", 10}}},
      {"GPU-2", {{"GPU-0", 10}, {"GPU-1", 600}, {"GPU-3", 10}}},
      {"GPU-3", {{"GPU-0", 10}, {"GPU-1", 10}, {"GPU-2", 10}}}};
  NvidiaFitter f;
  auto c = f.ParseConstraints({{std::string(api::kGpuSchedulerPolicy), "topology-aware"}}, "spread");
  ASSERT_TRUE(c.ok());
  c->pair_scores = &scores;
  std::vector<DeviceUsage*> ptrs;
  for (auto& d : h.devs) ptrs.push_back(&d);
  QuotaBudget q;
  auto out = f.Fit(ptrs, Req(2, 100, 0), *c, q);
  ASSERT_TRUE(out.ok);
  std::set<std::string> got{std::string(ptrs[out.chosen[0].pos]->id), std::string(ptrs[out.chosen[1].pos]->id)};
  EXPECT_EQ(got, (std::set<std::string>{"GPU-1", "GPU-2"}));
  // One GPU: the least connected one, keeping the NVLink pair free.
  out = f.Fit(ptrs, Req(1, 100, 0), *c, q);
  ASSERT_TRUE(out.ok);
  std::string_view one = ptrs[out.chosen[0].pos]->id;
  EXPECT_TRUE(one == "GPU-0" || one == "GPU-3");
}

}  // namespace
}  // namespace hami::vendors::nvidia
