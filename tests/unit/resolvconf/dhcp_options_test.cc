// DHCP options 6, 12, 15 and 119: RFC 3397's own example byte for byte, RFC 3396 splitting,
// and the names KubeVirt refuses.

#include <gtest/gtest.h>

#include "resolvconf/dhcp_options.h"
#include "resolvconf/guest_dns.h"

namespace vmdns::resolvconf {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes text(std::string_view s) { return {s.begin(), s.end()}; }
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

// RFC 3397 section 4: "eng.apple.com." and "marketing.apple.com.", the second name ending in
// a pointer to offset 4, where "apple.com." starts.
const Bytes kRfc3397Example = cat({{3}, text("eng"), {5}, text("apple"), {3}, text("com"), {0},
                                   {9}, text("marketing"), {0xC0, 0x04}});

TEST(DomainSearch, Rfc3397Section4Example) {
  std::string error;
  auto data = encode_domain_search({"eng.apple.com", "marketing.apple.com"}, &error);
  ASSERT_TRUE(data) << error;
  EXPECT_EQ(hex(*data), hex(kRfc3397Example));
  EXPECT_EQ(decode_domain_search(*data),
            (std::vector<std::string>{"eng.apple.com", "marketing.apple.com"}));
}

TEST(DomainSearch, Rfc3397Section4ExampleSplitInThreeOptions) {
  // The RFC shows the same 27 octets carried by three option 119 instances of 9 octets.
  std::vector<DhcpOption> options = split_option(kOptionDomainSearch, kRfc3397Example, 9);
  Bytes expected = cat({{119, 9, 3}, text("eng"), {5}, text("appl"),             //
                        {119, 9}, text("e"), {3}, text("com"), {0, 9}, text("ma"),  //
                        {119, 9}, text("rketing"), {0xC0, 0x04}});
  EXPECT_EQ(hex(option_bytes(options)), hex(expected));
}

TEST(DomainSearch, PodSearchListCompressesEverySharedSuffix) {
  std::string error;
  auto data = encode_domain_search({"mysubdomain.default.svc.cluster.local",
                                    "default.svc.cluster.local", "svc.cluster.local",
                                    "cluster.local"},
                                   &error);
  ASSERT_TRUE(data) << error;
  // 39 octets for the first name, then one pointer each: to offsets 12, 20 and 24.
  ASSERT_EQ(data->size(), 39u + 6u);
  EXPECT_EQ(hex(Bytes(data->end() - 6, data->end())), "c0 0c c0 14 c0 18");
}

TEST(DomainSearch, LongListIsSplitIntoOptionsOf255Octets) {
  std::vector<std::string> search;
  for (char c = 'a'; c <= 'f'; ++c) {
    search.push_back(std::string(60, c) + "." + std::string(40, c) + ".example");
  }
  std::string error;
  auto data = encode_domain_search(search, &error);
  ASSERT_TRUE(data) << error;
  std::vector<DhcpOption> options = split_option(kOptionDomainSearch, *data);
  ASSERT_EQ(options.size(), (data->size() + 254) / 255);
  Bytes joined;
  for (const DhcpOption& o : options) {
    EXPECT_LE(o.data.size(), 255u);
    joined.insert(joined.end(), o.data.begin(), o.data.end());
  }
  std::vector<std::string> expected;
  for (const std::string& s : search) {
    expected.push_back(s);
  }
  EXPECT_EQ(decode_domain_search(joined), expected);
}

struct BadEntry {
  std::string entry;
  std::string error;
};

TEST(DomainSearch, EntriesKubeVirtRefusesAreErrors) {
  const BadEntry kCases[] = {
      {"a_b.local", "search entry \"a_b.local\" has a character other than letters, digits and '-'"},
      {std::string(64, 'x') + ".local",
       "search entry \"" + std::string(64, 'x') + ".local\" has a label longer than 63 characters"},
      {"a..b", "search entry \"a..b\" has an empty label"},
      {"-a.local", "search entry \"-a.local\" has a label that starts or ends with '-'"},
      {std::string(120, 'a') + "." + std::string(60, 'b') + "." + std::string(60, 'c') + "." +
           std::string(20, 'd'),
       ""},
  };
  for (const BadEntry& c : kCases) {
    std::string error;
    EXPECT_FALSE(encode_domain_search({"ok.local", c.entry}, &error)) << c.entry;
    if (!c.error.empty()) {
      EXPECT_EQ(error, c.error);
    } else {
      EXPECT_NE(error.find("longer than"), std::string::npos) << error;
    }
  }
}

TEST(DhcpOptions, PageVmiGetsServersHostnameDomainAndSearch) {
  GuestDns guest;
  guest.hostname = "myvmi";
  guest.conf.nameservers = {"198.18.0.1", "fd00::10"};  // DHCPv4 carries IPv4 only
  guest.conf.search = {"mysubdomain.default.svc.cluster.local", "default.svc.cluster.local"};
  std::string error;
  auto options = dhcp_options(guest, &error);
  ASSERT_TRUE(options) << error;
  ASSERT_EQ(options->size(), 4u);
  EXPECT_EQ(hex(option_bytes({(*options)[0]})), "06 04 c6 12 00 01");
  EXPECT_EQ(hex(option_bytes({(*options)[1]})), "0c 05 6d 79 76 6d 69");
  EXPECT_EQ((*options)[2].code, kOptionDomainName);
  EXPECT_EQ((*options)[2].data, text("mysubdomain.default.svc.cluster.local"));
  EXPECT_EQ((*options)[3].code, kOptionDomainSearch);
  EXPECT_EQ(decode_domain_search((*options)[3].data), guest.conf.search);
}

TEST(DhcpOptions, EmptyHostnameIsAnError) {
  GuestDns guest;
  std::string error;
  EXPECT_FALSE(dhcp_options(guest, &error));
  EXPECT_EQ(error, "hostname \"\" does not fit option 12 (1 to 255 octets)");
}

}  // namespace
}  // namespace vmdns::resolvconf
