// Kunlun's two-wing card selection (HAMi's graph select). `sorted` lists the
// node's cards in policy order as (card index, idle); the wings are counted
// by position (0-3 left, 4-7 right) as HAMi does, the interconnect tables
// are over card indexes. Returns the chosen card indexes, empty when the
// request (1, 2, 4 or 8 cards) cannot be met.
#pragma once

#include <utility>
#include <vector>

namespace hami::vendors::kunlun {

std::vector<int> SelectOnWings(const std::vector<std::pair<int, bool>>& sorted, int count);

}  // namespace hami::vendors::kunlun
