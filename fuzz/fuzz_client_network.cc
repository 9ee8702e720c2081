// Fuzzes the --allow-forward parser: ClientNetworks::parse_network on arbitrary text must never
// crash; what it accepts prints as a CIDR that parses again to itself and contains its own
// address, and what it refuses comes with a reason.
//
//   fuzz_client_network -max_total_time=60 fuzz/corpus/client_network

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "fuzz_check.h"
#include "net/client_networks.h"

// The libFuzzer entry point; its name is fixed by libFuzzer.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT
  using vmdns::fuzz::check;
  using vmdns::net::ClientNetwork;
  using vmdns::net::ClientNetworks;
  auto network = vmdns::fuzz::check_round_trip(
      vmdns::fuzz::as_text(data, size), ClientNetworks::parse_network,
      [](const ClientNetwork& n) { return n.to_string(); },
      [](const ClientNetwork& n, const ClientNetwork& again) {
        return again.family == n.family && again.address == n.address &&
               again.prefix_length == n.prefix_length;
      });
  if (!network) {
    return 0;
  }
  sockaddr_storage peer{};
  if (network->family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&peer);
    v4->sin_family = AF_INET;
    std::memcpy(&v4->sin_addr, network->address.data(), 4);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&peer);
    v6->sin6_family = AF_INET6;
    std::memcpy(&v6->sin6_addr, network->address.data(), 16);
    if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
      return 0;  // matched as its IPv4 address, which this network is not
    }
  }
  ClientNetworks networks;
  networks.add(*network);
  check(networks.contains(peer));
  return 0;
}
