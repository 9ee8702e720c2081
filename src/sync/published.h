#pragma once
// An immutable value published by one thread and read by many without a lock on the read path
// (PowerDNS's sholder.hh pattern): the zone snapshots and the hosts table are published this way.
//
//   Published<Snapshot> holder;            // shared, written by one thread
//   holder.publish(std::make_shared<const Snapshot>(...));
//
//   LocalCopy<Snapshot> local(holder);     // one per reader thread
//   const Snapshot* s = local.get();       // lock-free unless a new value was published
//   local.release();                       // idle: an old value is not kept for the next read
//
// GCC 12's std::atomic<std::shared_ptr> takes a lock inside, and a shared_ptr copy per read
// would bounce its reference count between cores; so each reader keeps its own shared_ptr and
// refreshes it only when the atomic generation counter moves. An old value is freed by its last
// reader.

#include <atomic>
#include <cstdint>
#include <memory>

#include "sync/guarded.h"

namespace vmdns::sync {

template <typename T>
class Published {
 public:
  void publish(std::shared_ptr<const T> value) {
    auto current = current_.lock();
    *current = std::move(value);
    generation_.fetch_add(1, std::memory_order_release);
  }
  std::shared_ptr<const T> current() const { return *current_.lock(); }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  Guarded<std::shared_ptr<const T>> current_;
  std::atomic<uint64_t> generation_{0};
};

template <typename T>
class LocalCopy {
 public:
  explicit LocalCopy(const Published<T>& holder) : holder_(holder) {}

  // The newest published value, or nullptr before the first publish.
  const T* get() {
    uint64_t generation = holder_.generation();
    if (generation != seen_) {
      local_ = holder_.current();
      seen_ = generation;
    }
    return local_.get();
  }

  // Drops the reader's reference (pointers from get() become invalid); the next get() takes the
  // newest value. A reader that goes idle calls it, so that it does not keep an old value (a
  // whole zone snapshot) alive until its next read.
  void release() {
    local_.reset();
    seen_ = 0;
  }

 private:
  const Published<T>& holder_;
  uint64_t seen_ = 0;
  std::shared_ptr<const T> local_;
};

}  // namespace vmdns::sync
