#pragma once
// Who a connection belongs to, for the per-client connection limits of DNS over TCP and of the
// HTTP endpoints: an IPv4 address (/32), or an IPv6 address cut to a prefix (/128 by default,
// /64 to count a whole subnet as one client). An IPv4-mapped IPv6 address (::ffff:a.b.c.d, as
// a dual-stack socket reports an IPv4 peer) is its IPv4 address.
//
//   ClientKey key = client_key(peer, 64);   // 2001:db8:1:2:3:4:5:6 -> 2001:db8:1:2::/64
//   key.to_string();                        // "2001:db8:1:2::/64", "10.0.0.7"
//   std::unordered_map<ClientKey, Count, ClientKeyHash> counts(16, ClientKeyHash::seeded());

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace vmdns::net {

struct ClientKey {
  int family = 0;                     // AF_INET or AF_INET6; 0 for any other kind of socket
  unsigned prefix_length = 0;         // 32, or the IPv6 prefix
  std::array<uint8_t, 16> address{};  // the first 4 octets for IPv4; bits past the prefix zero

  bool operator==(const ClientKey&) const = default;
  std::string to_string() const;  // "10.0.0.7", "fd00::1", "fd00:0:0:1::/64"
};

// `ipv6_prefix` is 1 to 128; IPv4 is always a /32.
ClientKey client_key(const sockaddr_storage& peer, unsigned ipv6_prefix);

// A hash with a random seed per table, so that a client that picks its addresses (an IPv6
// subnet holds many) cannot make them collide.
struct ClientKeyHash {
  uint64_t seed = 0;
  static ClientKeyHash seeded();
  size_t operator()(const ClientKey& key) const;
};

}  // namespace vmdns::net
