#pragma once
// Capped exponential backoff with jitter, for reconnecting to the API server: each failure
// doubles the delay up to `cap`, and the wait is drawn from the upper half of it, so that the
// replicas of a restarted Deployment do not reconnect in lockstep.
//
//   Backoff backoff(200ms, 30s);
//   sleep(backoff.next());   // 100-200 ms, then 200-400 ms, ... up to 15-30 s
//   backoff.reset();         // after a success

#include <algorithm>
#include <chrono>
#include <random>

namespace vmdns::kube {

class Backoff {
 public:
  using Duration = std::chrono::milliseconds;
  Backoff(Duration initial, Duration cap)
      : initial_(initial), cap_(std::max(cap, initial)), current_(initial),
        random_(std::random_device{}()) {}

  Duration next() {
    Duration ceiling = current_;
    current_ = std::min(cap_, current_ * 2);
    std::uniform_int_distribution<Duration::rep> draw(ceiling.count() / 2, ceiling.count());
    return Duration(draw(random_));
  }
  void reset() { current_ = initial_; }

 private:
  Duration initial_;
  Duration cap_;
  Duration current_;
  std::mt19937_64 random_;
};

}  // namespace vmdns::kube
