#pragma once
// A steady clock that moves only when the test says, read by the threads of the server under
// test (ServerOptions::clock, HttpLimits::clock): timeouts then expire at the step the test
// chose, however slow the machine.
//
//   MovedClock clock;
//   Server server({.listen = ..., .clock = clock.source()});
//   clock.advance(1500ms);
//   server.tick();  // the loop's round at the new time

#include <atomic>
#include <chrono>
#include <functional>

namespace vmdns::testing {

class MovedClock {
 public:
  using Clock = std::chrono::steady_clock;

  Clock::time_point now() const { return kStart + elapsed(); }
  // For an options struct; the clock must outlive whatever holds it.
  std::function<Clock::time_point()> source() const {
    return [this] { return now(); };
  }
  void advance(Clock::duration by) { elapsed_ += by.count(); }
  Clock::duration elapsed() const { return Clock::duration(elapsed_.load()); }
  // The elapsed time in whole milliseconds, for a test's trace of its steps.
  long long elapsed_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(elapsed()).count();
  }

 private:
  // Far from the clock's epoch, so that "now minus a timeout" never goes below it.
  static constexpr Clock::time_point kStart = Clock::time_point{} + std::chrono::seconds(1000);
  std::atomic<Clock::rep> elapsed_{0};
};

}  // namespace vmdns::testing
