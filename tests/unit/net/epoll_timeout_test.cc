// epoll_timeout_ms: the timeout argument of epoll_wait for an event loop's next deadline.
//
// Behaviour checked: -1 without a deadline, 0 once it has passed, else the milliseconds left
// rounded up (never a wake-up just before the deadline), capped at INT_MAX.

#include "net/epoll_timeout.h"

#include <gtest/gtest.h>

#include <chrono>
#include <climits>
#include <optional>

namespace vmdns::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const Clock::time_point kStart = Clock::time_point{} + 1000s;

TEST(EpollTimeoutMs, Table) {
  struct Case {
    const char* what;
    std::optional<Clock::duration> deadline_from_now;
    int expected;
  };
  const Case cases[] = {
      {"no deadline", std::nullopt, -1},
      {"now", 0ns, 0},
      {"passed", -5ms, 0},
      {"a nanosecond left", 1ns, 1},
      {"a millisecond left", 1ms, 1},
      {"1.5 ms left", 1500us, 2},
      {"ten seconds", 10s, 10000},
      {"beyond an int", std::chrono::hours(24 * 365), INT_MAX},
  };
  for (const Case& c : cases) {
    std::optional<Clock::time_point> deadline;
    if (c.deadline_from_now) {
      deadline = kStart + *c.deadline_from_now;
    }
    EXPECT_EQ(epoll_timeout_ms(deadline, kStart), c.expected) << c.what;
  }
}

}  // namespace
}  // namespace vmdns::net
