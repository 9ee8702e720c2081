// Fuzzes the --allow-forward parser: ClientNetworks::parse_network on arbitrary text must never
// crash; what it accepts prints as a CIDR that parses again to itself and contains its own
// address, and what it refuses comes with a reason.
//
//   fuzz_client_network -max_total_time=60 fuzz/corpus/client_network

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "server/client_networks.h"

namespace {

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

}  // namespace

// The libFuzzer entry point; its name is fixed by libFuzzer.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT
  using vmdns::server::ClientNetworks;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto network = ClientNetworks::parse_network(text, &error);
  if (!network) {
    check(!error.empty());
    return 0;
  }
  std::string again_error;
  auto again = ClientNetworks::parse_network(network->to_string(), &again_error);
  check(again.has_value() && again->family == network->family &&
        again->address == network->address && again->prefix_length == network->prefix_length);
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
