#pragma once
// A bounded single-producer single-consumer queue of fixed-size values: one worker thread
// pushes, the forwarder thread pops. Lock-free (one acquire/release pair per operation) and
// allocation-free after construction, so submitting a query to the forwarder keeps the worker's
// query path free of locks and heap allocation.
//
//   SpscRing<Item> ring(1024);      // capacity rounded up to a power of two
//   ring.push(item);                // producer; false when full
//   while (ring.pop(&item)) ...     // consumer

#include <atomic>
#include <bit>
#include <cstddef>
#include <memory>

namespace vmdns::forward {

template <typename T>
class SpscRing {
 public:
  explicit SpscRing(size_t capacity)
      : capacity_(std::bit_ceil(capacity < 2 ? size_t{2} : capacity)),
        items_(std::make_unique<T[]>(capacity_)) {}

  bool push(const T& item) {
    size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_.load(std::memory_order_acquire) == capacity_) {
      return false;
    }
    items_[tail & (capacity_ - 1)] = item;
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  bool pop(T* item) {
    size_t head = head_.load(std::memory_order_relaxed);
    if (head == tail_.load(std::memory_order_acquire)) {
      return false;
    }
    *item = items_[head & (capacity_ - 1)];
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

 private:
  const size_t capacity_;
  std::unique_ptr<T[]> items_;
  // On separate cache lines, so producer and consumer do not bounce one line between cores.
  alignas(64) std::atomic<size_t> head_{0};
  alignas(64) std::atomic<size_t> tail_{0};
};

}  // namespace vmdns::forward
