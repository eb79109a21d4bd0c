#include "k8s/node_lock.h"

#include <ctime>
#include <random>
#include <thread>

#include "common/log.h"

namespace hami::k8s {
namespace {

std::string FormatRfc3339(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Accepts YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM).
StatusOr<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view s) {
  std::tm tm{};
  int consumed = 0;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 || consumed != 19) {
    return InvalidArgumentError("not an RFC3339 time: '" + str + "'");
  }
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return InvalidArgumentError("RFC3339 time out of range: '" + str + "'");
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  size_t i = 19;
  if (i < str.size() && str[i] == '.') {
    ++i;
    while (i < str.size() && std::isdigit(static_cast<unsigned char>(str[i]))) ++i;
  }
  long offset = 0;
  if (i < str.size() && (str[i] == 'Z' || str[i] == 'z')) {
    ++i;
  } else if (i + 6 == str.size() && (str[i] == '+' || str[i] == '-') && str[i + 3] == ':') {
    int hh = 0, mm = 0;
    if (std::sscanf(str.c_str() + i + 1, "%2d:%2d", &hh, &mm) != 2) {
      return InvalidArgumentError("bad zone offset in '" + str + "'");
    }
    offset = (hh * 3600L + mm * 60L) * (str[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return InvalidArgumentError("RFC3339 time without zone: '" + str + "'");
  }
  if (i != str.size()) return InvalidArgumentError("trailing text in time '" + str + "'");
  time_t t = timegm(&tm) - offset;
  return std::chrono::system_clock::from_time_t(t);
}

bool EndsWithOwner(const std::string& value, std::string_view ns, std::string_view name) {
  std::string suffix = "," + std::string(ns) + "," + std::string(name);
  return value.size() >= suffix.size() && value.compare(value.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

StatusOr<NodeLockValue> ParseNodeLockValue(std::string_view text) {
  NodeLockValue v;
  size_t commas = 0;
  for (char c : text) commas += c == ',';
  if (commas == 0) {
    ASSIGN_OR_RETURN(v.time, ParseRfc3339(text));
    return v;
  }
  if (commas != 2) return InvalidArgumentError("node lock must have 3 comma-separated parts: '" + std::string(text) + "'");
  size_t a = text.find(','), b = text.find(',', a + 1);
  ASSIGN_OR_RETURN(v.time, ParseRfc3339(text.substr(0, a)));
  v.owner_ns = std::string(text.substr(a + 1, b - a - 1));
  v.owner_name = std::string(text.substr(b + 1));
  if (v.owner_ns.empty() || v.owner_name.empty()) {
    return InvalidArgumentError("node lock has an empty owner: '" + std::string(text) + "'");
  }
  return v;
}

std::string FormatNodeLockValue(const NodeLockValue& value) {
  std::string out = FormatRfc3339(value.time);
  if (!value.owner_ns.empty() || !value.owner_name.empty()) out += "," + value.owner_ns + "," + value.owner_name;
  return out;
}

NodeLocker::NodeLocker(Client* client, const Clock* clock, NodeLockOptions options)
    : client_(client), clock_(clock), options_(options) {}

std::mutex& NodeLocker::NodeMutex(std::string_view node) {
  std::lock_guard<std::mutex> lock(map_mu_);
  auto& slot = node_mu_[std::string(node)];
  if (!slot) slot = std::make_unique<std::mutex>();
  return *slot;
}

namespace {
Status Contention(std::string_view node, std::chrono::seconds expiry) {
  return ResourceExhaustedError("node " + std::string(node) + " has been locked within " +
                                std::to_string(expiry.count() / 60) + "m" + std::to_string(expiry.count() % 60) +
                                "s: node lock contention");
}
}  // namespace

Status NodeLocker::TryLockOnce(std::string_view node, std::string_view pod_ns, std::string_view pod_name) {
  ASSIGN_OR_RETURN(Json current, client_->Get(kNodes, "", node));
  std::string value = Annotation(current, kNodeLockAnnotation);
  std::string rv = ResourceVersion(current);
  if (!value.empty()) {
    if (EndsWithOwner(value, pod_ns, pod_name)) return OkStatus();  // re-entrant
    bool take_over = false;
    auto parsed = ParseNodeLockValue(value);
    if (!parsed.ok()) {
      log::Warn("nodelock", "garbage lock value, taking over", {{"node", std::string(node)}, {"value", value}});
      take_over = true;
    } else if (clock_->Now() - parsed->time > options_.expiry) {
      log::Info("nodelock", "lock expired, taking over", {{"node", std::string(node)}, {"value", value}});
      take_over = true;
    } else if (!parsed->owner_name.empty()) {
      auto owner = client_->Get(kPods, parsed->owner_ns, parsed->owner_name);
      bool gone = !owner.ok() && owner.status().code() == StatusCode::kNotFound;
      std::string why;
      if (gone || owner.ok()) {
        std::optional<Json> owner_pod;
        if (owner.ok()) owner_pod = std::move(owner).value();
        if (options_.judge) {
          why = options_.judge(node, *parsed, owner_pod);
        } else if (gone) {
          why = "owner pod not found";
        }
      }  // other read errors: treat the lock as live
      if (!why.empty()) {
        log::Info("nodelock", "stale lock, taking over",
                  {{"node", std::string(node)}, {"value", value}, {"why", why}});
        take_over = true;
      }
    }
    if (!take_over) return Contention(node, options_.expiry);
  }
  NodeLockValue v{clock_->Now(), std::string(pod_ns), std::string(pod_name)};
  Json patch = {{"metadata", {{"annotations", {{std::string(kNodeLockAnnotation), FormatNodeLockValue(v)}}},
                              {"resourceVersion", rv}}}};
  auto res = client_->MergePatch(kNodes, "", node, patch);
  return res.ok() ? OkStatus() : res.status();
}

Status NodeLocker::Lock(std::string_view node, std::string_view pod_ns, std::string_view pod_name) {
  std::lock_guard<std::mutex> guard(NodeMutex(node));
  auto backoff = options_.retry.initial_backoff;
  thread_local std::minstd_rand rng(std::random_device{}());
  Status last;
  for (int attempt = 0; attempt < std::max(1, options_.retry.max_attempts); ++attempt) {
    if (attempt > 0) {
      std::uniform_real_distribution<double> jitter(1.0, 1.5);
      std::this_thread::sleep_for(std::chrono::duration_cast<std::chrono::milliseconds>(backoff * jitter(rng)));
      backoff = std::chrono::milliseconds(int64_t(double(backoff.count()) * options_.retry.factor));
    }
    last = TryLockOnce(node, pod_ns, pod_name);
    if (last.ok() || last.code() == StatusCode::kResourceExhausted || last.code() == StatusCode::kNotFound) {
      return last;
    }
  }
  return last;
}

Status NodeLocker::Release(std::string_view node, std::string_view pod_ns, std::string_view pod_name,
                           bool skip_owner_check) {
  std::lock_guard<std::mutex> guard(NodeMutex(node));
  auto backoff = options_.retry.initial_backoff;
  Status last;
  for (int attempt = 0; attempt < std::max(1, options_.retry.max_attempts); ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(backoff);
      backoff = std::chrono::milliseconds(int64_t(double(backoff.count()) * options_.retry.factor));
    }
    auto current = client_->Get(kNodes, "", node);
    if (!current.ok()) {
      if (current.status().code() == StatusCode::kNotFound) return OkStatus();
      last = current.status();
      continue;
    }
    std::string value = Annotation(*current, kNodeLockAnnotation);
    if (value.empty()) return OkStatus();
    bool legacy = value.find(',') == std::string::npos;
    if (!skip_owner_check && !legacy && !EndsWithOwner(value, pod_ns, pod_name)) {
      return OkStatus();  // someone else's lock: not ours to release
    }
    Json patch = {{"metadata", {{"annotations", {{std::string(kNodeLockAnnotation), nullptr}}},
                                {"resourceVersion", ResourceVersion(*current)}}}};
    auto res = client_->MergePatch(kNodes, "", node, patch);
    if (res.ok()) return OkStatus();
    last = res.status();
  }
  return last;
}

}  // namespace hami::k8s
