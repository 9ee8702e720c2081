#include "cluster/ip_address.h"

#include <gtest/gtest.h>

namespace vmdns::cluster {
namespace {

struct ParseCase {
  const char* text;
  bool valid;
  IpAddress::Family family;
  const char* canonical;  // to_string() of the parsed address
  bool link_local;
};

const ParseCase kParseCases[] = {
    {"10.244.0.57", true, IpAddress::Family::V4, "10.244.0.57", false},
    {"0.0.0.0", true, IpAddress::Family::V4, "0.0.0.0", false},
    {"169.254.1.1", true, IpAddress::Family::V4, "169.254.1.1", true},
    {"169.255.1.1", true, IpAddress::Family::V4, "169.255.1.1", false},
    {"fd00::1", true, IpAddress::Family::V6, "fd00::1", false},
    {"FD00:0:0:0:0:0:0:1", true, IpAddress::Family::V6, "fd00::1", false},  // RFC 5952 lowercase
    {"2001:db8:0:0:1:0:0:1", true, IpAddress::Family::V6, "2001:db8::1:0:0:1", false},
    {"fe80::858:aff:fef4:39", true, IpAddress::Family::V6, "fe80::858:aff:fef4:39", true},
    {"febf::1", true, IpAddress::Family::V6, "febf::1", true},   // last of fe80::/10
    {"fec0::1", true, IpAddress::Family::V6, "fec0::1", false},  // first after fe80::/10
    {"::ffff:10.0.0.1", true, IpAddress::Family::V6, "::ffff:10.0.0.1", false},
    {"", false, {}, "", false},
    {"10.244.0", false, {}, "", false},
    {"10.244.0.256", false, {}, "", false},
    {"10.244.0.57/24", false, {}, "", false},  // no prefix
    {"fe80::1%eth0", false, {}, "", false},    // no zone index
    {"not-an-ip", false, {}, "", false},
    {"1.2.3.4 ", false, {}, "", false},
    {"1111:2222:3333:4444:5555:6666:7777:8888:9999", false, {}, "", false},
    {"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255x", false, {}, "", false},  // too long
};

class IpAddressParseTest : public testing::TestWithParam<ParseCase> {};

TEST_P(IpAddressParseTest, Parses) {
  const ParseCase& c = GetParam();
  std::optional<IpAddress> address = IpAddress::parse(c.text);
  ASSERT_EQ(address.has_value(), c.valid) << c.text;
  if (!c.valid) {
    return;
  }
  EXPECT_EQ(address->family, c.family);
  EXPECT_EQ(address->to_string(), c.canonical);
  EXPECT_EQ(address->is_link_local(), c.link_local);
}

INSTANTIATE_TEST_SUITE_P(Table, IpAddressParseTest, testing::ValuesIn(kParseCases));

TEST(IpAddressTest, EmbeddedNulIsRejected) {
  using namespace std::string_view_literals;
  EXPECT_FALSE(IpAddress::parse("10.0.0.1\0garbage"sv));
}

TEST(IpAddressTest, V4BytesAndOrdering) {
  IpAddress a = *IpAddress::parse("10.244.0.57");
  EXPECT_TRUE(a.is_v4());
  EXPECT_EQ(a.v4(), (std::array<uint8_t, 4>{10, 244, 0, 57}));
  EXPECT_LT(*IpAddress::parse("10.0.0.1"), *IpAddress::parse("10.0.0.2"));
  EXPECT_LT(*IpAddress::parse("10.0.0.1"), *IpAddress::parse("::1"));  // V4 before V6
  EXPECT_EQ(*IpAddress::parse("fd00::1"), *IpAddress::parse("fd00:0::1"));
}

}  // namespace
}  // namespace vmdns::cluster
