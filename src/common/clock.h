// Clock: an injectable source of time, so that expiry, leases and rate logic
// are testable without sleeping. SystemClock is the production one;
// FakeClock (common/testing) is for tests.
#pragma once

#include <chrono>
#include <cstdint>

namespace hami {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (for annotations such as bind-time, lock timestamps).
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Monotonic time (for timeouts and durations).
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;

  int64_t NowUnixSeconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(Now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point Monotonic() const override { return std::chrono::steady_clock::now(); }
};

// A clock that only moves when told to. Thread-compatible (tests only).
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)))
      : wall_(start) {}
  std::chrono::system_clock::time_point Now() const override { return wall_; }
  std::chrono::steady_clock::time_point Monotonic() const override { return mono_; }
  void Advance(std::chrono::nanoseconds d) { wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d); mono_ += d; }

 private:
  std::chrono::system_clock::time_point wall_;
  std::chrono::steady_clock::time_point mono_{};
};

}  // namespace hami
