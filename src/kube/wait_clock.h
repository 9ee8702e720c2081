#pragma once
// The reflector's time: what it reads (resync deadlines) and how it waits (backoff,
// Retry-After). The program's clock is the steady clock and waits on the StopSignal, so that
// stop() ends a wait at once; unit tests pass a clock whose waits return at once and move its
// time on, and read back what was waited.
//
//   SteadyWaitClock clock(stop);
//   if (!clock.wait_for(std::chrono::seconds(3))) return;   // stopped meanwhile

#include <chrono>

#include "kube/stop_signal.h"

namespace vmdns::kube {

class WaitClock {
 public:
  using Duration = std::chrono::milliseconds;
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~WaitClock() = default;
  virtual TimePoint now() = 0;
  // Waits `duration`; false when a stop came first.
  virtual bool wait_for(Duration duration) = 0;
};

class SteadyWaitClock : public WaitClock {
 public:
  explicit SteadyWaitClock(StopSignal& stop) : stop_(stop) {}
  TimePoint now() override { return std::chrono::steady_clock::now(); }
  bool wait_for(Duration duration) override { return stop_.wait_for(duration); }

 private:
  StopSignal& stop_;
};

}  // namespace vmdns::kube
