// Upstream addresses: --upstream ADDR[:PORT] and the nameservers of resolv.conf.
//
// Behaviour checked: the port defaults to 53; IPv6 bare or in brackets; bad addresses and port
// 0 are errors; resolv.conf's nameserver lines are read in order with comments (# and ;),
// other keywords and junk skipped, duplicates dropped, IPv6 with and without a numeric scope;
// our own listen address is skipped, and on a wildcard listener so are the loopback addresses
// on our port; a loopback resolver on another port (systemd-resolved on 53 while we serve 5353)
// is kept.

#include "forward/upstream.h"

#include <gtest/gtest.h>

namespace vmdns::forward {
namespace {

net::ListenAddress listen_on(const char* text) {
  std::string error;
  auto address = net::parse_listen_address(text, &error);
  EXPECT_TRUE(address) << error;
  return *address;
}

std::vector<std::string> texts(const std::vector<Upstream>& upstreams) {
  std::vector<std::string> out;
  for (const Upstream& u : upstreams) {
    out.push_back(u.to_string());
  }
  return out;
}

TEST(ParseUpstream, AddressesWithAndWithoutPort) {
  std::string error;
  EXPECT_EQ(parse_upstream("10.0.0.10", &error)->to_string(), "10.0.0.10:53");
  EXPECT_EQ(parse_upstream("127.0.0.1:5353", &error)->to_string(), "127.0.0.1:5353");
  EXPECT_EQ(parse_upstream("::1", &error)->to_string(), "[::1]:53");
  EXPECT_EQ(parse_upstream("[fd00::a]", &error)->to_string(), "[fd00::a]:53");
  EXPECT_EQ(parse_upstream("[fd00::a]:5300", &error)->to_string(), "[fd00::a]:5300");
}

TEST(ParseUpstream, Errors) {
  std::string error;
  EXPECT_FALSE(parse_upstream("dns.google", &error));
  EXPECT_NE(error.find("dns.google"), std::string::npos);
  EXPECT_FALSE(parse_upstream("10.0.0.1:0", &error));
  EXPECT_FALSE(parse_upstream("10.0.0.1:99999", &error));
  EXPECT_FALSE(parse_upstream("", &error));
}

TEST(ResolvConf, NameserversInOrderWithCommentsAndJunk) {
  const char* text =
      "# generated\n"
      "search default.svc.cluster.local svc.cluster.local\n"
      "nameserver 10.96.0.10\n"
      "  nameserver\t10.96.0.11   # the second\n"
      "; nameserver 10.0.0.99\n"
      "nameserver 2001:db8::53\n"
      "nameserver fe80::1%1\n"
      "nameserver not-an-address\n"
      "nameserver 10.96.0.10\n"
      "nameserver\n"
      "options ndots:5\n";
  auto upstreams = resolv_conf_upstreams(text, listen_on("127.0.0.1:5353"));
  EXPECT_EQ(texts(upstreams), (std::vector<std::string>{"10.96.0.10:53", "10.96.0.11:53",
                                                        "[2001:db8::53]:53", "[fe80::1]:53"}));
  ASSERT_EQ(upstreams.size(), 4u);
  EXPECT_EQ(reinterpret_cast<const sockaddr_in6*>(&upstreams[3].storage)->sin6_scope_id, 1u);
}

TEST(ResolvConf, CrlfLineEndsAndMoreThanThreeNameservers) {
  // glibc reads only the first three; a forwarder uses every one, as CoreDNS does.
  const char* text =
      "nameserver 198.18.0.1\r\nnameserver 198.18.0.2\r\nnameserver 198.18.0.3\r\n"
      "nameserver 198.18.0.4\r\n";
  EXPECT_EQ(texts(resolv_conf_upstreams(text, listen_on("127.0.0.1:5353"))),
            (std::vector<std::string>{"198.18.0.1:53", "198.18.0.2:53", "198.18.0.3:53",
                                      "198.18.0.4:53"}));
}

TEST(ResolvConf, SkipsOurOwnAddress) {
  const char* text = "nameserver 10.0.0.5\nnameserver 127.0.0.1\nnameserver 10.0.0.6\n";
  EXPECT_EQ(texts(resolv_conf_upstreams(text, listen_on("10.0.0.5:53"))),
            (std::vector<std::string>{"127.0.0.1:53", "10.0.0.6:53"}));
  // On a wildcard listener on port 53, loopback addresses are us too.
  EXPECT_EQ(texts(resolv_conf_upstreams(text, listen_on("0.0.0.0:53"))),
            (std::vector<std::string>{"10.0.0.5:53", "10.0.0.6:53"}));
  // Another port: a local resolver on 53 is not us.
  EXPECT_EQ(texts(resolv_conf_upstreams(text, listen_on("127.0.0.1:5353"))),
            (std::vector<std::string>{"10.0.0.5:53", "127.0.0.1:53", "10.0.0.6:53"}));
  EXPECT_EQ(texts(resolv_conf_upstreams("nameserver ::1\n", listen_on("[::]:53"))),
            (std::vector<std::string>{}));
}

TEST(ResolvConf, UnreadableFileGivesNoUpstreams) {
  EXPECT_TRUE(system_upstreams("/nonexistent/resolv.conf", listen_on("127.0.0.1:53")).empty());
}

}  // namespace
}  // namespace vmdns::forward
