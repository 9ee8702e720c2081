#pragma once
// Whether a new connection may come in, for a listener that holds connections (DNS over TCP,
// each HTTP endpoint): no client (ClientKey) holds more than `max_per_client`, and when the
// listener holds `max_connections`, a client holding fewer than the heaviest takes the place of
// one of the heaviest's connections, the one `rank` puts first (RFC 7766 section 6.2.2).
// Everything else is closed at once, counted in ConnectionCounters and logged at most once an
// interval, so that a flood costs neither a log line per connection nor a wait.
//
//   ConnectionAdmission<Conn> admission("tcp", {1024, 64, 128}, &Conn::client, counters);
//   Conn* victim = nullptr;
//   auto key = admission.admit(peer, now, rank_idle_first, &victim);
//   if (!key) { close(fd); return; }              // refused
//   if (victim) close(victim);                     // close() calls admission.remove(victim)
//   admission.add(&conn, *key);
//
// One event loop owns it; only the counters are read from other threads.

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "net/client_key.h"
#include "net/client_table.h"
#include "net/connection_counters.h"
#include "net/log_throttle.h"

namespace vmdns::net {

struct AdmissionLimits {
  size_t max_connections = 1024;
  size_t max_per_client = 64;
  unsigned client_ipv6_prefix = 128;
};

template <typename T>
class ConnectionAdmission {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kLogInterval = std::chrono::seconds(10);

  // `name` starts each log line ("tcp", "http /metrics"); `counters` outlives this.
  ConnectionAdmission(std::string name, AdmissionLimits limits,
                      typename ClientTable<T>::Link T::*link, ConnectionCounters* counters)
      : name_(std::move(name)),
        limits_(limits),
        table_(link),
        counters_(counters),
        refusals_(kLogInterval),
        evictions_(kLogInterval) {}

  // For a connection from `peer`: its client, when it may come in, after the caller closes
  // `*victim` if that is set (`rank(const T&)` returns a comparable value, the smallest closed
  // first, or nullopt for a connection never to close for another). Nullopt when the
  // connection must be closed at once; that is counted and logged here.
  template <typename Rank>
  std::optional<ClientKey> admit(const sockaddr_storage& peer, Clock::time_point now, Rank rank,
                                 T** victim) {
    *victim = nullptr;
    ClientKey key = client_key(peer, limits_.client_ipv6_prefix);
    size_t held = table_.count(key);
    if (held >= limits_.max_per_client) {
      ConnectionCounters::add(counters_->refused_client_limit);
      if (uint64_t n = refusals_.count(now)) {
        spdlog::warn(
            "{}: refused {} connection(s) since the last report; the last from {}, "
            "which holds {}, its limit",
            name_, n, key.to_string(), held);
      }
      return std::nullopt;
    }
    if (open_ < limits_.max_connections) {
      return key;
    }
    *victim = table_.victim_for(key, rank);
    if (*victim == nullptr) {
      ConnectionCounters::add(counters_->refused_full);
      if (uint64_t n = refusals_.count(now)) {
        spdlog::warn(
            "{}: refused {} connection(s) since the last report; the last from {}: {} "
            "connections open, and no client holding more had one to give up",
            name_, n, key.to_string(), open_);
      }
      return std::nullopt;
    }
    ConnectionCounters::add(counters_->evicted);
    if (uint64_t n = evictions_.count(now)) {
      const auto* heaviest = table_.client_of(*victim);
      spdlog::warn(
          "{}: {} connections open; closed {} of the heaviest clients' since the last "
          "report to make room for others (the last: one of the {} of {})",
          name_, open_, n, heaviest->count, heaviest->key.to_string());
    }
    return key;
  }

  void add(T* item, const ClientKey& key) {
    table_.add(item, key);
    ++open_;
    ConnectionCounters::add(counters_->accepted);
    update_gauges();
  }
  // Safe to call for an item never added.
  void remove(T* item) {
    if (table_.client_of(item) == nullptr) {
      return;
    }
    table_.remove(item);
    --open_;
    update_gauges();
  }
  // Forgets every connection at once (they are being destroyed together).
  void clear() {
    table_.clear();
    open_ = 0;
    update_gauges();
  }

  size_t open() const { return open_; }
  const ClientTable<T>& table() const { return table_; }

 private:
  void update_gauges() {
    ConnectionCounters::set(counters_->open, open_);
    ConnectionCounters::set(counters_->clients, table_.clients());
  }

  std::string name_;
  AdmissionLimits limits_;
  ClientTable<T> table_;
  ConnectionCounters* counters_;
  LogThrottle refusals_;
  LogThrottle evictions_;
  size_t open_ = 0;
};

}  // namespace vmdns::net
