#pragma once
// A count that one thread writes and any thread reads (ARCHITECTURE.md habit 11).
//
//   Counter queries;            // a member of a per-worker struct
//   queries.add();              // the owning thread only: no lock, no read-modify-write
//   uint64_t n = queries.value();   // a scrape, from any thread
//
// The owner's add() is a relaxed load and store, which compiles to a plain increment (no lock
// prefix, no shared cache line with other workers); the atomic only makes the scraper's read
// well defined. A count written by several threads uses SharedCounter, and only off the hot path.

#include <atomic>
#include <cstdint>

namespace vmdns::metrics {

class Counter {
 public:
  Counter() = default;
  // Copies only while setting up (filling a per-thread vector), never while being counted.
  Counter(const Counter& other) : value_(other.value()) {}
  Counter& operator=(const Counter& other) {
    value_.store(other.value(), std::memory_order_relaxed);
    return *this;
  }

  void add(uint64_t n = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// For the rare count that any thread may bump (a rejected forward): an atomic add.
class SharedCounter {
 public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value one thread sets and any thread reads (the forwarder's cache size).
class Gauge {
 public:
  void set(int64_t value) { value_.store(value, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

}  // namespace vmdns::metrics
