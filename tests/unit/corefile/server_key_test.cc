// Server block keys: `[dns://]ZONE[:PORT]`, zones compared as CoreDNS does.

#include "corefile/server_key.h"

#include <gtest/gtest.h>

namespace vmdns::corefile {
namespace {

TEST(ServerKeyTest, Parses) {
  struct Case {
    const char* key;
    const char* zone;
    bool cidr;
    uint16_t port;
  };
  const std::vector<Case> cases = {
      {".:53", ".", false, 53},
      {".", ".", false, 53},
      {":53", ".", false, 53},
      {"dns://.:1053", ".", false, 1053},
      {"Example.COM:53", "example.com.", false, 53},
      {"example.com.", "example.com.", false, 53},
      {"10.0.0.0/8:53", "10.0.0.0/8", true, 53},
      {"fd00::/8", "fd00::/8", true, 53},
      {"dns://fd00::/8:5353", "fd00::/8", true, 5353},
  };
  for (const Case& c : cases) {
    std::string error;
    auto key = parse_server_key(Token{.text = c.key, .file = "Corefile", .line = 1}, &error);
    ASSERT_TRUE(key) << c.key << ": " << error;
    EXPECT_EQ(key->zone, c.zone) << c.key;
    EXPECT_EQ(key->cidr, c.cidr) << c.key;
    EXPECT_EQ(key->port, c.port) << c.key;
  }
}

TEST(ServerKeyTest, Refuses) {
  struct Case {
    const char* key;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"tls://.:853", "the tls:// scheme is not supported by vmdns (plain DNS: dns:// or no scheme)"},
      {"https://.", "the https:// scheme is not supported by vmdns (plain DNS: dns:// or no scheme)"},
      {".:dns", "the port \"dns\" is not a number"},
      {".:0", "the port 0 is not between 1 and 65535"},
      {".:70000", "the port 70000 is not between 1 and 65535"},
      {".:", "the port \"\" is not a number"},
      {"a..b", "\"a..b\" is not a domain name"},
      {"a:b:53", "expected ZONE[:PORT]"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(parse_server_key(Token{.text = c.key, .file = "Corefile", .line = 4}, &error));
    EXPECT_EQ(error, std::string("Corefile:4: server block key \"") + c.key + "\": " + c.error);
  }
}

TEST(ServerKeyTest, Zones) {
  EXPECT_EQ(normalize_zone("Cluster.Local"), "cluster.local.");
  EXPECT_EQ(normalize_zone(""), ".");
  EXPECT_TRUE(is_within("a.example.com.", "example.com."));
  EXPECT_TRUE(is_within("example.com.", "example.com."));
  EXPECT_FALSE(is_within("badexample.com.", "example.com."));
  EXPECT_TRUE(is_within("anything.", "."));
  EXPECT_TRUE(is_within("1.0.10.in-addr.arpa.", "in-addr.arpa."));
}

}  // namespace
}  // namespace vmdns::corefile
