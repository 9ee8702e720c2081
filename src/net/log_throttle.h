#pragma once
// At most one log line an interval for an event that a client can make happen as often as it
// likes (a refused connection): the first is logged at once, later ones are counted and
// reported with the next line, so a flood costs one line per interval, not one per event.
//
//   LogThrottle refusals(std::chrono::seconds(10));
//   if (uint64_t n = refusals.count(now)) {
//     spdlog::warn("refused {} connection(s) since the last report; last from {}", n, who);
//   }

#include <chrono>
#include <cstdint>

namespace vmdns::net {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogThrottle(Clock::duration interval) : interval_(interval) {}

  // Counts one event. Returns the events to report in a line now (this one and those held
  // back since the last line), or 0 when the line must wait.
  uint64_t count(Clock::time_point now) {
    ++held_;
    if (logged_once_ && now - last_ < interval_) {
      return 0;
    }
    logged_once_ = true;
    last_ = now;
    uint64_t n = held_;
    held_ = 0;
    return n;
  }

 private:
  Clock::duration interval_;
  Clock::time_point last_{};
  bool logged_once_ = false;
  uint64_t held_ = 0;
};

}  // namespace vmdns::net
