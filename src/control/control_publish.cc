// The control thread's batch: the changes applied to the store, address holds expired, the
// snapshot built and published (or the served one kept when nothing changed), and what the
// build reports: its log line, PublishReport, the origins' statuses, the heap trimmer's turn.
// The thread, its queue and its coalescing window are control_loop.cc's.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <exception>
#include <memory>
#include <set>
#include <utility>

#include "control/control_loop.h"

namespace vmdns::control {

using Clock = std::chrono::steady_clock;

namespace {

// CPU time of the calling thread: what a rebuild costs, whatever else the machine runs.
std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

}  // namespace

std::vector<OriginStatus> ControlLoop::origin_statuses() const {
  std::vector<OriginStatus> statuses;
  std::set<std::string> listed;
  for (const std::string& name : store_.origins()) {
    listed.insert(name);
    auto sync = pending_sync_.find(name);
    statuses.push_back({name,
                        sync != pending_sync_.end()
                            ? sync->second
                            : sources::SyncState{sources::SyncStatus::Synced, ""},
                        store_.object_count(name)});
  }
  for (const auto& [name, sync] : pending_sync_) {
    if (!listed.contains(name)) {
      statuses.push_back({name, sync, 0});
    }
  }
  return statuses;
}

void ControlLoop::apply_and_publish(std::deque<Change> changes, uint64_t last_sequence) {
  Clock::time_point started = Clock::now();
  std::chrono::nanoseconds cpu_started = thread_cpu_time();
  size_t count = changes.size();
  const std::map<std::string, sources::SyncState> sync_before = pending_sync_;
  config_replaced_ = false;
  rebuild_requested_ = false;
  large_batch_ = builds_ == 0;
  for (auto& [origin, vmi] : holds_.expire(now(), store_.state())) {
    store_.upsert(origin, std::move(vmi));
  }
  for (Change& change : changes) {
    change(store_, pending_sync_);
  }
  changes.clear();
  holds_.forget_missing(store_.state());
  next_expiry_ = holds_.next_expiry();
  if (builds_ > 0 && store_.unchanged() && !config_replaced_ && !rebuild_requested_ &&
      pending_sync_ == sync_before) {
    // Only definitions equal to the ones held (a relist, a file written again): the served
    // snapshot is still right, and its serial must not move.
    spdlog::debug("{} change(s) changed nothing; snapshot serial {} still served", count,
                  config_.serial);
    std::vector<OriginStatus> statuses = origin_statuses();  // an empty origin may be new
    answer_inspections();
    {
      std::lock_guard lock(mutex_);
      origins_ = std::move(statuses);
      applied_ = last_sequence;
      published_.notify_all();
    }
    trimmer_.after_batch(large_batch_, Clock::now());
    return;
  }

  config_.serial = std::max(config_.serial + 1, static_cast<uint32_t>(std::time(nullptr)));
  // Until every origin has had its first complete view (the API's first lists), a name we do
  // not know may exist: the snapshot says so, and NXDOMAIN is answered SERVFAIL.
  config_.synced = std::none_of(pending_sync_.begin(), pending_sync_.end(), [](const auto& entry) {
    return entry.second.status == sources::SyncStatus::NotSynced;
  });
  bool built = false;
  std::shared_ptr<const zone::Snapshot> published;
  try {
    builder::ChangedObjects changed = store_.take_changes();
    std::shared_ptr<const zone::Snapshot> snapshot =
        builder_.build(store_.state(), config_, rebuild_requested_ ? nullptr : &changed);
    size_t records = snapshot->record_count();
    published = snapshot;
    holder_.publish(std::move(snapshot));
    built = true;
    auto elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();
    auto cpu =
        std::chrono::duration_cast<std::chrono::microseconds>(thread_cpu_time() - cpu_started)
            .count();
    spdlog::info("published serial {}: {} record(s) after {} change(s) ({} us, {} us of CPU; {})",
                 config_.serial, records, count, elapsed, cpu,
                 builder_.last_build_was_incremental()
                     ? fmt::format("{} Service(s) rebuilt", builder_.last_services_rebuilt())
                     : std::string("full build"));
  } catch (const std::exception& e) {
    spdlog::error("cannot build the zones ({}); the last good snapshot is still served", e.what());
  }

  std::vector<OriginStatus> statuses = origin_statuses();

  if (built && options_.on_publish) {
    options_.on_publish(PublishReport{store_.state(), *published, holder_.generation(),
                                      Clock::now() - started, statuses, holds_.held()});
  }
  answer_inspections();

  {
    std::lock_guard lock(mutex_);
    applied_ = last_sequence;
    if (built) {
      ++builds_;
      origins_ = std::move(statuses);
    }
    published_.notify_all();
  }
  // Reading many manifests or list pages leaves the heap full of freed parser nodes
  // (document trees, JSON pages), and a relist or a replaced snapshot frees as much: given back
  // to the system, the resident size after a load is the cluster's, not a high-water mark.
  trimmer_.after_batch(large_batch_, Clock::now());
}

}  // namespace vmdns::control
