// --corefile: CoreDNS's transfer plugin as --allow-transfer and --notify. Each case is a
// Corefile and the two flags it reads as, or the error naming its file and line.
//
// Behaviour checked:
//   - `to` an IP: allowed as /32 or /128 and notified on port 53; IP:PORT and [IPv6]:PORT
//     notified on that port; `*`: every client allowed, nobody notified; a CIDR: allowed, not
//     notified;
//   - the zones: the block's (the root's covers every zone), or the plugin's own, which must be
//     zones the kubernetes plugin serves, and cover all of them (vmdns's lists apply to every
//     zone); two transfer plugins must name the same addresses;
//   - `to` without addresses, a word that is not an address, an option other than `to`: errors.

#include <gtest/gtest.h>

#include "settings/corefile_settings.h"

namespace vmdns::settings {
namespace {

std::optional<CorefileSettings> read(const std::string& text, std::string* error) {
  return read_corefile_settings("/etc/coredns/Corefile",
                                corefile::memory_file_access({{"/etc/coredns/Corefile", text}}), {},
                                error);
}

// "--allow-transfer=a,b --notify=c", either left out when not set.
std::string transfer_flags(const ConfigSettings& settings) {
  std::string out;
  for (const char* flag : {"--allow-transfer", "--notify"}) {
    auto it = settings.find(flag);
    if (it == settings.end()) {
      continue;
    }
    out += (out.empty() ? "" : " ") + std::string(flag);
    for (size_t i = 0; i < it->second.values.size(); ++i) {
      out += (i ? "," : "=") + it->second.values[i];
    }
  }
  return out;
}

struct Case {
  const char* name;
  const char* text;
  const char* flags;  // or the error, when it starts with '/'
};

// gtest prints a case by its name: ctest lists it by that, not by a dump of its bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

const Case kCases[] = {
    {"an address and a port",
     ".:53 {\n kubernetes cluster.local in-addr.arpa\n transfer {\n  to 192.0.2.53 "
     "198.51.100.7:5300\n }\n}",
     "--allow-transfer=192.0.2.53/32,198.51.100.7/32 "
     "--notify=192.0.2.53:53,198.51.100.7:5300"},
    {"IPv6, bare and with a port",
     ".:53 {\n kubernetes cluster.local\n transfer {\n  to 2001:db8::53\n  to "
     "[2001:db8::54]:5300\n }\n}",
     "--allow-transfer=2001:db8::53/128,2001:db8::54/128 "
     "--notify=[2001:db8::53]:53,[2001:db8::54]:5300"},
    {"* allows everyone and notifies nobody",
     ".:53 {\n kubernetes cluster.local\n transfer {\n  to *\n }\n}",
     "--allow-transfer=0.0.0.0/0,::/0"},
    {"* beside an address notifies the address",
     ".:53 {\n kubernetes cluster.local\n transfer {\n  to * 192.0.2.53\n }\n}",
     "--allow-transfer=0.0.0.0/0,192.0.2.53/32,::/0 --notify=192.0.2.53:53"},
    {"a CIDR is allowed, not notified",
     ".:53 {\n kubernetes cluster.local\n transfer {\n  to 10.1.0.0/16\n }\n}",
     "--allow-transfer=10.1.0.0/16"},
    {"the plugin's own zones, all of kubernetes's",
     ".:53 {\n kubernetes cluster.local 10.96.0.0/12\n transfer Cluster.Local in-addr.arpa {\n  "
     "to 192.0.2.53\n }\n}",
     "--allow-transfer=192.0.2.53/32 --notify=192.0.2.53:53"},
    {"a block of its own for the cluster zone",
     ".:53 {\n kubernetes cluster.local\n}\ncluster.local:53 {\n transfer {\n  to 192.0.2.53\n "
     "}\n}",
     "--allow-transfer=192.0.2.53/32 --notify=192.0.2.53:53"},
    {"two plugins with the same addresses",
     ".:53 {\n kubernetes cluster.local in-addr.arpa\n transfer cluster.local {\n  to "
     "192.0.2.53\n }\n}\nin-addr.arpa:53 {\n transfer {\n  to 192.0.2.53\n }\n}",
     "--allow-transfer=192.0.2.53/32 --notify=192.0.2.53:53"},
    {"no transfer", ".:53 {\n kubernetes cluster.local\n}", ""},
    {"a zone vmdns does not serve",
     ".:53 {\n kubernetes cluster.local\n transfer cluster.local example.org {\n  to "
     "192.0.2.53\n }\n}",
     "/etc/coredns/Corefile:3: transfer: vmdns serves no zone at or below example.org. (the "
     "kubernetes plugin's zones: cluster.local.)"},
    {"a zone of kubernetes's left out",
     ".:53 {\n kubernetes cluster.local in-addr.arpa\n transfer cluster.local {\n  to "
     "192.0.2.53\n }\n}",
     "/etc/coredns/Corefile:3: transfer: vmdns allows the transfer of every zone it serves "
     "(--allow-transfer), and no transfer plugin names in-addr.arpa.: name it, or leave the "
     "zones to the kubernetes plugin's block"},
    {"another list of addresses",
     ".:53 {\n kubernetes cluster.local\n transfer {\n  to 192.0.2.53\n }\n}\nexample.org:53 {\n "
     "transfer {\n  to 192.0.2.54\n }\n}",
     "/etc/coredns/Corefile:8: transfer: vmdns sends every zone to one list of secondaries "
     "(--allow-transfer, --notify), and /etc/coredns/Corefile:3 names other addresses"},
    {"to without addresses", ".:53 {\n kubernetes cluster.local\n transfer {\n  to\n }\n}",
     "/etc/coredns/Corefile:4: transfer: to: expected ADDRESS... (to 192.0.2.53)"},
    {"no block", ".:53 {\n kubernetes cluster.local\n transfer\n}",
     "/etc/coredns/Corefile:3: transfer: expected a block with `to ADDRESS...`"},
    {"a host name", ".:53 {\n kubernetes cluster.local\n transfer {\n  to ns1.example.org\n }\n}",
     "/etc/coredns/Corefile:4: transfer: to: \"ns1.example.org\" is not an address (ADDRESS, "
     "ADDRESS:PORT, [IPv6]:PORT, CIDR or *)"},
    {"an empty word", ".:53 {\n kubernetes cluster.local\n transfer {\n  to \"\"\n }\n}",
     "/etc/coredns/Corefile:4: transfer: to: \"\" is not an address (ADDRESS, ADDRESS:PORT, "
     "[IPv6]:PORT, CIDR or *)"},
    {"port 0", ".:53 {\n kubernetes cluster.local\n transfer {\n  to 192.0.2.53:0\n }\n}",
     "/etc/coredns/Corefile:4: transfer: to: \"192.0.2.53:0\" is not an address (ADDRESS, "
     "ADDRESS:PORT, [IPv6]:PORT, CIDR or *)"},
    {"a bad prefix", ".:53 {\n kubernetes cluster.local\n transfer {\n  to 10.0.0.0/33\n }\n}",
     "/etc/coredns/Corefile:4: transfer: to: \"10.0.0.0/33\" is not an address (ADDRESS, "
     "ADDRESS:PORT, [IPv6]:PORT, CIDR or *)"},
    {"an option other than to",
     ".:53 {\n kubernetes cluster.local\n transfer {\n  from 192.0.2.53\n }\n}",
     "/etc/coredns/Corefile:4: transfer: \"from\" is not supported by vmdns"},
};

class CorefileTransferTest : public ::testing::TestWithParam<Case> {};

TEST_P(CorefileTransferTest, ReadsAsTheTableSays) {
  const Case& c = GetParam();
  std::string error;
  auto out = read(c.text, &error);
  if (c.flags[0] == '/') {
    EXPECT_FALSE(out);
    EXPECT_EQ(error, c.flags);
    return;
  }
  ASSERT_TRUE(out) << error;
  EXPECT_EQ(transfer_flags(out->settings), c.flags);
}

INSTANTIATE_TEST_SUITE_P(Table, CorefileTransferTest, ::testing::ValuesIn(kCases));

}  // namespace
}  // namespace vmdns::settings
