// Reverse names (RFC 1035 section 3.5, RFC 3596 section 2.5) and --reverse-zone parsing.

#include "rules/reverse_zone.h"

#include <gtest/gtest.h>

namespace vmdns::rules {
namespace {

TEST(ReverseNameTest, Table) {
  const std::pair<const char*, const char*> cases[] = {
      {"10.96.0.20", "20.0.96.10.in-addr.arpa."},
      {"192.168.1.2", "2.1.168.192.in-addr.arpa."},
      // 32 nibbles, least significant first.
      {"fd00::20", "0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa."},
      {"2001:db8::abcd",
       "d.c.b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."},
  };
  for (const auto& [address, name] : cases) {
    SCOPED_TRACE(address);
    EXPECT_EQ(reverse_name(*cluster::IpAddress::parse(address)).to_text(), name);
  }
}

TEST(ParseReverseZoneTest, Table) {
  struct Row {
    const char* why;
    const char* text;
    const char* zone;  // nullptr: rejected
  } rows[] = {
      {"a zone name", "10.in-addr.arpa", "10.in-addr.arpa."},
      {"a zone name is lowercased, trailing dot allowed", "96.10.IN-ADDR.ARPA.",
       "96.10.in-addr.arpa."},
      {"an ip6.arpa name", "d.f.ip6.arpa", "d.f.ip6.arpa."},
      {"the whole in-addr.arpa", "in-addr.arpa", "in-addr.arpa."},
      {"/8: on an octet boundary", "10.0.0.0/8", "10.in-addr.arpa."},
      {"/12: widened to the enclosing /8 (Service CIDR 10.96.0.0/12)", "10.96.0.0/12",
       "10.in-addr.arpa."},
      {"/16", "10.244.0.0/16", "244.10.in-addr.arpa."},
      {"/24", "192.168.1.0/24", "1.168.192.in-addr.arpa."},
      {"/32: one address", "10.96.0.10/32", "10.0.96.10.in-addr.arpa."},
      {"/0: all of in-addr.arpa", "0.0.0.0/0", "in-addr.arpa."},
      {"fd00::/8: two nibbles", "fd00::/8", "d.f.ip6.arpa."},
      {"/10 widened to the enclosing nibble boundary /8", "fd00::/10", "d.f.ip6.arpa."},
      {"/64", "2001:db8:1:2::/64", "2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."},
      {"a forward name is not a reverse zone", "cluster.local", nullptr},
      {"prefix too long", "10.0.0.0/33", nullptr},
      {"prefix not a number", "10.0.0.0/x", nullptr},
      {"no prefix digits", "10.0.0.0/", nullptr},
      {"not an address", "10.0.0/8", nullptr},
      {"IPv6 prefix too long", "fd00::/129", nullptr},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.why);
    std::string error;
    auto zone = parse_reverse_zone(r.text, &error);
    if (r.zone == nullptr) {
      EXPECT_FALSE(zone.has_value());
      EXPECT_NE(error.find(r.text), std::string::npos) << error;
    } else {
      ASSERT_TRUE(zone.has_value()) << error;
      EXPECT_EQ(zone->to_text(), r.zone);
    }
  }
}

TEST(ReversePrefixTest, Table) {
  struct Row {
    const char* name;
    const char* prefix;  // nullptr: stands for no address
    size_t units;
  } rows[] = {
      {"in-addr.arpa.", "0.0.0.0", 0},
      {"96.10.in-addr.arpa.", "10.96.0.0", 2},
      {"10.0.96.10.in-addr.arpa.", "10.96.0.10", 4},
      {"d.f.ip6.arpa.", "fd00::", 2},
      {"a.d.f.ip6.arpa.", "fda0::", 3},
      {"ip6.arpa.", "::", 0},
      {"010.in-addr.arpa.", nullptr, 0},   // reverse_name never writes a leading zero
      {"256.in-addr.arpa.", nullptr, 0},
      {"1.2.3.4.5.in-addr.arpa.", nullptr, 0},
      {"ab.ip6.arpa.", nullptr, 0},
      {"g.ip6.arpa.", nullptr, 0},
      {"foo.in-addr.arpa.", nullptr, 0},
      {"cluster.local.", nullptr, 0},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    auto prefix = reverse_prefix(*dns::Name::from_text(r.name));
    if (r.prefix == nullptr) {
      EXPECT_FALSE(prefix.has_value());
      continue;
    }
    ASSERT_TRUE(prefix.has_value());
    EXPECT_EQ(prefix->prefix, *cluster::IpAddress::parse(r.prefix));
    EXPECT_EQ(prefix->units, r.units);
    // The name of the prefix is the name itself.
    EXPECT_EQ(reverse_name(prefix->prefix, prefix->units).to_text(), r.name);
  }
}

TEST(PrefixOfTest, KeepsTheFirstUnits) {
  auto v4 = *cluster::IpAddress::parse("10.96.7.20");
  EXPECT_EQ(prefix_of(v4, 3), *cluster::IpAddress::parse("10.96.7.0"));
  EXPECT_EQ(prefix_of(v4, 0), *cluster::IpAddress::parse("0.0.0.0"));
  EXPECT_TRUE(has_prefix(v4, *cluster::IpAddress::parse("10.96.0.0"), 2));
  EXPECT_FALSE(has_prefix(v4, *cluster::IpAddress::parse("10.97.0.0"), 2));
  auto v6 = *cluster::IpAddress::parse("fd12:3456::1");
  EXPECT_EQ(prefix_of(v6, 3), *cluster::IpAddress::parse("fd10::"));
  EXPECT_TRUE(has_prefix(v6, *cluster::IpAddress::parse("fd00::"), 2));
  EXPECT_FALSE(has_prefix(v6, *cluster::IpAddress::parse("fd00::"), 3));
  // Families never match.
  EXPECT_FALSE(has_prefix(v4, *cluster::IpAddress::parse("::"), 0));
}

}  // namespace
}  // namespace vmdns::rules
