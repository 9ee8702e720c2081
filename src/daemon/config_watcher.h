#pragma once
// Calls back when one file changes: written in place, replaced by a rename (editors), created or
// removed, or, for a Kubernetes ConfigMap volume, when its `..data` symlink is swapped. Watches
// the file's directory with inotify, so that a file replaced or not there yet is still seen.
//
//   ConfigWatcher watcher("/etc/vmdns/vmdns.yaml", [&] { reloader.reload(); });
//   watcher.start();   // the callback runs on the watcher's thread
//   watcher.stop();
//
// Events are gathered until the directory is quiet for `settle`, so that one save is one call.
// The window is timed by `clock` (empty: std::chrono::steady_clock); a test that moves its own
// clock calls tick() after each move:
//
//   ConfigWatcher watcher(path, on_change, 100ms, clock.source());
//   ...write the file...; clock.advance(100ms);
//   watcher.tick();    // the event read, the window closed: on_change has run

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "net/loop_tick.h"

namespace vmdns::daemon {

class ConfigWatcher {
 public:
  using Clock = std::chrono::steady_clock;

  ConfigWatcher(std::string path, std::function<void()> on_change,
                std::chrono::milliseconds settle = std::chrono::milliseconds(100),
                std::function<Clock::time_point()> clock = nullptr);
  ~ConfigWatcher();  // stops

  // False with `error` set when inotify is not available (SIGHUP still reloads).
  bool start(std::string* error);
  void stop();
  // Returns once the watching thread has read the events that came before the call and its
  // clock after it, and acted on both (on_change called if the window closed by then); at once
  // when the thread does not run.
  void tick();

 private:
  void run();
  // Reads the pending events; true when one concerned the file, `any` when there were some.
  bool drain(bool* any);
  Clock::time_point now() const { return clock_ ? clock_() : Clock::now(); }

  const std::string path_;
  std::string directory_;
  std::string name_;
  const std::function<void()> on_change_;
  const std::chrono::milliseconds settle_;
  const std::function<Clock::time_point()> clock_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: stop
  std::atomic<bool> stopping_{false};
  net::LoopTick tick_;  // closed while the thread does not run: tick() returns at once
  std::thread thread_;
};

}  // namespace vmdns::daemon
