#include "net/client_networks.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace vmdns::net {
namespace {

bool prefix_matches(const uint8_t* address, const ClientNetwork& network) {
  unsigned whole = network.prefix_length / 8;
  if (std::memcmp(address, network.address.data(), whole) != 0) {
    return false;
  }
  unsigned bits = network.prefix_length % 8;
  if (bits == 0) {
    return true;
  }
  auto mask = static_cast<uint8_t>(0xFF << (8 - bits));
  return (address[whole] & mask) == network.address[whole];
}

// The network with every bit past its prefix cleared.
ClientNetwork masked(ClientNetwork network, unsigned octets) {
  for (unsigned bit = network.prefix_length; bit < octets * 8; ++bit) {
    network.address[bit / 8] &= static_cast<uint8_t>(~(1u << (7 - bit % 8)));
  }
  return network;
}

}  // namespace

std::string ClientNetwork::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, address.data(), text, sizeof(text));
  return std::string(text) + "/" + std::to_string(prefix_length);
}

std::optional<ClientNetwork> ClientNetworks::parse_network(std::string_view text,
                                                           std::string* error) {
  std::string quoted = "\"" + std::string(text) + "\"";
  size_t slash = text.find('/');
  std::string address(text.substr(0, slash));
  ClientNetwork network;
  unsigned octets = 0;
  if (inet_pton(AF_INET, address.c_str(), network.address.data()) == 1) {
    network.family = AF_INET;
    octets = 4;
  } else if (inet_pton(AF_INET6, address.c_str(), network.address.data()) == 1) {
    network.family = AF_INET6;
    octets = 16;
  } else {
    *error = quoted + " is not an IPv4 or IPv6 address with an optional /prefix";
    return std::nullopt;
  }
  network.prefix_length = octets * 8;
  if (slash != std::string_view::npos) {
    std::string_view length = text.substr(slash + 1);
    unsigned value = 0;
    if (length.empty() || length.size() > 3) {
      *error = quoted + ": the prefix length must be a number";
      return std::nullopt;
    }
    for (char c : length) {
      if (c < '0' || c > '9') {
        *error = quoted + ": the prefix length must be a number";
        return std::nullopt;
      }
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > octets * 8) {
      *error = quoted + ": the prefix length is over " + std::to_string(octets * 8);
      return std::nullopt;
    }
    network.prefix_length = value;
  }
  ClientNetwork network_only = masked(network, octets);
  if (network_only.address != network.address) {
    *error = quoted + " has bits set past its prefix length (did you mean " +
             network_only.to_string() + "?)";
    return std::nullopt;
  }
  return network;
}

ClientNetworks ClientNetworks::private_and_loopback() {
  ClientNetworks out;
  std::string error;
  for (const char* text : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                           "127.0.0.0/8", "fc00::/7", "fe80::/10", "::1/128"}) {
    out.add(*parse_network(text, &error));
  }
  return out;
}

bool ClientNetworks::contains(const sockaddr_storage& peer) const {
  const uint8_t* address = nullptr;
  int family = peer.ss_family;
  if (family == AF_INET) {
    address =
        reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in&>(peer).sin_addr);
  } else if (family == AF_INET6) {
    const in6_addr& v6 = reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr;
    address = reinterpret_cast<const uint8_t*>(&v6);
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      // A wildcard IPv6 listener sees IPv4 clients as ::ffff:a.b.c.d.
      family = AF_INET;
      address += 12;
    }
  } else {
    return false;
  }
  for (const ClientNetwork& network : networks_) {
    if (network.family == family && prefix_matches(address, network)) {
      return true;
    }
  }
  return false;
}

}  // namespace vmdns::net
