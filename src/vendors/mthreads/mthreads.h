// Moore Threads (keyword "Mthreads", reference 10): devices synthesised from
// node capacity (GPUs = capacity of the core resource / 16, memory per GPU =
// memory capacity x 512 x 16 / core capacity, ids `<node>-mthreads-<i>`, 100
// slots, 16 cores); memory in 512 MiB units; a container's memory and cores
// are divided evenly over its GPUs; every device of a pod must be the same
// GPU (`CardNotFoundCustomFilterRule`). No node lock. Admission: several GPUs
// or no memory take whole GPUs (16 cores, 96 units each; several also set
// the pod annotation `mthreads.com/request-gpu-num`); a memory request must
// be one of 2, 4, 8, 16, 32, 64, 96 units. On filter it writes the allocated
// list (no to-allocate key), `mthreads.com/gpu-index`,
// `mthreads.com/predicate-time` (unix ns) and `mthreads.com/predicate-node`.
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::mthreads {

void AddMthreads(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::mthreads
