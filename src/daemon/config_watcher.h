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

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace vmdns::daemon {

class ConfigWatcher {
 public:
  ConfigWatcher(std::string path, std::function<void()> on_change,
                std::chrono::milliseconds settle = std::chrono::milliseconds(100));
  ~ConfigWatcher();  // stops

  // False with `error` set when inotify is not available (SIGHUP still reloads).
  bool start(std::string* error);
  void stop();

 private:
  void run();
  bool drain();  // reads the pending events; true when one concerned the file

  const std::string path_;
  std::string directory_;
  std::string name_;
  const std::function<void()> on_change_;
  const std::chrono::milliseconds settle_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: stop
  std::thread thread_;
};

}  // namespace vmdns::daemon
