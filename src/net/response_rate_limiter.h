#pragma once
// Response rate limiting for UDP (`--rrl RATE`): at most RATE responses a second to each client
// network, an IPv4 /24 or an IPv6 /56, the blocks Knot DNS and NSD account by. A spoofed query
// costs its victim a reply; past the rate the replies stop, except every `slip`-th, which is
// sent truncated (TC, no records) so that a real client behind the address retries over TCP,
// where addresses cannot be spoofed.
//
//   ResponseRateLimiter limiter({.responses_per_second = 100, .slip = 2});
//   switch (limiter.check(route.peer, seconds_now)) {
//     case RateVerdict::Send: ...answer...
//     case RateVerdict::Slip: ...send a truncated reply...
//     case RateVerdict::Drop: ...send nothing...
//   }
//
// Shared by every UDP worker without a lock: a fixed table of 65536 buckets, each one atomic
// word (the network's tag, the second, the count) updated by compare-and-swap. Two networks
// whose hashes share a bucket take it over from each other, which can only let replies through,
// never drop a reply that is under the rate. Nothing is allocated after construction.

#include <sys/socket.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace vmdns::net {

struct RateLimit {
  uint32_t responses_per_second = 0;  // 0: no limit
  // Every slip-th reply over the rate is sent truncated instead of dropped; 0 drops them all,
  // 1 truncates them all.
  uint32_t slip = 2;
};

enum class RateVerdict { Send, Slip, Drop };

class ResponseRateLimiter {
 public:
  static constexpr size_t kBuckets = 65536;

  explicit ResponseRateLimiter(RateLimit limit);
  ResponseRateLimiter(const ResponseRateLimiter&) = delete;
  ResponseRateLimiter& operator=(const ResponseRateLimiter&) = delete;

  // Counts one response to `peer` in second `now_seconds` (any monotonic count of seconds).
  // Any thread.
  RateVerdict check(const sockaddr_storage& peer, uint64_t now_seconds);

  const RateLimit& limit() const { return limit_; }

 private:
  RateLimit limit_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
};

}  // namespace vmdns::net
