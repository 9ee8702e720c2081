#include "net/response_rate_limiter.h"

#include <netinet/in.h>

#include <cstring>

namespace vmdns::net {
namespace {

// FNV-1a over the network's octets and its family: cheap, and good enough to spread networks
// over the buckets (the table is no defence against an attacker who picks colliding networks,
// and needs none: a collision only lets replies through).
uint64_t network_hash(const sockaddr_storage& peer) {
  const uint8_t* octets = nullptr;
  size_t length = 0;
  uint8_t family = 0;
  if (peer.ss_family == AF_INET) {
    octets = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in&>(peer).sin_addr);
    length = 3;  // a /24
    family = 4;
  } else if (peer.ss_family == AF_INET6) {
    const in6_addr& v6 = reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr;
    octets = reinterpret_cast<const uint8_t*>(&v6);
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      octets += 12;
      length = 3;
      family = 4;
    } else {
      length = 7;  // a /56
      family = 6;
    }
  }
  uint64_t hash = 0xcbf29ce484222325ULL;
  auto mix = [&hash](uint8_t octet) {
    hash ^= octet;
    hash *= 0x100000001b3ULL;
  };
  mix(family);
  for (size_t i = 0; i < length; ++i) {
    mix(octets[i]);
  }
  return hash;
}

// A bucket's word: the network's tag (16 bits), the second (16 bits, compared for equality
// only, so wrapping is harmless) and the responses counted in it (32 bits).
constexpr uint64_t pack(uint64_t tag, uint64_t second, uint64_t count) {
  return (tag << 48) | ((second & 0xFFFF) << 32) | count;
}

}  // namespace

ResponseRateLimiter::ResponseRateLimiter(RateLimit limit)
    : limit_(limit), buckets_(std::make_unique<std::atomic<uint64_t>[]>(kBuckets)) {}

RateVerdict ResponseRateLimiter::check(const sockaddr_storage& peer, uint64_t now_seconds) {
  if (limit_.responses_per_second == 0) {
    return RateVerdict::Send;
  }
  uint64_t hash = network_hash(peer);
  std::atomic<uint64_t>& bucket = buckets_[hash % kBuckets];
  uint64_t tag = hash >> 48;
  uint64_t old = bucket.load(std::memory_order_relaxed);
  uint64_t count = 0;
  for (;;) {
    bool same = (old >> 48) == tag && ((old >> 32) & 0xFFFF) == (now_seconds & 0xFFFF);
    count = same ? (old & 0xFFFFFFFF) + 1 : 1;
    if (count > 0xFFFFFFFF) {
      count = 0xFFFFFFFF;
    }
    if (bucket.compare_exchange_weak(old, pack(tag, now_seconds, count),
                                     std::memory_order_relaxed)) {
      break;
    }
  }
  if (count <= limit_.responses_per_second) {
    return RateVerdict::Send;
  }
  uint64_t over = count - limit_.responses_per_second;
  if (limit_.slip != 0 && over % limit_.slip == 0) {
    return RateVerdict::Slip;
  }
  return RateVerdict::Drop;
}

}  // namespace vmdns::net
