#include "net/client_key.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <random>

namespace vmdns::net {
namespace {

// The finaliser of SplitMix64: every input bit reaches every output bit.
uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::string ClientKey::to_string() const {
  if (family != AF_INET && family != AF_INET6) {
    return "(not an IP address)";
  }
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, address.data(), text, sizeof(text));
  if (family == AF_INET6 && prefix_length < 128) {
    return std::string(text) + "/" + std::to_string(prefix_length);
  }
  return text;
}

ClientKey client_key(const sockaddr_storage& peer, unsigned ipv6_prefix) {
  ClientKey key;
  if (peer.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(peer);
    key.family = AF_INET;
    key.prefix_length = 32;
    std::memcpy(key.address.data(), &v4.sin_addr, 4);
    return key;
  }
  if (peer.ss_family != AF_INET6) {
    return key;  // every such client is one: they are not reached over a network
  }
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(peer);
  if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
    key.family = AF_INET;
    key.prefix_length = 32;
    std::memcpy(key.address.data(), v6.sin6_addr.s6_addr + 12, 4);
    return key;
  }
  key.family = AF_INET6;
  key.prefix_length = ipv6_prefix == 0 || ipv6_prefix > 128 ? 128 : ipv6_prefix;
  std::memcpy(key.address.data(), v6.sin6_addr.s6_addr, 16);
  for (unsigned bit = key.prefix_length; bit < 128; ++bit) {
    key.address[bit / 8] &= static_cast<uint8_t>(~(1u << (7 - bit % 8)));
  }
  return key;
}

ClientKeyHash ClientKeyHash::seeded() {
  std::random_device random;
  return {(uint64_t{random()} << 32) ^ random()};
}

size_t ClientKeyHash::operator()(const ClientKey& key) const {
  uint64_t high = 0;
  uint64_t low = 0;
  std::memcpy(&high, key.address.data(), 8);
  std::memcpy(&low, key.address.data() + 8, 8);
  return static_cast<size_t>(
      mix(mix(seed ^ high) ^ low ^ (uint64_t(key.family) << 8) ^ key.prefix_length));
}

}  // namespace vmdns::net
