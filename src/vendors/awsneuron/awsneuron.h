// AWS Neuron (keyword "AWSNeuron", reference 10). Devices from node capacity:
// `aws.amazon.com/neuron` devices with `aws.amazon.com/neuroncore` cores
// between them (ids `<node>-AWSNeuron-<i>`, one slot per core, no memory, the
// device's cores as a bit mask in total_cores and in the cores a container
// records). Inferentia nodes (instance-type label holding "inf"/"Inf") are
// marked in DeviceUsage::group.
//
// A container asks for whole devices (`aws.amazon.com/neuron: N`) or for
// cores (`aws.amazon.com/neuroncore: N`: N <= 2 on one device, else N/2 whole
// devices; other odd counts are refused by the webhook), HAMi v2.10 splitting
// by at most 2 cores per device. One device: the first from the end of the
// policy order that is healthy, passes the UUID lists, has a slot and enough
// free cores (mutex: idle), taking the lowest free cores. Several devices:
// idle healthy devices with consecutive indexes, from any start on
// Inferentia (HAMi's "ring", not wrapping), else only 4, 8 or 16 devices from
// a multiple of the count; refused with `NumaNotFit`.
//
// Written: `hami.io/aws-neuron-devices-allocated`, `AWS_NEURON_IDS` (device
// indexes for containers naming the count resource in limits, else global
// core indexes), `NEURON_ALLOC_TIME` (unix ns), `NEURON_ALLOCATED=false`,
// `aws.amazon.com/predicate-node`, and `NEURON_RESOURCE_TYPE` (the core
// resource) for core indexes. No node lock. Config section `awsneuron`
// (resourceCountName, resourceCoreName).
#pragma once

#include "vendors/registry.h"

namespace hami::vendors::awsneuron {

void AddAwsNeuron(const DevicesConfig& config, VendorList& out);

}  // namespace hami::vendors::awsneuron
