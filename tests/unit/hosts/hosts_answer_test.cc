// Queries answered from a hosts table, as CoreDNS's hosts plugin answers them.
//
// Behaviour checked (a table of queries and replies in presentation format): A and AAAA of a
// name, any case, with the table's TTL and AA, the client's spelling kept; NODATA (no SOA) for
// the other family and for any other type of a hosts name; PTR of an address in the file, IPv4
// and IPv6, with every name of it; nothing (0) for a name not in the file, a PTR for an address
// not in it, a PTR asked of a name, class CH, EDNS version 1, an AXFR; duplicate entries kept
// once; an OPT in the reply when the query had one; TC at a record boundary when the addresses
// do not fit 512 octets; no allocation.

#include "hosts/hosts_answer.h"

#include <gtest/gtest.h>

#include <array>

#include "testing/allocation_counter.h"
#include "testing/dns_text.h"

namespace vmdns::hosts {
namespace {

using dns::RrType;
using vmdns::testing::make_query;
using vmdns::testing::parse_response;

std::shared_ptr<const HostsTable> table() {
  HostsParse parsed = parse_hosts(
      "10.0.0.5 node-a node-a.lan\n"
      "10.0.0.6 node-b\n"
      "fd00::5 node-a\n"
      "10.0.0.5 node-a   # the same again: kept once\n"
      "10.0.0.7 v4only\n"
      "fd00::8 v6only\n",
      "hosts");
  EXPECT_TRUE(parsed.errors.empty());
  return HostsTable::build(parsed.entries, 60);
}

TEST(HostsAnswer, Table) {
  struct Case {
    const char* name;
    RrType type;
    std::vector<std::string> answer;  // empty with `answered`: NODATA
    bool answered = true;
  };
  const Case cases[] = {
      {"node-a", RrType::A, {"node-a.\t60\tIN\tA\t10.0.0.5"}},
      {"NODE-A", RrType::A, {"NODE-A.\t60\tIN\tA\t10.0.0.5"}},
      {"node-a", RrType::AAAA, {"node-a.\t60\tIN\tAAAA\tfd00::5"}},
      {"node-a.lan", RrType::A, {"node-a.lan.\t60\tIN\tA\t10.0.0.5"}},
      {"v4only", RrType::AAAA, {}},
      {"v6only", RrType::A, {}},
      {"node-a", RrType::MX, {}},
      {"node-a", RrType::TXT, {}},
      {"5.0.0.10.in-addr.arpa", RrType::PTR,
       {"5.0.0.10.in-addr.arpa.\t60\tIN\tPTR\tnode-a.", "5.0.0.10.in-addr.arpa.\t60\tIN\tPTR\tnode-a.lan."}},
      {"6.0.0.10.IN-ADDR.ARPA", RrType::PTR, {"6.0.0.10.IN-ADDR.ARPA.\t60\tIN\tPTR\tnode-b."}},
      {"5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", RrType::PTR,
       {"5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.\t60\tIN\tPTR\tnode-a."}},
      {"nothere", RrType::A, {}, false},
      {"node-a.other", RrType::A, {}, false},
      {"9.0.0.10.in-addr.arpa", RrType::PTR, {}, false},
      {"node-a", RrType::PTR, {}, false},  // a PTR is for addresses only
      {"5.0.0.10.in-addr.arpa", RrType::A, {}, false},
      {"node-a", RrType::AXFR, {}, false},
  };
  auto hosts = table();
  for (const Case& c : cases) {
    for (bool edns : {false, true}) {
      SCOPED_TRACE(std::string(c.name) + " " + std::to_string(static_cast<int>(c.type)) +
                   (edns ? " edns" : ""));
      auto query = make_query({.name = c.name, .type = c.type, .id = 0x4242, .edns = edns});
      std::array<uint8_t, 65535> out{};
      size_t length = answer(*hosts, query, out, false);
      if (!c.answered) {
        EXPECT_EQ(length, 0u);
        continue;
      }
      ASSERT_GT(length, 0u);
      auto reply = parse_response(std::vector<uint8_t>(out.data(), out.data() + length));
      ASSERT_TRUE(reply);
      EXPECT_EQ(reply->id, 0x4242);
      EXPECT_EQ(reply->rcode, dns::Rcode::NoError);
      EXPECT_TRUE(reply->aa);
      EXPECT_TRUE(reply->rd);
      EXPECT_FALSE(reply->tc);
      EXPECT_EQ(reply->answer, c.answer);
      EXPECT_TRUE(reply->authority.empty());
      EXPECT_EQ(reply->has_opt, edns);
    }
  }
}

TEST(HostsAnswer, NotForUs) {
  auto hosts = table();
  std::array<uint8_t, 512> out{};
  EXPECT_EQ(answer(*hosts, make_query({.name = "node-a", .qclass = 3}), out, false), 0u);
  EXPECT_EQ(answer(*hosts, make_query({.name = "node-a", .edns = true, .edns_version = 1}), out,
                   false),
            0u);
  std::vector<uint8_t> garbage = {1, 2, 3};
  EXPECT_EQ(answer(*hosts, garbage, out, false), 0u);
  auto empty = HostsTable::build({}, 60);
  EXPECT_EQ(answer(*empty, make_query({.name = "node-a"}), out, false), 0u);
}

TEST(HostsAnswer, TruncatedAtARecordBoundary) {
  std::string text;
  for (int i = 0; i < 100; ++i) {
    text += "10.1.0." + std::to_string(i) + " many\n";
  }
  auto hosts = HostsTable::build(parse_hosts(text, "f").entries, 60);
  std::array<uint8_t, 65535> out{};
  size_t length = answer(*hosts, make_query({.name = "many"}), out, false);
  ASSERT_GT(length, 0u);
  EXPECT_LE(length, 512u);
  auto udp = parse_response(std::vector<uint8_t>(out.data(), out.data() + length));
  ASSERT_TRUE(udp);
  EXPECT_TRUE(udp->tc);
  EXPECT_LT(udp->answer.size(), 100u);
  length = answer(*hosts, make_query({.name = "many"}), out, /*tcp=*/true);
  auto tcp = parse_response(std::vector<uint8_t>(out.data(), out.data() + length));
  ASSERT_TRUE(tcp);
  EXPECT_FALSE(tcp->tc);
  EXPECT_EQ(tcp->answer.size(), 100u);
}

TEST(HostsAnswer, DoesNotAllocate) {
  auto hosts = table();
  auto a = make_query({.name = "Node-A", .edns = true});
  auto ptr = make_query({.name = "5.0.0.10.in-addr.arpa", .type = RrType::PTR});
  auto miss = make_query({.name = "nothere"});
  std::array<uint8_t, 1232> out{};
  size_t before = vmdns::testing::allocations_on_this_thread();
  size_t total = answer(*hosts, a, out, false) + answer(*hosts, ptr, out, false) +
                 answer(*hosts, miss, out, false);
  EXPECT_EQ(vmdns::testing::allocations_on_this_thread() - before, 0u);
  EXPECT_GT(total, 0u);
}

}  // namespace
}  // namespace vmdns::hosts
