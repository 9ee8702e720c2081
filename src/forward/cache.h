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
// Not thread-safe: the forwarder gives each worker its own cache behind its own lock (a
// CacheShard), which the worker looks up on the query path: a key built in a caller's buffer
// and a lookup that allocate nothing. Inserting allocates, in the forwarder's thread.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

  // The lowercased name's wire form, then type, class and the DO and CD bits.
  static constexpr size_t kMaxKeyLength = dns::kMaxNameLength + 5;
  using KeyBuffer = std::array<char, kMaxKeyLength>;
  static std::string_view key_of(const ClientQuery& client, KeyBuffer& buffer);
  static std::string key_of(const ClientQuery& client);

  // Stores `response` for `ttl_seconds` from `now`, replacing an entry with the same key.
  void insert(std::string_view key, std::span<const uint8_t> response, uint32_t ttl_seconds,
              Clock::time_point now);
  // The entry for `key` unless it has expired by `now` (an expired entry is removed).
  std::optional<Hit> find(std::string_view key, Clock::time_point now);

  size_t size() const { return index_.size(); }

 private:
  struct Entry {
    std::string key;
    std::vector<uint8_t> response;
    Clock::time_point stored;
    Clock::time_point expires;
  };
  using Lru = std::list<Entry>;  // most recently used first

  // Lets find() take a string_view: no std::string, no allocation, per lookup.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
  };

  size_t max_entries_;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator, KeyHash, std::equal_to<>> index_;
};

// NXDOMAIN, or NOERROR without answers (NODATA): what CoreDNS counts as a "denial" cache hit.
bool is_denial_reply(std::span<const uint8_t> reply);

}  // namespace vmdns::forward
