// An ExternalName whose target is outside our zones: our CNAME reply becomes the prefix of the
// forwarded query's reply (CoreDNS's kubernetes plugin answers A/AAAA this way).
//
// Behaviour checked:
//   - follow_alias reads our (compressed) CNAMEs, keeps the name the client asked, and makes the
//     last target the question to forward; a reply that is not all CNAMEs is refused;
//   - the client's reply: its ID and question as written, AA, our CNAMEs then the upstream's
//     answer and authority records with compressed names written out again (CNAME, SOA, MX),
//     TTLs lowered by the age, the upstream's rcode, our OPT only when the client sent EDNS;
//   - a set over the client's limit sets TC after our CNAME; a response to another question is
//     malformed (0); SERVFAIL names what the client asked.

#include "forward/alias_reply.h"

#include <gtest/gtest.h>

#include "forward/response.h"
#include "testing/dns_text.h"
#include "upstream_helpers.h"

namespace vmdns::forward {
namespace {

using namespace testing;
using dns::Rcode;
using dns::RrType;
using dns::Section;
using vmdns::testing::parse_response;

// What query::answer writes for an ExternalName: the question, then the CNAME (compressed).
Bytes our_cname_reply(const char* qname, std::vector<std::pair<const char*, const char*>> chain,
                      RrType type = RrType::A) {
  std::vector<Rr> records;
  for (auto [owner, target] : chain) {
    records.push_back({Section::Answer, owner, RrType::CNAME, 5, dns::rdata::name(name(target))});
  }
  return response(0xBEEF, qname, type, Rcode::NoError, records);
}

ClientQuery aliased(const char* qname, std::vector<std::pair<const char*, const char*>> chain,
                    bool edns = true, net::Transport transport = net::Transport::Udp) {
  ClientQuery c = client(qname, RrType::A, edns, transport);
  EXPECT_TRUE(follow_alias(our_cname_reply(qname, chain), &c));
  return c;
}

std::vector<uint8_t> rewrite(const Bytes& upstream, const ClientQuery& c, uint32_t elapsed = 0) {
  Bytes out(65535);
  size_t n = rewrite_reply(upstream, c, elapsed, out);
  out.resize(n);
  return out;
}

const char* kExt = "Ext.Default.svc.cluster.local";

TEST(FollowAlias, TargetBecomesTheQuestion) {
  ClientQuery c = aliased(kExt, {{kExt, "www.example.test"}});
  ASSERT_TRUE(c.alias);
  EXPECT_EQ(c.question.name.to_text(), "www.example.test.");
  EXPECT_EQ(c.alias->client_name.to_text(), "Ext.Default.svc.cluster.local.");
  EXPECT_EQ(c.alias->record_count, 1);
}

TEST(FollowAlias, ChainOfTwoKeepsBoth) {
  ClientQuery c = aliased("a.default.svc.cluster.local",
                          {{"a.default.svc.cluster.local", "b.default.svc.cluster.local"},
                           {"b.default.svc.cluster.local", "www.example.test"}});
  ASSERT_TRUE(c.alias);
  EXPECT_EQ(c.alias->record_count, 2);
  EXPECT_EQ(c.question.name.to_text(), "www.example.test.");
}

TEST(FollowAlias, RefusesAnythingButCnames) {
  ClientQuery c = client(kExt);
  Bytes reply = response(0xBEEF, kExt, RrType::A, Rcode::NoError,
                         {{Section::Answer, kExt, RrType::A, 5, a_rdata(1)}});
  EXPECT_FALSE(follow_alias(reply, &c));
  EXPECT_FALSE(c.alias);
  EXPECT_EQ(c.question.name.to_text(), "Ext.Default.svc.cluster.local.");
  EXPECT_FALSE(follow_alias(response(0xBEEF, kExt, RrType::A, Rcode::NoError, {}), &c));
  EXPECT_FALSE(follow_alias(Bytes(5), &c));
}

TEST(AliasReply, CnameThenTheUpstreamsAnswer) {
  ClientQuery c = aliased(kExt, {{kExt, "www.example.test"}});
  Bytes upstream = response(0x1111, "www.example.test", RrType::A, Rcode::NoError,
                            {{Section::Answer, "www.example.test", RrType::CNAME, 300,
                              dns::rdata::name(name("cdn.example.net"))},
                             {Section::Answer, "cdn.example.net", RrType::A, 60, a_rdata(7)},
                             {Section::Additional, "ns.example.net", RrType::A, 60, a_rdata(53)}});
  auto text = parse_response(rewrite(upstream, c, 10));
  ASSERT_TRUE(text);
  EXPECT_EQ(text->id, 0xBEEF);
  EXPECT_EQ(text->question, "Ext.Default.svc.cluster.local. A");
  EXPECT_EQ(text->rcode, Rcode::NoError);
  EXPECT_TRUE(text->aa);
  EXPECT_EQ(text->answer, (std::vector<std::string>{
                              "Ext.Default.svc.cluster.local.\t5\tIN\tCNAME\twww.example.test.",
                              "www.example.test.\t290\tIN\tCNAME\tcdn.example.net.",
                              "cdn.example.net.\t50\tIN\tA\t192.0.2.7"}));
  EXPECT_TRUE(text->additional.empty());
  EXPECT_TRUE(text->has_opt);
}

TEST(AliasReply, NxdomainKeepsTheSoaAndTheRcode) {
  ClientQuery c = aliased(kExt, {{kExt, "nosuch.example.test"}}, /*edns=*/false);
  Bytes upstream = response(1, "nosuch.example.test", RrType::A, Rcode::NxDomain,
                            {// A name compressed against the question, written out again.
                             {Section::Answer, "example.test", RrType::MX, 60,
                              Bytes{0, 10, 4, 'm', 'a', 'i', 'l', 0xC0, 12}},
                             {Section::Authority, "example.test", RrType::SOA, 60, soa_rdata(30)}});
  auto text = parse_response(rewrite(upstream, c));
  ASSERT_TRUE(text);
  EXPECT_EQ(text->rcode, Rcode::NxDomain);
  EXPECT_FALSE(text->has_opt);
  // MX 10 mail.nosuch.example.test. in full (the test printer shows MX in RFC 3597 form).
  EXPECT_EQ(text->answer.back(),
            "example.test.\t60\tIN\tMX\t\\# 28 000A046D61696C066E6F73756368076578616D706C6504"
            "7465737400");
  ASSERT_EQ(text->authority.size(), 1u);
  EXPECT_EQ(text->authority[0],
            "example.test.\t60\tIN\tSOA\tns.example.test. hostmaster.example.test. 1 7200 1800 "
            "86400 30");
}

TEST(AliasReply, TooLargeForTheClientSetsTc) {
  ClientQuery c = aliased(kExt, {{kExt, "big.example.test"}}, /*edns=*/false);
  std::vector<Rr> records;
  for (int i = 0; i < 60; ++i) {
    records.push_back(
        {Section::Answer, "big.example.test", RrType::A, 300, a_rdata(static_cast<uint8_t>(i))});
  }
  Bytes upstream = response(1, "big.example.test", RrType::A, Rcode::NoError, records);
  Bytes out = rewrite(upstream, c);
  EXPECT_LE(out.size(), 512u);
  auto text = parse_response(out);
  ASSERT_TRUE(text);
  EXPECT_TRUE(text->tc);
  EXPECT_EQ(text->answer.front(),
            "Ext.Default.svc.cluster.local.\t5\tIN\tCNAME\tbig.example.test.");
  EXPECT_LT(text->answer.size(), 61u);

  ClientQuery over_tcp = aliased(kExt, {{kExt, "big.example.test"}}, false, net::Transport::Tcp);
  auto whole = parse_response(rewrite(upstream, over_tcp));
  ASSERT_TRUE(whole);
  EXPECT_FALSE(whole->tc);
  EXPECT_EQ(whole->answer.size(), 61u);
}

TEST(AliasReply, ResponseToAnotherQuestionIsMalformed) {
  ClientQuery c = aliased(kExt, {{kExt, "www.example.test"}});
  Bytes other = response(1, "other.example.test", RrType::A, Rcode::NoError,
                         {{Section::Answer, "other.example.test", RrType::A, 60, a_rdata(1)}});
  EXPECT_TRUE(rewrite(other, c).empty());
}

TEST(AliasReply, ServfailNamesWhatTheClientAsked) {
  ClientQuery c = aliased(kExt, {{kExt, "www.example.test"}});
  Bytes out(512);
  out.resize(servfail_reply(c, out));
  auto text = parse_response(out);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->question, "Ext.Default.svc.cluster.local. A");
  EXPECT_EQ(text->rcode, Rcode::ServFail);
}

}  // namespace
}  // namespace vmdns::forward
