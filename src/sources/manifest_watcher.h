#pragma once
// Keeps an ObjectSink current with the manifest files under the -f paths (inotify).
//
//   ManifestWatcher watcher({"examples/"}, sink);
//   watcher.start();     // reads every file now, then watches from its own thread
//   watcher.reload();    // SIGHUP: re-read every file
//   watcher.wait_for_reloads();   // the files re-read and delivered to the sink
//   watcher.stop();
//
// Watched: every -f directory and its subdirectories, and the parent of every -f path (so a
// file replaced by a rename, as editors and `kubectl`-style tools write, a removed file, or a
// -f directory removed and made again, are all seen). Events are gathered until the files have
// been quiet for `settle` (at most `max_delay` after the first), then ManifestFiles re-reads
// only the files that changed. Without inotify (its limits reached), files are read once and
// SIGHUP still reloads. The window is timed by WatchOptions::clock; a test that moves its own
// clock calls tick() after each move:
//
//   ManifestWatcher watcher({dir}, sink, {.clock = clock.source()});
//   ...write a file...; clock.advance(10ms);
//   watcher.tick();      // the events read, the window closed: the file delivered

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "net/loop_tick.h"
#include "sources/manifest_files.h"
#include "sources/object_sink.h"
#include "sync/guarded.h"

namespace vmdns::sources {

struct WatchOptions {
  std::chrono::milliseconds settle{10};
  std::chrono::milliseconds max_delay{100};
  // After each read of the files (the first included) that met errors; may be empty. Called on
  // the caller's thread from start(), then on the watching thread.
  std::function<void(const std::map<std::string, size_t>& errors_by_file)> on_errors = nullptr;
  // What `settle` and `max_delay` are timed by; empty: std::chrono::steady_clock.
  std::function<std::chrono::steady_clock::time_point()> clock = nullptr;
};

class ManifestWatcher {
 public:
  ManifestWatcher(std::vector<std::string> paths, ObjectSink& sink, WatchOptions options = {});
  ~ManifestWatcher();  // stops

  // Sets up the watches, reads every file on the caller's thread (delivered before it
  // returns), and starts the watching thread. Returns what the first read found.
  RescanSummary start();
  // Asks the watching thread to re-read every file; returns at once.
  void reload();
  // Blocks until every reload() asked before the call has re-read the files and delivered
  // them to the sink (at once when the watching thread does not run), so that a flush of the
  // sink after it sees them.
  void wait_for_reloads();
  // Returns once the watching thread has read the events that came before the call and its
  // clock after it, and acted on both (the files whose window closed by then re-read and
  // delivered); at once when the thread does not run.
  void tick();
  void stop();

 private:
  void run();
  void drain_events(bool& rescan_needed, bool& reread_all);
  void update_watches();
  std::chrono::steady_clock::time_point now() const;

  ManifestFiles files_;
  const WatchOptions options_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: reload or stop
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> reload_requested_{false};
  // reload() tickets: asked, and the last one whose re-read was delivered.
  struct Reloads {
    uint64_t asked = 0;
    uint64_t done = 0;
    bool running = false;  // the watching thread runs: someone will serve the tickets
  };
  sync::Guarded<Reloads> reloads_;
  std::condition_variable reload_done_;
  net::LoopTick tick_;  // open while the watching thread runs
  bool limit_warned_ = false;  // the inotify watch limit was reported
  // watch descriptor -> its directory and the names in it that matter (empty: all)
  std::map<int, std::pair<std::string, std::set<std::string>>> watches_;
  std::thread thread_;
};

}  // namespace vmdns::sources
