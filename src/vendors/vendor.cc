#include "vendors/vendor.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <tuple>

namespace hami::vendors {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

StatusOr<ScoringWeights> ParseScoringWeights(std::string_view text) {
  ScoringWeights w;
  bool seen_slot = false, seen_core = false, seen_mem = false;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return InvalidArgumentError("device-scoring-weights: expected key=value, got '" +
                                  std::string(item) + "'");
    }
    std::string key = Lower(Trim(item.substr(0, eq)));
    std::string_view val = Trim(item.substr(eq + 1));
    int64_t v = -1;
    auto [p, ec] = std::from_chars(val.data(), val.data() + val.size(), v);
    if (ec != std::errc() || p != val.data() + val.size() || v < 0 || v > 1000000) {
      return InvalidArgumentError("device-scoring-weights: bad weight '" + std::string(val) +
                                  "' for " + key);
    }
    if (key == "slot") {
      w.slot = static_cast<double>(v), seen_slot = true;
    } else if (key == "core") {
      w.core = static_cast<double>(v), seen_core = true;
    } else if (key == "memory") {
      w.memory = static_cast<double>(v), seen_mem = true;
    } else {
      return InvalidArgumentError("device-scoring-weights: unknown key '" + key + "'");
    }
  }
  if (!seen_slot || !seen_core || !seen_mem) {
    return InvalidArgumentError("device-scoring-weights: slot, core and memory are all required");
  }
  if (w.slot == 0 && w.core == 0 && w.memory == 0) {
    return InvalidArgumentError("device-scoring-weights: at least one weight must be > 0");
  }
  return w;
}

GpuPolicy ParseGpuPolicy(std::string_view text, bool numa_bind) {
  GpuPolicy p;
  std::string lower = Lower(Trim(text));
  bool has_comma = lower.find(',') != std::string::npos;
  std::vector<std::string> tokens;
  std::string_view rest = lower;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view tok = Trim(rest.substr(0, comma));
    if (!tok.empty()) tokens.emplace_back(tok);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  p.chain = has_comma || (tokens.size() == 1 && tokens[0] == "numa");
  for (const auto& t : tokens) {
    if (t == "binpack") {
      p.keys.push_back(GpuPolicy::Key::kBinpack);
    } else if (t == "spread") {
      p.keys.push_back(GpuPolicy::Key::kSpread);
    } else if (t == "numa") {
      p.keys.push_back(GpuPolicy::Key::kNuma);
    } else if (t == "mutex") {
      p.mutex = true;
    } else if (t == "topology-aware") {
      p.topology_aware = true;
    }
  }
  if (p.chain && numa_bind) {
    // numa first, once.
    std::erase(p.keys, GpuPolicy::Key::kNuma);
    p.keys.insert(p.keys.begin(), GpuPolicy::Key::kNuma);
  }
  if (!p.chain) {
    // Single value: only the first sort key matters.
    if (p.keys.size() > 1) p.keys.erase(p.keys.begin() + 1, p.keys.end());
  }
  return p;
}

// Every comparator ends with the device index, so std::sort is deterministic
// (and allocation-free, unlike stable_sort).
void SortDevices(std::vector<DeviceUsage*>& devices, const GpuPolicy& policy, bool numa_bind) {
  using Key = GpuPolicy::Key;
  if (policy.chain) {
    std::vector<Key> keys = policy.keys;
    if (keys.empty()) keys.push_back(Key::kSpread);  // chain without a sort key
    std::sort(devices.begin(), devices.end(), [&](const DeviceUsage* a, const DeviceUsage* b) {
      for (Key k : keys) {
        switch (k) {
          case Key::kBinpack:
            if (a->score != b->score) return a->score < b->score;
            break;
          case Key::kSpread:
            if (a->score != b->score) return a->score > b->score;
            break;
          case Key::kNuma:
            if (a->numa != b->numa) return a->numa < b->numa;
            break;
        }
      }
      return a->index < b->index;
    });
    return;
  }
  const bool binpack = !policy.keys.empty() && policy.keys[0] == Key::kBinpack;
  if (policy.mutex && policy.keys.empty()) {
    std::sort(devices.begin(), devices.end(), [](const DeviceUsage* a, const DeviceUsage* b) {
      if (a->used != b->used) return a->used > b->used;
      if (a->numa != b->numa) return a->numa < b->numa;
      return a->index < b->index;
    });
    return;
  }
  if (numa_bind) {
    std::sort(devices.begin(), devices.end(), [binpack](const DeviceUsage* a, const DeviceUsage* b) {
      if (a->numa != b->numa) return binpack ? a->numa > b->numa : a->numa < b->numa;
      if (a->score != b->score) return binpack ? a->score < b->score : a->score > b->score;
      return a->index < b->index;
    });
    return;
  }
  std::sort(devices.begin(), devices.end(), [binpack](const DeviceUsage* a, const DeviceUsage* b) {
    if (a->score != b->score) return binpack ? a->score < b->score : a->score > b->score;
    if (a->numa != b->numa) return a->numa < b->numa;
    return a->index < b->index;
  });
}

std::string FitOutcome::ReasonString() const {
  std::vector<std::string> parts;
  parts.reserve(reasons.size());
  for (const auto& [reason, n] : reasons) {
    if (n <= 0) continue;
    parts.push_back(std::to_string(n) + "/" + std::to_string(examined) + " " + reason);
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ", ";
    out += parts[i];
  }
  return out;
}

double DeviceScore(const DeviceUsage& d, const ScoringWeights& w) {
  if (d.count == 0 || d.total_cores == 0 || d.total_mem_mib == 0) return 0;
  return 10.0 * (w.slot * d.used / d.count + w.core * d.used_cores / d.total_cores +
                 w.memory * static_cast<double>(d.used_mem_mib) / static_cast<double>(d.total_mem_mib));
}

}  // namespace hami::vendors

namespace hami::vendors {

const std::string* NodeView::Annotation(std::string_view key) const {
  if (annotations == nullptr) return nullptr;
  auto it = annotations->find(key);
  return it == annotations->end() ? nullptr : &it->second;
}

const std::string* NodeView::Label(std::string_view key) const {
  if (labels == nullptr) return nullptr;
  auto it = labels->find(key);
  return it == labels->end() ? nullptr : &it->second;
}

std::optional<int64_t> NodeView::Capacity(std::string_view resource) const {
  if (capacity == nullptr) return std::nullopt;
  auto it = capacity->find(resource);
  if (it == capacity->end()) return std::nullopt;
  return it->second.Value();
}

}  // namespace hami::vendors
