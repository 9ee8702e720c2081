#pragma once
// A stop request that threads can sleep on: wait_for() returns early when stop() is called.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace vmdns::kube {

class StopSignal {
 public:
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    changed_.notify_all();
  }
  bool stopped() const { return stopped_.load(); }
  const std::atomic<bool>& flag() const { return stopped_; }
  // Sleeps for `duration` or until stop(); true when the full time passed without a stop.
  template <typename Rep, typename Period>
  bool wait_for(std::chrono::duration<Rep, Period> duration) {
    std::unique_lock lock(mutex_);
    return !changed_.wait_for(lock, duration, [this] { return stopped_.load(); });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::atomic<bool> stopped_{false};
};

}  // namespace vmdns::kube
