// Kunlun whole XPU (keyword "kunlun", reference 10): devices synthesised from
// the capacity of `kunlunxin.com/xpu` (ids `<node>-kunlun-<i>`, 100 slots,
// 98304 MiB, 100 cores, NUMA 1 for the upper half). A container takes idle
// cards (1, 2, 4 or 8) chosen on the two 4-card wings with HAMi's fixed
// interconnect tables, walking the policy-sorted list by position as HAMi
// does; a refusal is `NumaNotFit`. Written: `hami.io/kunlun-allocated` and
// `BAIDU_COM_DEVICE_IDX` (card indexes); no node lock. The node score is
// HAMi's wing "bubble" (ScoreWings in wings.h). Config section `kunlun`
// (resourceCountName). The vXPU vendor ("XPU") is vxpu.h.
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::kunlun {

void AddKunlun(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::kunlun
