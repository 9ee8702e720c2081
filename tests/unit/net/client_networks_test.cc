// ClientNetworks: --allow-forward's CIDRs, parsed with errors that say what is wrong, and the
// test whether a client's address (IPv4, IPv6, IPv4-mapped IPv6) is in one.

#include "net/client_networks.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include "unit/net/socket_address.h"

namespace vmdns::net {
namespace {

sockaddr_storage address(const char* text) {
  return socket_address(text);
}

TEST(ClientNetworks, ParseTable) {
  struct Case {
    const char* text;
    const char* printed;  // nullptr: an error containing `error`
    const char* error = "";
  };
  const Case cases[] = {
      {"10.0.0.0/8", "10.0.0.0/8"},
      {"198.18.0.0/15", "198.18.0.0/15"},
      {"0.0.0.0/0", "0.0.0.0/0"},
      {"192.0.2.7", "192.0.2.7/32"},
      {"fc00::/7", "fc00::/7"},
      {"::/0", "::/0"},
      {"::1", "::1/128"},
      {"2001:db8:0:100::/56", "2001:db8:0:100::/56"},
      {"10.1.2.3/8", nullptr, "has bits set past its prefix length (did you mean 10.0.0.0/8?)"},
      {"fc01::/7", nullptr, "did you mean fc00::/7?"},
      {"10.0.0.0/33", nullptr, "the prefix length is over 32"},
      {"::/129", nullptr, "the prefix length is over 128"},
      {"10.0.0.0/", nullptr, "the prefix length must be a number"},
      {"10.0.0.0/x", nullptr, "the prefix length must be a number"},
      {"10.0.0.0/-1", nullptr, "the prefix length must be a number"},
      {"example.com/8", nullptr, "is not an IPv4 or IPv6 address"},
      {"", nullptr, "is not an IPv4 or IPv6 address"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    std::string error;
    auto network = ClientNetworks::parse_network(c.text, &error);
    if (c.printed != nullptr) {
      ASSERT_TRUE(network.has_value()) << error;
      EXPECT_EQ(network->to_string(), c.printed);
    } else {
      EXPECT_FALSE(network.has_value());
      EXPECT_NE(error.find(c.error), std::string::npos) << error;
      EXPECT_NE(error.find(std::string("\"") + c.text + "\""), std::string::npos) << error;
    }
  }
}

TEST(ClientNetworks, PrivateAndLoopbackByDefault) {
  ClientNetworks allowed = ClientNetworks::private_and_loopback();
  const std::pair<const char*, bool> cases[] = {
      {"10.244.0.57", true},  {"172.16.0.1", true},      {"172.31.255.255", true},
      {"172.32.0.1", false},  {"192.168.1.1", true},     {"192.169.0.1", false},
      {"100.64.0.1", true},   {"100.128.0.1", false},    {"127.0.0.1", true},
      {"127.255.0.9", true},  {"198.18.0.1", false},     {"8.8.8.8", false},
      {"fd00::10", true},     {"fc00::1", true},         {"fe80::1", true},
      {"febf::1", true},      {"fec0::1", false},        {"::1", true},
      {"2001:db8::1", false}, {"::ffff:10.1.2.3", true}, {"::ffff:8.8.8.8", false},
      {"::2", false},
  };
  for (const auto& [text, inside] : cases) {
    EXPECT_EQ(allowed.contains(address(text)), inside) << text;
  }
  EXPECT_FALSE(allowed.contains(sockaddr_storage{}));  // no address at all
}

TEST(ClientNetworks, OddPrefixLengths) {
  std::string error;
  ClientNetworks allowed;
  allowed.add(*ClientNetworks::parse_network("198.18.0.0/15", &error));
  allowed.add(*ClientNetworks::parse_network("2001:db8:0:100::/56", &error));
  EXPECT_TRUE(allowed.contains(address("198.19.255.255")));
  EXPECT_FALSE(allowed.contains(address("198.20.0.0")));
  EXPECT_FALSE(allowed.contains(address("198.17.255.255")));
  EXPECT_TRUE(allowed.contains(address("2001:db8:0:1ff::1")));
  EXPECT_FALSE(allowed.contains(address("2001:db8:0:200::1")));
  EXPECT_FALSE(ClientNetworks().contains(address("127.0.0.1")));
}

}  // namespace
}  // namespace vmdns::net
