#pragma once
// What /health and /ready answer, and the vmdns_* source metrics: whether the process serves,
// whether its first snapshot is published, and each source's sync state.
//
//   ServingState state;                                   // one per process, shared
//   state.snapshot_published();                           // the control loop, after each publish
//   state.report_source("files", SyncState::Synced, "");  // any source, from its own thread
//   state.report_source("kubernetes", SyncState::Lost, "watch: connection refused");
//   state.count_source_errors("files", "manifest", 2);
//   state.enter_lameduck();                               // SIGTERM
//   Status ready = state.readiness();  // {false, "kubernetes: not synced: ..."} -> 503 + reason
//
// Ready (CoreDNS's `ready` plugin on :8181) means: a snapshot has been published, every source
// that reported has reached Synced at least once (a source Lost after that keeps serving its
// last objects and stays ready, as CoreDNS does), and the process is not shutting down. A source
// that never reported does not hold readiness back, so a server with manifest files only is ready
// after its first snapshot. Healthy (CoreDNS's `health` on :8080) means the process serves and is
// not in its lame-duck period. Thread-safe; never on the query path.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sync/guarded.h"

namespace vmdns::ops {

enum class SyncState {
  NotYet,  // still loading or listing; nothing served from it yet
  Synced,  // its objects are in the published snapshot and up to date
  Lost,    // it was synced, and lost its connection: its last objects keep being served
};

std::string_view sync_state_name(SyncState state);  // "not_synced", "synced", "lost"

struct Status {
  bool ok = false;
  std::string reason;  // why not, for the 503 body and the log
};

// One source as its owner reports it (replace_sources).
struct SourceReport {
  std::string name;
  SyncState state = SyncState::NotYet;
  std::string reason;
};

struct SourceStatus {
  std::string name;
  SyncState state = SyncState::NotYet;
  std::string reason;
  std::chrono::system_clock::time_point last_sync{};  // the epoch: never
};

class ServingState {
 public:
  using SystemClock = std::chrono::system_clock;

  void snapshot_published();
  void report_source(const std::string& source, SyncState state, const std::string& reason);
  // The whole set of sources at once (after each publish): those not listed are dropped, those
  // listed keep their error counts and last sync.
  void replace_sources(const std::vector<SourceReport>& sources);
  // Errors are counted apart from the sources' states: a source that is gone (a removed file)
  // keeps its count, as a Prometheus counter must, and counting one does not make it a source
  // that /ready waits for.
  void count_source_errors(const std::string& source, const std::string& kind, uint64_t n);
  void enter_lameduck();

  Status health() const;
  Status readiness() const;
  std::vector<SourceStatus> sources() const;
  // By source, then kind ("manifest", "watch"): every error counted since the start.
  std::map<std::string, std::map<std::string, uint64_t>> source_errors() const;
  bool lameduck() const;

 private:
  struct State {
    bool published = false;
    bool lameduck = false;
    std::map<std::string, SourceStatus> sources;
    std::map<std::string, std::map<std::string, uint64_t>> errors;
  };
  sync::Guarded<State> state_;
};

}  // namespace vmdns::ops
