// What hami-scheduler keeps of watched objects (informer transforms): only the
// fields the scheduling core, the bind path and the registrar read (see
// scheduler/model.h). managedFields, volumes, env, probes, node images and the
// like are dropped before caching, which bounds memory on large clusters.
#pragma once

#include "k8s/client.h"

namespace hami::schedulerd {

void PrunePod(k8s::Json& pod);
void PruneNode(k8s::Json& node);
void PruneQuota(k8s::Json& quota);

}  // namespace hami::schedulerd
