// parse_listen_address: ADDR:PORT with IPv6 in brackets (RFC 3986 section 3.2.2), the port
// required and from 0 to 65535.

#include "net/listen_address.h"

#include <gtest/gtest.h>

#include <string>

namespace vmdns::net {
namespace {

struct GoodCase {
  const char* text;
  int family;
  uint16_t port;
  const char* canonical;  // to_string()
};

TEST(ParseListenAddress, AcceptsAddressAndPort) {
  const GoodCase kCases[] = {
      {"127.0.0.1:5353", AF_INET, 5353, "127.0.0.1:5353"},
      {"0.0.0.0:0", AF_INET, 0, "0.0.0.0:0"},
      {"10.1.2.3:65535", AF_INET, 65535, "10.1.2.3:65535"},
      {"127.0.0.1:053", AF_INET, 53, "127.0.0.1:53"},
      {"[::1]:53", AF_INET6, 53, "[::1]:53"},
      {"[::]:5353", AF_INET6, 5353, "[::]:5353"},
      {"[::]:0", AF_INET6, 0, "[::]:0"},
      {"[fd00:0:0::a]:1053", AF_INET6, 1053, "[fd00::a]:1053"},
      {"[::ffff:192.0.2.1]:53", AF_INET6, 53, "[::ffff:192.0.2.1]:53"},
  };
  for (const GoodCase& c : kCases) {
    SCOPED_TRACE(c.text);
    std::string error;
    auto address = parse_listen_address(c.text, &error);
    ASSERT_TRUE(address.has_value()) << error;
    EXPECT_EQ(address->family(), c.family);
    EXPECT_EQ(address->port(), c.port);
    EXPECT_EQ(address->to_string(), c.canonical);
    EXPECT_EQ(address->length, c.family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
  }
}

struct BadCase {
  const char* text;
  const char* error_contains;
};

TEST(ParseListenAddress, RejectsWithAMessage) {
  const BadCase kCases[] = {
      {"foo", "\"foo\" is not ADDR:PORT"},
      {"", "\"\" is not ADDR:PORT"},
      {"127.0.0.1", "is not ADDR:PORT"},
      {"127.0.0.1:", "port must be a number"},
      {":53", "address is missing"},
      {"127.0.0.1:65536", "port must be a number"},
      {"127.0.0.1:99999", "port must be a number"},
      {"127.0.0.1:123456", "port must be a number"},
      {"127.0.0.1:-1", "port must be a number"},
      {"127.0.0.1:+53", "port must be a number"},
      {"127.0.0.1: 53", "port must be a number"},
      {"127.0.0.1:53x", "port must be a number"},
      {"localhost:53", "is not an IPv4 address"},
      {"256.0.0.1:53", "is not an IPv4 address"},
      {"::1:53", "must be in brackets"},
      {"::1", "must be in brackets"},
      {"[::1]", "is not ADDR:PORT"},
      {"[::1]53", "is not ADDR:PORT"},
      {"[::1:53", "is not ADDR:PORT"},
      {"[]:53", "address is missing"},
      {"[127.0.0.1]:53", "is not an IPv6 address"},
      {"[::g]:53", "is not an IPv6 address"},
      {"[fe80::1%lo]:53", "is not an IPv6 address"},
      {"[::1]:", "port must be a number"},
      {"[::1]:65536", "port must be a number"},
      {"1234567890123456789012345678901234567890123456789:53", "is not an IPv4 address"},
  };
  for (const BadCase& c : kCases) {
    SCOPED_TRACE(c.text);
    std::string error;
    EXPECT_FALSE(parse_listen_address(c.text, &error).has_value());
    EXPECT_NE(error.find(c.error_contains), std::string::npos) << error;
  }
}

TEST(ParseListenAddress, NullErrorIsAllowed) {
  EXPECT_FALSE(parse_listen_address("nope", nullptr).has_value());
  EXPECT_TRUE(parse_listen_address("127.0.0.1:1", nullptr).has_value());
}

TEST(ListenAddress, SetPortKeepsTheAddress) {
  auto v4 = parse_listen_address("192.0.2.7:0", nullptr);
  ASSERT_TRUE(v4.has_value());
  v4->set_port(8053);
  EXPECT_EQ(v4->to_string(), "192.0.2.7:8053");
  auto v6 = parse_listen_address("[2001:db8::7]:0", nullptr);
  ASSERT_TRUE(v6.has_value());
  v6->set_port(8053);
  EXPECT_EQ(v6->to_string(), "[2001:db8::7]:8053");
}

TEST(ListenAddress, DefaultIsUnspecified) {
  ListenAddress empty;
  EXPECT_EQ(empty.port(), 0);
  EXPECT_EQ(empty.to_string(), "(unspecified)");
}

}  // namespace
}  // namespace vmdns::net
