#include "vendors/registry.h"

#include "vendors/amd/amd.h"
#include "vendors/ascend/ascend.h"
#include "vendors/awsneuron/awsneuron.h"
#include "vendors/biren/biren.h"
#include "vendors/cambricon/cambricon.h"
#include "vendors/enflame/drs.h"
#include "vendors/enflame/gcu.h"
#include "vendors/hygon/hygon.h"
#include "vendors/iluvatar/iluvatar.h"
#include "vendors/kunlun/kunlun.h"
#include "vendors/kunlun/vxpu.h"
#include "vendors/metax/metax_gpu.h"
#include "vendors/metax/metax_sgpu.h"
#include "vendors/mthreads/mthreads.h"
#include "vendors/nvidia/nvidia_vendor.h"
#include "vendors/vastai/vastai.h"

namespace hami::vendors {
namespace {

using Factory = void (*)(const DevicesConfig&, VendorList&);

void AddNvidia(const DevicesConfig& config, VendorList& out) {
  if (auto v = nvidia::MakeNvidiaVendor(config)) out.push_back(std::move(v));
}

// One line per vendor.
constexpr Factory kFactories[] = {
    &AddNvidia,
    &hygon::AddHygon,
    &cambricon::AddCambricon,
    &iluvatar::AddIluvatar,
    &mthreads::AddMthreads,
    &metax::AddMetaxGpu,
    &metax::AddMetaxSgpu,
    &enflame::AddGcu,
    &enflame::AddDrs,
    &kunlun::AddKunlun,
    &kunlun::AddKunlunVxpu,
    &awsneuron::AddAwsNeuron,
    &amd::AddAmd,
    &biren::AddBiren,
    &vastai::AddVastai,
    &ascend::AddAscend,
};

}  // namespace

VendorList MakeVendors(const DevicesConfig& config) {
  VendorList out;
  for (Factory f : kFactories) f(config, out);
  return out;
}

}  // namespace hami::vendors
