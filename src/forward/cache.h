#pragma once
// Upstream responses kept for as long as their TTLs allow (RFC 1035 section 3.2.1, RFC 2308 for
// negative answers), at most `max_entries` of them, least recently used evicted first.
//
//   Cache cache(10000);
//   cache.insert(key_of(client), response, *cache_ttl(response), now);
//   if (auto hit = cache.find(key_of(client), now)) {
//     rewrite_reply(hit->response, client, hit->age_seconds, out);   // TTLs lowered by the age
//   }
//
// Keyed by the lowercased question name, type and class, and the DO and CD bits (a DNSSEC-aware
// client must not get an answer stripped of signatures, nor a CD answer reach a validating one).
// Used by the forwarder's one thread only, so it takes no lock; it allocates, which is fine off
// the authoritative path. A later change (per-worker shards) may move lookups to the workers.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "forward/client_query.h"

namespace vmdns::forward {

class Cache {
 public:
  using Clock = std::chrono::steady_clock;

  struct Hit {
    std::span<const uint8_t> response;  // valid until the next insert
    uint32_t age_seconds;               // whole seconds since it was stored
  };

  // 0 disables the cache: nothing is stored, nothing found.
  explicit Cache(size_t max_entries) : max_entries_(max_entries) {}

  static std::string key_of(const ClientQuery& client);

  // Stores `response` for `ttl_seconds` from `now`, replacing an entry with the same key.
  void insert(const std::string& key, std::span<const uint8_t> response, uint32_t ttl_seconds,
              Clock::time_point now);
  // The entry for `key` unless it has expired by `now` (an expired entry is removed).
  std::optional<Hit> find(const std::string& key, Clock::time_point now);

  size_t size() const { return index_.size(); }

 private:
  struct Entry {
    std::string key;
    std::vector<uint8_t> response;
    Clock::time_point stored;
    Clock::time_point expires;
  };
  using Lru = std::list<Entry>;  // most recently used first

  size_t max_entries_;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> index_;
};

}  // namespace vmdns::forward
