// The hosts file format: what each kind of line gives, and the errors for the lines skipped.
//
// Behaviour checked: comments (whole lines and trailing), blank lines, tabs and CRLF; IPv4 and
// IPv6 addresses, an IPv6 zone dropped; names lowercased, a trailing dot accepted; a bad address
// skips its line, a bad name only itself, an address alone is an error; every error names the
// origin and line; --host takes one line and refuses any error; the reverse name of an address.

#include "hosts/hosts_file.h"

#include <gtest/gtest.h>

#include "hosts/hosts_table.h"

namespace vmdns::hosts {
namespace {

std::string address_text(const HostsEntry& entry) {
  char text[64];
  if (entry.ipv6) {
    std::string out;
    for (int i = 0; i < 16; i += 2) {
      snprintf(text, sizeof(text), "%s%x", i ? ":" : "", (entry.address[i] << 8) | entry.address[i + 1]);
      out += text;
    }
    return out;
  }
  snprintf(text, sizeof(text), "%d.%d.%d.%d", entry.address[0], entry.address[1],
           entry.address[2], entry.address[3]);
  return text;
}

// "ADDRESS name name..." per entry.
std::vector<std::string> described(const HostsParse& parsed) {
  std::vector<std::string> out;
  for (const HostsEntry& entry : parsed.entries) {
    std::string line = address_text(entry);
    for (const dns::Name& name : entry.names) {
      line += " " + name.to_text();
    }
    out.push_back(line);
  }
  return out;
}

TEST(ParseHosts, Lines) {
  struct Case {
    const char* text;
    std::vector<std::string> entries;
    std::vector<std::string> errors;
  };
  const Case cases[] = {
      {"", {}, {}},
      {"# only a comment\n\n   \n", {}, {}},
      {"10.0.0.5 node-a", {"10.0.0.5 node-a."}, {}},
      {"10.0.0.5\tNode-A  node-a.LAN. # the first node\r\n",
       {"10.0.0.5 node-a. node-a.lan."}, {}},
      {"fd00::5 node-a\n", {"fd00:0:0:0:0:0:0:5 node-a."}, {}},
      {"fe80::1%eth0 router\n", {"fe80:0:0:0:0:0:0:1 router."}, {}},
      {"127.0.0.1 localhost\n::1 localhost ip6-localhost\n",
       {"127.0.0.1 localhost.", "0:0:0:0:0:0:0:1 localhost. ip6-localhost."}, {}},
      {"10.0.0.300 bad\n10.0.0.6 good\n", {"10.0.0.6 good."},
       {"hosts:1: \"10.0.0.300\" is not an IPv4 or IPv6 address"}},
      {"node-a 10.0.0.5\n", {}, {"hosts:1: \"node-a\" is not an IPv4 or IPv6 address"}},
      {"\n10.0.0.5\n", {}, {"hosts:2: no name after the address \"10.0.0.5\""}},
      {"10.0.0.5 a..b ok\n", {"10.0.0.5 ok."}, {"hosts:1: \"a..b\" is not a host name"}},
      {"10.0.0.5 .\n", {}, {"hosts:1: \".\" is not a host name"}},
      {"10.0.0.5 # a name commented out\n", {}, {"hosts:1: no name after the address \"10.0.0.5\""}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    HostsParse parsed = parse_hosts(c.text, "hosts");
    EXPECT_EQ(described(parsed), c.entries);
    ASSERT_EQ(parsed.errors.size(), c.errors.size()) << ::testing::PrintToString(parsed.errors);
    for (size_t i = 0; i < c.errors.size(); ++i) {
      EXPECT_EQ(parsed.errors[i].substr(0, c.errors[i].size()), c.errors[i]);
    }
  }
}

TEST(ParseHosts, ControlOctetsAreNotEchoed) {
  HostsParse parsed = parse_hosts(std::string("\x1b[2J 1.2.3.4\n", 13), "f");
  ASSERT_EQ(parsed.errors.size(), 1u);
  EXPECT_EQ(parsed.errors[0].find('\x1b'), std::string::npos);
}

TEST(ParseHostLine, OneEntryOrAnError) {
  std::string error;
  auto entry = parse_host_line("192.0.2.7 db DB.example", &error);
  ASSERT_TRUE(entry) << error;
  EXPECT_EQ(entry->names.size(), 2u);
  EXPECT_EQ(entry->names[1].to_text(), "db.example.");
  EXPECT_FALSE(parse_host_line("192.0.2.7", &error));
  EXPECT_NE(error.find("no name"), std::string::npos) << error;
  EXPECT_FALSE(parse_host_line("192.0.2.7 ok a..b", &error));
  EXPECT_NE(error.find("\"a..b\" is not a host name"), std::string::npos) << error;
  EXPECT_FALSE(parse_host_line("", &error));
  EXPECT_FALSE(parse_host_line("bogus name", &error));
}

TEST(ReverseName, BothFamilies) {
  HostsParse parsed = parse_hosts("192.0.2.7 a\n2001:db8::1 b\n", "f");
  ASSERT_EQ(parsed.entries.size(), 2u);
  EXPECT_EQ(reverse_name(parsed.entries[0]).to_text(), "7.2.0.192.in-addr.arpa.");
  EXPECT_EQ(reverse_name(parsed.entries[1]).to_text(),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
}

}  // namespace
}  // namespace vmdns::hosts
