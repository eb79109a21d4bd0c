// MetaX sGPU (keyword "Metax-SGPU", reference 10): devices from the JSON
// inventory `metax-tech.com/node-gpu-devices` (slots, vRam MiB, compute %,
// NUMA, health, current QoS policy, MetaLink zone); resources
// `metax-tech.com/sgpu` / `vmemory` (bare number = GiB, with a unit = bytes) /
// `vcore` (%, default 100). Pods pick a QoS policy
// (`metax-tech.com/sgpu-qos-policy`, webhook default best-effort) that must
// match a shared device's, or an app class (`metax-tech.com/sgpu-app-class`,
// online/offline, one device) that never shares with pods of the other kind.
// Written: `hami.io/metax-sgpu-devices-*`, `metax-tech.com/gpu-devices-allocated`
// and `metax-tech.com/predicate-time`; lock `hami.io/mutex.lock`. Config
// section `metax` (resourceVCountName, resourceVMemoryName,
// resourceVCoreName, sgpuTopologyAware).
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::metax {

void AddMetaxSgpu(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::metax
