#pragma once
// The control thread: takes every source's changes (sources::ObjectSink), keeps each origin's
// objects (ClusterStore), and publishes a new snapshot after each burst of changes, rebuilding
// only the parts the changed objects affect (builder::SnapshotBuilder).
//
//   zone::SnapshotHolder holder;
//   control::ControlLoop loop(holder, config);
//   loop.start();
//   loop.replace_origin("examples/vmi.yaml", loaded.state);   // from any thread
//   loop.flush();                   // wait until that change is served (startup, tests)
//   ...
//   for (const auto& o : loop.origins()) { ... o.sync.status ... }   // for /ready
//   loop.stop();
//
// Coalescing: a change wakes the thread, which waits until no change has come for `settle`
// (default 5 ms), but never more than `max_delay` (default 50 ms) after the first one, on the
// loop's clock (ControlOptions::clock), then applies everything queued and builds one snapshot;
// a flush() waiting for the changes ends the wait at once. A batch that changed nothing (objects
// defined again as they were, sync states as they were) builds none, and the serial stays. A
// build that fails (throws) keeps the last good snapshot served; the next change tries again.
// Snapshots carry a serial that moves with every build (the SOA serial: seconds since the
// epoch, or the previous serial + 1).
//
// With ControlOptions::address_hold, each VMI is served as AddressHolds makes it (the addresses
// its status lost still held), and the loop wakes when the earliest hold ends to serve that VMI
// without it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "builder/snapshot_builder.h"
#include "control/address_holds.h"
#include "control/cluster_store.h"
#include "control/heap_trimmer.h"
#include "rules/zone_config.h"
#include "sources/object_sink.h"
#include "zone/snapshot_holder.h"

namespace vmdns::control {

// One origin as /ready and the logs see it.
struct OriginStatus {
  std::string name;
  sources::SyncState sync;  // Synced when the origin never reported otherwise
  size_t objects = 0;
};

// What a successful publish tells ControlOptions::on_publish (the figures of /metrics and the
// state of /ready). The references are valid during the call only.
struct PublishReport {
  const cluster::State& state;
  const zone::Snapshot& snapshot;
  uint64_t generation;                  // the holder's generation after the publish
  std::chrono::nanoseconds build_time;  // applying the changes and building the snapshot
  const std::vector<OriginStatus>& origins;
  size_t addresses_held;  // by --address-hold, now
};

// What ControlLoop::inspect shows its caller, on the control thread: the objects and zone
// settings served, the snapshot served (null before the first), and the clock's now (for the
// address holds). Valid during the call only.
struct Inspection {
  const cluster::State& state;
  const rules::ZoneConfig& config;
  const zone::Snapshot* served;
  std::chrono::steady_clock::time_point now;
};

struct ControlOptions {
  std::chrono::milliseconds settle{5};
  std::chrono::milliseconds max_delay{50};
  // Called on the control thread after each snapshot is published; may be empty.
  std::function<void(const PublishReport&)> on_publish = nullptr;
  // How long a running VMI's records keep an address its status no longer lists
  // (control/address_holds.h); 0: not at all.
  std::chrono::milliseconds address_hold{0};
  // The clock the holds and the coalescing window are timed by; empty:
  // std::chrono::steady_clock. A test passes its own and calls ControlLoop::tick() after moving
  // it.
  std::function<std::chrono::steady_clock::time_point()> clock = nullptr;
};

class ControlLoop : public sources::ObjectSink {
 public:
  ControlLoop(zone::SnapshotHolder& holder, rules::ZoneConfig config, ControlOptions options = {});
  ~ControlLoop() override;  // stops the thread

  void start();
  // Applies what is queued, publishes it, and ends the thread. Idempotent.
  void stop();

  // sources::ObjectSink: queue the change and return.
  void replace_origin(const std::string& origin, cluster::State objects) override;
  void upsert(const std::string& origin, sources::Object object) override;
  void remove(const std::string& origin, sources::ObjectRef ref) override;
  void retain(const std::string& origin, sources::ObjectKind kind,
              std::set<cluster::ObjectKey> keep) override;
  void forget_origin(const std::string& origin) override;
  void set_sync(const std::string& origin, sources::SyncState state) override;

  // Builds the snapshots after the changes queued so far with `config` (a reloaded --config);
  // the SOA serial keeps moving forward.
  void replace_config(rules::ZoneConfig config);
  // Builds the next snapshot in full after the changes queued so far, even when they change
  // nothing (SIGHUP: the operator asks for it).
  void rebuild();

  // Returns once the control thread has read its clock after the call and acted on the time:
  // the VMIs whose address holds ended by then served again without the address, a burst whose
  // window closed by then applied and served. The loop does so by itself on the steady clock; a
  // test that moves its own clock calls this after each move. At once when the loop does not
  // run.
  void tick();

  // Blocks until every change queued before the call is applied and served (unless the build
  // failed), or the loop is not running. Whoever waits ends the coalescing wait at once: the
  // changes are applied without waiting for `settle`.
  void flush();

  // Runs `look` on the control thread once the changes queued before the call are served, and
  // returns its answer: the running server's own state, seen without a copy (GET /explain).
  // nullopt when the loop does not run or the answer took longer than `timeout`; `look` owns
  // what it captures, since it may run after that.
  //   auto text = loop.inspect([](const Inspection& i) { return describe(i.state); }, 2s);
  std::optional<std::string> inspect(std::function<std::string(const Inspection&)> look,
                                     std::chrono::milliseconds timeout);

  // Every origin seen, in the order first seen, as of the last published snapshot.
  std::vector<OriginStatus> origins() const;
  // True when every origin is Synced (and at least one snapshot was published).
  bool synced() const;
  // Snapshots published so far.
  uint64_t builds() const;

 private:
  using Change = std::function<void(ClusterStore&, std::map<std::string, sources::SyncState>&)>;

  void enqueue(Change change);
  void run();
  void apply_and_publish(std::deque<Change> changes, uint64_t last_sequence);
  std::chrono::steady_clock::time_point now() const;
  void answer_inspections();
  // `vmi` from `origin` as it is served: AddressHolds::apply against the store's.
  cluster::VirtualMachineInstance held(const std::string& origin, const ClusterStore& store,
                                       cluster::VirtualMachineInstance vmi);
  std::vector<OriginStatus> origin_statuses() const;

  zone::SnapshotHolder& holder_;
  rules::ZoneConfig config_;
  const ControlOptions options_;

  // Owned by the control thread (or by stop() once the thread has ended).
  ClusterStore store_;
  // Keeps the parts of the last snapshot, so that a change rebuilds only what it affects.
  builder::SnapshotBuilder builder_;
  std::map<std::string, sources::SyncState> pending_sync_;
  bool config_replaced_ = false;    // by a change of the batch being applied
  bool rebuild_requested_ = false;  // by a change of the batch being applied
  bool large_batch_ = false;        // a whole list or a list's end: the heap looked at now
  HeapTrimmer trimmer_;
  AddressHolds holds_;
  // inspect()'s questions, answered once the batch that carried them is served.
  std::vector<std::function<void(const Inspection&)>> inspections_;
  // When the earliest hold ends, as of the last batch applied (read by run() on this thread).
  std::optional<std::chrono::steady_clock::time_point> next_expiry_;

  mutable std::mutex mutex_;           // guards everything below
  std::condition_variable wake_;       // a change was queued, a tick, a flush, or stop
  std::condition_variable published_;  // applied_ or ticks_served_ moved
  std::deque<Change> queue_;
  uint64_t queued_ = 0;   // sequence number of the last change queued
  uint64_t applied_ = 0;  // sequence number of the last change served
  uint64_t builds_ = 0;
  uint64_t flushes_wanted_ = 0;  // the highest sequence a flush() waits for
  uint64_t ticks_asked_ = 0;     // tick() calls so far
  uint64_t ticks_served_ = 0;    // ... answered: the clock read after them, acted on
  std::vector<OriginStatus> origins_;  // as of the last publish
  bool stopping_ = false;
  bool running_ = false;  // the thread runs; flush() waits for nothing otherwise
  std::thread thread_;    // started and joined by the owner's thread only
};

}  // namespace vmdns::control
