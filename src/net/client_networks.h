#pragma once
// A set of client networks (CIDRs) and the test whether a query's source address is in one.
// What `--allow-forward` is made of: names outside our zones are forwarded only for clients
// in these networks, so vmdns is not an open resolver (RFC 5358).
//
//   std::string error;
//   ClientNetworks allowed = ClientNetworks::private_and_loopback();
//   auto extra = ClientNetworks::parse_network("198.18.0.0/15", &error);
//   allowed.add(*extra);
//   allowed.contains(route.peer);   // an IPv4-mapped IPv6 source counts as its IPv4 address
//
// contains() compares at most 16 octets per network and allocates nothing.

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmdns::net {

struct ClientNetwork {
  int family = 0;                     // AF_INET or AF_INET6
  std::array<uint8_t, 16> address{};  // the first 4 octets for IPv4; bits past the prefix zero
  unsigned prefix_length = 0;
  std::string to_string() const;  // "10.0.0.0/8", "fc00::/7"
};

class ClientNetworks {
 public:
  // "ADDR/LEN" or a bare address (a /32 or /128). Host bits set past the prefix are an error,
  // as they usually mean a typo ("10.1.2.3/8"). On failure returns nullopt and sets `error`.
  static std::optional<ClientNetwork> parse_network(std::string_view text, std::string* error);
  // 10/8, 172.16/12, 192.168/16 (RFC 1918), 100.64/10 (RFC 6598), 127/8, fc00::/7 (RFC 4193),
  // fe80::/10 and ::1: every address a cluster's pods, nodes and services use.
  static ClientNetworks private_and_loopback();

  void add(const ClientNetwork& network) { networks_.push_back(network); }
  bool contains(const sockaddr_storage& peer) const;
  bool empty() const { return networks_.empty(); }
  const std::vector<ClientNetwork>& networks() const { return networks_; }

 private:
  std::vector<ClientNetwork> networks_;
};

}  // namespace vmdns::net
