#pragma once
// Progress of a long load (a large -f directory, the API's first lists) for whoever watches a
// terminal: at most one line a second, objects read so far and how fast.
//
//   LoadProgress progress("loading", isatty(STDERR_FILENO));
//   progress.add(500);      // from any thread, as objects are read
//   ...                      // "loading: 12000 object(s) read, 4100 objects/s"
//   progress.finish();      // the load is over: no more lines
//
// Off when stderr is not a terminal: logs collected by a container runtime get no progress
// lines, only the summary the load logs when it is done.

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

#include "sources/object_sink.h"

namespace vmdns::daemon {

class LoadProgress {
 public:
  using Clock = std::chrono::steady_clock;
  using Print = std::function<void(const std::string& line)>;

  // `print` null: spdlog at info level.
  LoadProgress(std::string what, bool enabled, Print print = nullptr,
               std::function<Clock::time_point()> now = Clock::now);

  void add(size_t objects);
  void finish();

 private:
  const std::string what_;
  const Print print_;
  const std::function<Clock::time_point()> now_;
  std::mutex mutex_;  // guards what follows
  bool active_;
  size_t total_ = 0;
  Clock::time_point started_;
  Clock::time_point last_line_;
};

// Passes every change on to `next` and counts the objects of each replace_origin (a file read)
// into `progress`.
class ProgressSink : public sources::ObjectSink {
 public:
  ProgressSink(sources::ObjectSink& next, LoadProgress& progress)
      : next_(next), progress_(progress) {}

  void replace_origin(const std::string& origin, cluster::State objects) override;
  void upsert(const std::string& origin, sources::Object object) override {
    next_.upsert(origin, std::move(object));
  }
  void remove(const std::string& origin, sources::ObjectRef ref) override {
    next_.remove(origin, std::move(ref));
  }
  void retain(const std::string& origin, sources::ObjectKind kind,
              std::set<cluster::ObjectKey> keep) override {
    next_.retain(origin, kind, std::move(keep));
  }
  void forget_origin(const std::string& origin) override { next_.forget_origin(origin); }
  void set_sync(const std::string& origin, sources::SyncState state) override {
    next_.set_sync(origin, std::move(state));
  }

 private:
  sources::ObjectSink& next_;
  LoadProgress& progress_;
};

}  // namespace vmdns::daemon
