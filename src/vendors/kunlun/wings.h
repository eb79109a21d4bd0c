// Kunlun's two-wing card selection (HAMi's graph select). `sorted` lists the
// node's cards in policy order as (card index, idle); the wings are counted
// by position (0-3 left, 4-7 right) as HAMi does, the interconnect tables
// are over card indexes. Returns the chosen card indexes, empty when the
// request (1, 2, 4 or 8 cards) cannot be met.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "vendors/vendor.h"

namespace hami::vendors::kunlun {

std::vector<int> SelectOnWings(const std::vector<std::pair<int, bool>>& sorted, int count);

// A Fit over the policy-sorted devices with SelectOnWings: `fits` says whether
// a card may take the request, `charge` what a chosen card records (memory
// MiB, cores). A refusal is "1/1 NumaNotFit", as HAMi reports it.
FitOutcome FitOnWings(std::span<DeviceUsage* const> devices, int count,
                      const std::function<bool(const DeviceUsage&)>& fits,
                      const std::function<std::pair<int64_t, int32_t>(const DeviceUsage&)>& charge);

// HAMi's node score for whole cards: how the "bubble" of the cards the pod
// takes compares with that of the cards in use before it. A set of card
// indexes leaves per wing (0-3, 4-7) 0 for four cards, 2 for one, else 1
// (an empty set: 1); the score is 3000, 2000, 1000 or 0 for a difference
// (pod's - before) of -1, 0, 1 or 2, else 1000. Zero when the node has a
// device whose type does not hold "kunlun".
double ScoreWings(const ScoreInput& input);

}  // namespace hami::vendors::kunlun
