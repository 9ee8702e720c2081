// query::truncated_reply: what a client over the --rrl rate gets when its reply slips through.

#include "query/truncated_reply.h"

#include <gtest/gtest.h>

#include <array>

#include "testing/dns_text.h"

namespace vmdns::query {
namespace {

using testing::make_query;
using testing::parse_response;

struct Case {
  std::string what;
  std::vector<uint8_t> query;
  bool replied;
  std::string question = {};
  bool has_opt = false;
};

TEST(TruncatedReply, Table) {
  auto response = make_query({.name = "cluster.local"});
  response[2] |= 0x80;
  const std::vector<Case> cases = {
      {"a question: echoed with TC and no records",
       make_query({.name = "MyVMI.default.svc.cluster.local", .type = dns::RrType::SRV}), true,
       "MyVMI.default.svc.cluster.local. SRV"},
      {"EDNS: our OPT comes back", make_query({.name = "cluster.local", .edns = true}), true,
       "cluster.local. A", true},
      {"RFC 1035 7.3: a response gets nothing", response, false},
      {"a runt gets nothing", {0x12, 0x34, 0x01}, false},
      {"a malformed query gets nothing",
       [] {
         auto q = make_query({.name = "cluster.local"});
         q[5] = 2;  // QDCOUNT 2
         return q;
       }(),
       false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::array<uint8_t, 512> out{};
    size_t length = truncated_reply(c.query, out);
    if (!c.replied) {
      EXPECT_EQ(length, 0u);
      continue;
    }
    ASSERT_GT(length, 0u);
    auto reply = parse_response(std::vector<uint8_t>(out.begin(), out.begin() + length));
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->id, 0x1234);
    EXPECT_TRUE(reply->qr);
    EXPECT_TRUE(reply->tc);
    EXPECT_TRUE(reply->rd);
    EXPECT_FALSE(reply->aa);
    EXPECT_EQ(reply->rcode, dns::Rcode::NoError);
    EXPECT_EQ(reply->question, c.question);
    EXPECT_TRUE(reply->answer.empty());
    EXPECT_TRUE(reply->authority.empty());
    EXPECT_TRUE(reply->additional.empty());
    EXPECT_EQ(reply->has_opt, c.has_opt);
    // Never larger than the query (plus our OPT in place of the client's).
    EXPECT_LE(length, c.query.size());
  }
}

}  // namespace
}  // namespace vmdns::query
