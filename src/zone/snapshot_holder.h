#pragma once
// Publishes snapshots to the query workers (PowerDNS's sholder.hh pattern).
//
//   SnapshotHolder holder;                 // shared, owned by the control thread
//   holder.publish(zone::build(state, config));
//
//   LocalSnapshot local(holder);           // one per worker thread
//   const Snapshot* s = local.get();       // lock-free unless a new snapshot was published
//
// GCC 12's std::atomic<std::shared_ptr> takes a lock inside, and a shared_ptr copy per query
// would bounce its reference count between cores; so each worker keeps its own shared_ptr and
// refreshes it only when the atomic generation counter moves. The old snapshot is freed by its
// last reader.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "zone/snapshot.h"

namespace vmdns::zone {

class SnapshotHolder {
 public:
  void publish(std::shared_ptr<const Snapshot> snapshot) {
    std::lock_guard lock(mutex_);
    current_ = std::move(snapshot);
    generation_.fetch_add(1, std::memory_order_release);
  }
  std::shared_ptr<const Snapshot> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mutex_;  // guards current_
  std::shared_ptr<const Snapshot> current_;
  std::atomic<uint64_t> generation_{0};
};

class LocalSnapshot {
 public:
  explicit LocalSnapshot(const SnapshotHolder& holder) : holder_(holder) {}

  // The newest published snapshot, or nullptr before the first publish.
  const Snapshot* get() {
    uint64_t generation = holder_.generation();
    if (generation != seen_) {
      local_ = holder_.current();
      seen_ = generation;
    }
    return local_.get();
  }

 private:
  const SnapshotHolder& holder_;
  uint64_t seen_ = 0;
  std::shared_ptr<const Snapshot> local_;
};

}  // namespace vmdns::zone
