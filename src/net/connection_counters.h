#pragma once
// What a connection-oriented listener (DNS over TCP, an HTTP endpoint) did with its
// connections, for /metrics. One thread writes (the listener's event loop), any thread reads;
// the figures are plain relaxed atomics, so reading never takes a lock the loop waits on.
//
//   auto counters = std::make_shared<ConnectionCounters>();
//   counters->add(counters->refused_client_limit);   // the loop
//   counters->refused_client_limit.load();           // the /metrics thread

#include <atomic>
#include <cstdint>

namespace vmdns::net {

struct ConnectionCounters {
  std::atomic<uint64_t> open{0};     // connections open now
  std::atomic<uint64_t> clients{0};  // distinct clients (ClientKey) holding them
  std::atomic<uint64_t> accepted{0};
  // Closed at once: the client held its share, or the table was full and no heavier client
  // had a connection to give up.
  std::atomic<uint64_t> refused_client_limit{0};
  std::atomic<uint64_t> refused_full{0};
  // Closed to make room for a client holding fewer connections.
  std::atomic<uint64_t> evicted{0};
  // Closed by a timeout: nothing sent (idle), or a request or query begun and not finished.
  std::atomic<uint64_t> timed_out_idle{0};
  std::atomic<uint64_t> timed_out_request{0};

  // The single writer's increment: a load and a store, no locked instruction.
  static void add(std::atomic<uint64_t>& counter, uint64_t n = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  static void set(std::atomic<uint64_t>& gauge, uint64_t value) {
    gauge.store(value, std::memory_order_relaxed);
  }
};

}  // namespace vmdns::net
