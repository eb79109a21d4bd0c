#include "vendors/kunlun/wings.h"

#include <algorithm>
#include <array>

#include "api/reasons.h"

namespace hami::vendors::kunlun {
namespace {

// Cards linked across the wings, and 4-card sets that are fully connected.
constexpr std::array<std::array<int, 2>, 4> kAcross = {{{0, 4}, {1, 5}, {2, 6}, {3, 7}}};
constexpr std::array<std::array<int, 2>, 12> kWithin = {
    {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}, {4, 5}, {4, 6}, {4, 7}, {5, 6}, {5, 7}, {6, 7}}};
constexpr std::array<std::array<int, 4>, 6> kQuads = {
    {{0, 1, 4, 5}, {2, 3, 6, 7}, {0, 2, 4, 6}, {1, 3, 5, 7}, {0, 3, 4, 7}, {1, 2, 5, 6}}};

template <typename Set>
bool Contains(const std::vector<int>& have, const Set& want) {
  return std::all_of(want.begin(), want.end(),
                     [&](int v) { return std::find(have.begin(), have.end(), v) != have.end(); });
}

using Cards = std::vector<std::pair<int, bool>>;

// Indexes of the first `count` idle cards from position `start` to 7.
std::vector<int> Pick(const Cards& sorted, size_t start, int count) {
  std::vector<int> out;
  for (size_t t = start; t < std::min<size_t>(sorted.size(), 8) && static_cast<int>(out.size()) < count; ++t) {
    if (sorted[t].second) out.push_back(sorted[t].first);
  }
  return out;
}

std::vector<int> AcrossWings(const Cards& sorted, int count) {
  std::vector<int> idle;
  for (const auto& [index, free] : sorted) {
    if (free) idle.push_back(index);
  }
  if (count == 2) {
    for (int a : idle) {
      for (int b : idle) {
        if (a == b) continue;
        for (const auto& link : kAcross) {
          if ((link[0] == a && link[1] == b) || (link[0] == b && link[1] == a)) return {a, b};
        }
      }
    }
  }
  if (count == 4 && (idle.size() == 4 || idle.size() == 5)) {
    for (const auto& quad : kQuads) {
      if (Contains(idle, quad)) return {quad.begin(), quad.end()};
    }
  }
  if (count == 4 && idle.size() == 6) {
    // The last fully connected quad, or the first whose leftover pair is linked.
    std::vector<int> chosen;
    for (const auto& quad : kQuads) {
      if (!Contains(idle, quad)) continue;
      chosen.assign(quad.begin(), quad.end());
      std::vector<int> rest;
      for (int v : idle) {
        if (std::find(chosen.begin(), chosen.end(), v) == chosen.end()) rest.push_back(v);
      }
      auto linked = [&](const auto& pairs) {
        return std::any_of(pairs.begin(), pairs.end(), [&](const auto& p) { return Contains(rest, p); });
      };
      if (linked(kAcross) || linked(kWithin)) return chosen;
    }
    return chosen;
  }
  return {};
}

// HAMi's countbubble over a set of card indexes.
int Bubble(const std::vector<int>& cards) {
  if (cards.empty()) return 1;
  int left = 0, right = 0;
  for (int c : cards) (c < 4 ? left : right) += 1;
  auto value = [](int n) { return n == 4 ? 0 : n == 1 ? 2 : 1; };
  return value(left) + value(right);
}

void AddOnce(std::vector<int>& cards, int index) {
  if (std::find(cards.begin(), cards.end(), index) == cards.end()) cards.push_back(index);
}

}  // namespace

double ScoreWings(const ScoreInput& in) {
  std::vector<int> before, taken;
  for (const DeviceUsage& d : in.before) {
    if (d.type.find("kunlun") == std::string_view::npos) return 0;
    if (d.used > 0) AddOnce(before, d.index);
  }
  for (const HeldDevice& h : in.taken) {
    for (const DeviceUsage& d : in.before) {
      if (d.id == h.id) AddOnce(taken, d.index);
    }
  }
  switch (Bubble(taken) - Bubble(before)) {
    case -1: return 3000;
    case 0: return 2000;
    case 2: return 0;
    default: return 1000;
  }
}

std::vector<int> SelectOnWings(const Cards& sorted, int count) {
  int left = 0, right = 0;
  for (size_t i = 0; i < sorted.size(); ++i) (i < 4 ? left : right) += sorted[i].second ? 1 : 0;
  if (count == 8) {
    if (left + right != 8 || sorted.size() != 8) return {};
    return {0, 1, 2, 3, 4, 5, 6, 7};
  }
  if (count != 1 && count != 2 && count != 4) return {};
  if (left >= count || right >= count) {
    // Prefer the wing whose idle cards match the request most tightly.
    constexpr int kOddOrder[] = {1, 3, 2, 4};
    for (int slots = count; slots <= 4; ++slots) {
      const int want = count % 2 == 1 ? kOddOrder[slots - 1] : slots;
      if (left == want) return Pick(sorted, 0, count);
      if (right == want) return Pick(sorted, 4, count);
    }
  }
  return AcrossWings(sorted, count);
}

FitOutcome FitOnWings(std::span<DeviceUsage* const> devices, int count,
                      const std::function<bool(const DeviceUsage&)>& fits,
                      const std::function<std::pair<int64_t, int32_t>(const DeviceUsage&)>& charge) {
  FitOutcome out;
  Cards sorted;
  for (const DeviceUsage* d : devices) sorted.emplace_back(d->index, fits(*d));
  for (int index : SelectOnWings(sorted, count)) {
    for (size_t pos = 0; pos < devices.size(); ++pos) {
      if (devices[pos]->index != index) continue;
      auto [mem, cores] = charge(*devices[pos]);
      out.chosen.push_back({static_cast<int>(pos), mem, cores, {}});
      break;
    }
  }
  out.ok = !out.chosen.empty() && static_cast<int>(out.chosen.size()) == count;
  if (!out.ok) {
    out.chosen.clear();
    out.reasons[std::string(api::reasons::kNumaNotFit)] = 1;
    out.examined = 1;  // HAMi counts reasons, not devices, here
  }
  return out;
}

}  // namespace hami::vendors::kunlun
