#pragma once
// Publishes hosts tables to the query workers, as zone::SnapshotHolder publishes snapshots:
// each worker keeps its own pointer and refreshes it only when the generation moves, so a
// lookup takes no lock and touches no shared reference count.
//
//   HostsHolder holder;
//   holder.publish(HostsTable::build(entries, 3600));   // at start, and when the file changes
//   LocalHosts local(holder);                          // one per worker
//   if (const HostsTable* table = local.get()) { ... }  // null: no hosts entries at all

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "hosts/hosts_table.h"

namespace vmdns::hosts {

class HostsHolder {
 public:
  void publish(std::shared_ptr<const HostsTable> table) {
    std::lock_guard lock(mutex_);
    current_ = std::move(table);
    generation_.fetch_add(1, std::memory_order_release);
  }
  std::shared_ptr<const HostsTable> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mutex_;  // guards current_
  std::shared_ptr<const HostsTable> current_;
  std::atomic<uint64_t> generation_{0};
};

class LocalHosts {
 public:
  explicit LocalHosts(const HostsHolder& holder) : holder_(holder) {}

  // The newest published table, or null before the first publish.
  const HostsTable* get() {
    uint64_t generation = holder_.generation();
    if (generation != seen_) {
      local_ = holder_.current();
      seen_ = generation;
    }
    return local_.get();
  }

 private:
  const HostsHolder& holder_;
  uint64_t seen_ = 0;
  std::shared_ptr<const HostsTable> local_;
};

}  // namespace vmdns::hosts
