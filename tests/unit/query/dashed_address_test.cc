// The address in a <dashed-ip> label, read as CoreDNS's `pods insecure` reads it (plugin/kubernetes
// findPods: three '-' and no "--" is IPv4, anything else IPv6 with '-' for ':', then Go's
// net.ParseIP), one row per rule.

#include "query/dashed_address.h"

#include <gtest/gtest.h>

#include <string>

namespace vmdns::query {
namespace {

struct Row {
  const char* why;
  std::string label;
  const char* address;  // nullptr: not an address (NXDOMAIN)
};

TEST(DashedAddressTest, Table) {
  const Row rows[] = {
      // IPv4: exactly three '-', no "--".
      {"IPv4 (CoreDNS test: 10-240-0-1)", "10-240-0-1", "10.240.0.1"},
      {"IPv4, any address, known or not", "172-0-0-2", "172.0.0.2"},
      {"IPv4 bounds", "0-0-0-0", "0.0.0.0"},
      {"IPv4 bounds", "255-255-255-255", "255.255.255.255"},
      {"IPv4: a leading zero is refused (Go 1.17+)", "010-1-2-3", nullptr},
      {"IPv4: a leading zero in another field", "10-1-02-3", nullptr},
      {"IPv4: a field above 255", "256-1-2-3", nullptr},
      {"IPv4: four digits", "1000-1-2-3", nullptr},
      {"three dashes, one empty field: \"--\" makes it IPv6", "10-1--3", "10:1::3"},
      {"IPv4: starts with '-'", "-10-1-2", nullptr},
      {"IPv4: ends with '-'", "10-1-2-", nullptr},
      {"IPv4: hex is not decimal", "a-b-c-d", nullptr},
      {"IPv4: trailing garbage", "10-1-2-3x", nullptr},
      {"two dashes: IPv6 rules, too short", "10-1-2", nullptr},
      {"four dashes: IPv6 rules, five groups and no gap", "10-1-2-3-4", nullptr},
      // IPv6: '-' for ':'.
      {"IPv6 with a gap (the README's form)", "fd00--5", "fd00::5"},
      {"vmdns's own dashed form of fd00::", "fd00--0", "fd00::"},
      {"a trailing gap, as CoreDNS's endpoint names write fd00::", "fd00--", "fd00::"},
      {"vmdns's own dashed form of ::1", "0--1", "::1"},
      {"a leading gap", "--1", "::1"},
      {"the unspecified address", "--", "::"},
      {"upper case hex", "FD00--AB", "fd00::ab"},
      {"all eight groups", "fd00-1-2-3-4-5-6-7", "fd00:1:2:3:4:5:6:7"},
      {"leading zeros in a group", "0fd0-0001--1", "fd0:1::1"},
      {"three dashes with a gap is IPv6", "1--2-3", "1::2:3"},
      {"a gap standing for one group", "1-2-3-4-5-6-7--", "1:2:3:4:5:6:7:0"},
      {"IPv4-mapped: an IPv4 address, as Go's To4 makes it (CoreDNS answers A)",
       "0--ffff-a01-203", "10.1.2.3"},
      {"IPv4-mapped with a leading gap", "--ffff-a01-203", "10.1.2.3"},
      {"three dashes in a row", "fd00---5", nullptr},
      {"two gaps", "fd00--1--2", nullptr},
      {"five hex digits", "12345--1", nullptr},
      {"a gap for no group", "1-2-3-4-5-6-7-8--", nullptr},
      {"a leading gap for no group", "--1-2-3-4-5-6-7-8", nullptr},
      {"nine groups", "1-2-3-4-5-6-7-8-9", nullptr},
      {"ends with a single '-'", "fd00-", nullptr},
      {"not hex", "g--1", nullptr},
      {"a zone index", "fd00--1%eth0", nullptr},
      {"a dot inside the label", "10.1-2-3", nullptr},
      {"no dash at all", "abcd", nullptr},
      {"a name (CoreDNS test: blah)", "blah", nullptr},
      {"empty", "", nullptr},
      {"a NUL octet", std::string("fd00--\0", 7), nullptr},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.why) + ": " + row.label);
    std::optional<cluster::IpAddress> got = parse_dashed_address(row.label);
    if (row.address == nullptr) {
      EXPECT_FALSE(got.has_value()) << got->to_string();
      continue;
    }
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, *cluster::IpAddress::parse(row.address));
  }
}

// Every label a 63-octet DNS label can hold is read without reading past it: each prefix of a
// long label, of every character class the parser looks at.
TEST(DashedAddressTest, EveryPrefixOfALongLabel) {
  const std::string long_label = "ffff-ffff-ffff-ffff-ffff-ffff-ffff-ffff--0-0-0-0-0-0-0-0-0-0-";
  for (size_t n = 0; n <= long_label.size(); ++n) {
    std::string prefix = long_label.substr(0, n);
    // Only seven groups and an eighth of 1 to 4 digits make an address.
    EXPECT_EQ(parse_dashed_address(prefix).has_value(), n >= 7 * 5 + 1 && n <= 7 * 5 + 4)
        << prefix;
  }
}

}  // namespace
}  // namespace vmdns::query
