// Upstream responses rewritten for the client, and what may be cached (RFC 2308).
//
// Behaviour checked:
//   - the client's ID and its spelling of the name are restored; TTLs are lowered by the age of
//     a cached response, never below 0;
//   - a client without EDNS gets no OPT; a client with EDNS gets our OPT (1232) carrying the
//     upstream's DO bit;
//   - a reply over the client's limit (512 without EDNS, else min(size, 1232); 65535 over TCP)
//     is cut at a record boundary with TC; additional records that do not fit are left out
//     without TC;
//   - a response whose names would read differently in the reply (a compression pointer into
//     the header, a lowered TTL or past its record) is refused;
//   - a response with another ID, question or no QR does not answer our query;
//   - cache TTLs: the shortest TTL of a positive answer, min(SOA TTL, SOA MINIMUM) of a negative
//     one, nothing for SERVFAIL, TC, or a negative answer without SOA; caps;
//   - the upstream query is lowercased with RD and an OPT carrying the client's DO bit and our
//     loop marker option, which parse_client_query reads back; SERVFAIL keeps the client's ID
//     and question.

#include "forward/response.h"

#include <gtest/gtest.h>

#include "forward/client_query.h"
#include "testing/dns_text.h"
#include "upstream_helpers.h"

namespace vmdns::forward {
namespace {

using namespace testing;
using dns::Rcode;
using dns::RrType;
using dns::Section;
using vmdns::testing::parse_response;

std::vector<uint8_t> rewrite(const Bytes& response, const ClientQuery& c, uint32_t elapsed = 0) {
  Bytes out(65535);
  size_t n = rewrite_reply(response, c, elapsed, out);
  out.resize(n);
  return out;
}

Bytes big_answer(uint16_t id, const char* qname, int count) {
  std::vector<Rr> records;
  for (int i = 0; i < count; ++i) {
    records.push_back({Section::Answer, "big.example.test", RrType::A, 300,
                       a_rdata(static_cast<uint8_t>(i))});
  }
  return response(id, qname, RrType::A, Rcode::NoError, records);
}

TEST(RewriteReply, RestoresIdAndCaseAndLowersTtls) {
  Bytes upstream = response(0x1111, "www.example.test", RrType::A, Rcode::NoError,
                            {{Section::Answer, "www.example.test", RrType::A, 300, a_rdata(10)}});
  ClientQuery c = client("WwW.ExAmple.TEST");
  auto text = parse_response(rewrite(upstream, c, 100));
  ASSERT_TRUE(text);
  EXPECT_EQ(text->id, 0xBEEF);
  EXPECT_EQ(text->question, "WwW.ExAmple.TEST. A");
  ASSERT_EQ(text->answer.size(), 1u);
  EXPECT_EQ(text->answer[0], "WwW.ExAmple.TEST.\t200\tIN\tA\t192.0.2.10");
  auto expired = parse_response(rewrite(upstream, c, 1000));
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->answer[0], "WwW.ExAmple.TEST.\t0\tIN\tA\t192.0.2.10");
}

TEST(RewriteReply, CompressedOwnerFollowsTheClientsCase) {
  // MessageWriter compresses the owner to a pointer at the question: it reads as the client
  // wrote it, which is what a resolver answering that client would say.
  Bytes upstream = response(1, "a.example.test", RrType::A, Rcode::NoError,
                            {{Section::Answer, "a.example.test", RrType::A, 60, a_rdata(1)}});
  auto text = parse_response(rewrite(upstream, client("A.EXAMPLE.test")));
  ASSERT_TRUE(text);
  EXPECT_EQ(text->answer[0], "A.EXAMPLE.test.\t60\tIN\tA\t192.0.2.1");
}

TEST(RewriteReply, StripsOptForClientWithoutEdns) {
  Bytes upstream = response(1, "www.example.test", RrType::A, Rcode::NoError,
                            {{Section::Answer, "www.example.test", RrType::A, 300, a_rdata(10)}});
  auto text = parse_response(rewrite(upstream, client("www.example.test", RrType::A, false)));
  ASSERT_TRUE(text);
  EXPECT_FALSE(text->has_opt);
  EXPECT_EQ(text->answer.size(), 1u);
  EXPECT_TRUE(text->additional.empty());
}

TEST(RewriteReply, ReplacesOptKeepingTheDoBit) {
  Bytes upstream = response(1, "www.example.test", RrType::A, Rcode::NoError,
                            {{Section::Answer, "www.example.test", RrType::A, 300, a_rdata(10)}},
                            /*opt=*/true, /*dnssec_ok=*/true);
  Bytes out = rewrite(upstream, client("www.example.test"));
  auto text = parse_response(out);
  ASSERT_TRUE(text);
  EXPECT_TRUE(text->has_opt);
  EXPECT_EQ(text->opt_udp_size, 1232);
  // The OPT's TTL field is its last 6 octets but 2: DO is the top bit of the flags.
  ASSERT_GE(out.size(), 11u);
  EXPECT_EQ(out[out.size() - 4] & 0x80, 0x80);
}

TEST(RewriteReply, AddsOptForEdnsClientWhenUpstreamHadNone) {
  Bytes upstream = response(1, "www.example.test", RrType::A, Rcode::NoError,
                            {{Section::Answer, "www.example.test", RrType::A, 300, a_rdata(10)}},
                            /*opt=*/false);
  auto text = parse_response(rewrite(upstream, client("www.example.test")));
  ASSERT_TRUE(text);
  EXPECT_TRUE(text->has_opt);
}

TEST(RewriteReply, TruncatesToTheClientsLimitAtARecordBoundary) {
  Bytes upstream = big_answer(1, "big.example.test", 100);
  ASSERT_GT(upstream.size(), 1232u);

  Bytes plain = rewrite(upstream, client("big.example.test", RrType::A, false));
  EXPECT_LE(plain.size(), 512u);
  auto text = parse_response(plain);
  ASSERT_TRUE(text);
  EXPECT_TRUE(text->tc);
  EXPECT_GT(text->answer.size(), 20u);
  EXPECT_LT(text->answer.size(), 100u);
  EXPECT_FALSE(text->has_opt);

  Bytes edns =
      rewrite(upstream, client("big.example.test", RrType::A, true, net::Transport::Udp, 4096));
  EXPECT_LE(edns.size(), 1232u);
  auto edns_text = parse_response(edns);
  ASSERT_TRUE(edns_text);
  EXPECT_TRUE(edns_text->tc);
  EXPECT_TRUE(edns_text->has_opt);

  Bytes small =
      rewrite(upstream, client("big.example.test", RrType::A, true, net::Transport::Udp, 700));
  EXPECT_LE(small.size(), 700u);

  auto tcp = parse_response(
      rewrite(upstream, client("big.example.test", RrType::A, true, net::Transport::Tcp)));
  ASSERT_TRUE(tcp);
  EXPECT_FALSE(tcp->tc);
  EXPECT_EQ(tcp->answer.size(), 100u);
}

TEST(RewriteReply, AdditionalThatDoesNotFitIsLeftOutWithoutTc) {
  std::vector<Rr> records = {{Section::Answer, "x.example.test", RrType::A, 60, a_rdata(1)}};
  for (int i = 0; i < 60; ++i) {
    records.push_back({Section::Additional, "glue.example.test", RrType::A, 60,
                       a_rdata(static_cast<uint8_t>(i))});
  }
  Bytes upstream = response(1, "x.example.test", RrType::A, Rcode::NoError, records);
  auto text = parse_response(rewrite(upstream, client("x.example.test", RrType::A, false)));
  ASSERT_TRUE(text);
  EXPECT_FALSE(text->tc);
  EXPECT_EQ(text->answer.size(), 1u);
  EXPECT_LT(text->additional.size(), 60u);
}

TEST(RewriteReply, MalformedOrForAnotherNameGivesZero) {
  Bytes upstream = response(1, "www.example.test", RrType::A, Rcode::NoError,
                            {{Section::Answer, "www.example.test", RrType::A, 300, a_rdata(10)}});
  Bytes out(65535);
  EXPECT_EQ(rewrite_reply(upstream, client("other.example.test"), 0, out), 0u);
  Bytes cut(upstream.begin(), upstream.end() - 5);
  EXPECT_EQ(rewrite_reply(cut, client("www.example.test"), 0, out), 0u);
  EXPECT_EQ(rewrite_reply(Bytes(5), client("www.example.test"), 0, out), 0u);
}

// A response to www.example.test/A, no OPT, with `answers` answer records written out octet by
// octet after the question, which ends at offset 34. Its ID, 0x002A, starts with a zero octet,
// so a pointer at offset 0 reads as the root in the response, and as something else, or
// nothing, once the client's ID is written there.
Bytes raw_response(uint16_t answers, std::initializer_list<uint8_t> records) {
  Bytes out = {0x00, 0x2A, 0x81, 0x80, 0,   1,   0,   static_cast<uint8_t>(answers),
               0,    0,    0,    0,    3,   'w', 'w', 'w',
               7,    'e',  'x',  'a',  'm', 'p', 'l', 'e',
               4,    't',  'e',  's',  't', 0,   0,   1,
               0,    1};
  for (uint8_t octet : records) {
    out.push_back(octet);
  }
  return out;
}

TEST(RewriteReply, NamesMustReadInTheReplyAsInTheResponse) {
  // Records are copied with their compression pointers; one that points anywhere but at a prior
  // name (RFC 1035 section 4.1.4) would read differently once the header and TTLs are ours, so
  // the response is refused (0: the client gets SERVFAIL) instead of sent malformed.
  struct Row {
    const char* what;
    Bytes upstream;
    uint32_t elapsed;
    bool kept;
  };
  const Row rows[] = {
      {"owner points at the question",
       raw_response(1, {0xC0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2, 1}), 100, true},
      {"owner points at a label inside the question",
       raw_response(1, {0xC0, 16, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2, 1}), 100, true},
      {"owner points at the header",
       raw_response(1, {0xC0, 0, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2, 1}), 0, false},
      {"CNAME target points at the header",
       raw_response(1, {0xC0, 12, 0, 5, 0, 1, 0, 0, 1, 44, 0, 2, 0xC0, 0}), 0, false},
      {"CNAME target points past its own record",
       raw_response(1, {0xC0, 12, 0, 5, 0, 1, 0, 0, 1, 44, 0, 2, 0xC0, 48}), 0, false},
      {"CNAME target runs past its rdata",
       raw_response(1, {0xC0, 12, 0, 5, 0, 1, 0, 0, 1, 44, 0, 1, 1, 'x', 0}), 0, false},
      // The first record's TTL, 0x01780000, reads as the name "x." at offset 40; lowered by
      // 100 seconds it no longer reads as a name.
      {"owner points into a TTL that is lowered",
       raw_response(2, {0xC0, 12, 0, 1, 0, 1, 1, 'x', 0, 0,  0, 4, 192, 0, 2, 1,
                        0xC0, 40, 0, 1, 0, 1, 0, 0,   1, 44, 0, 4, 192, 0, 2, 2}),
       100, false},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    Bytes reply = rewrite(row.upstream, client("www.example.test"), row.elapsed);
    EXPECT_EQ(!reply.empty(), row.kept);
    if (!reply.empty()) {
      EXPECT_TRUE(parse_response(reply));
    }
  }
}

TEST(AnswersQuery, MatchesIdQuestionAndQr) {
  dns::Question q{name("www.example.test"), RrType::A, 1};
  Bytes upstream = response(0x4242, "WWW.example.test", RrType::A, Rcode::NoError, {});
  EXPECT_TRUE(answers_query(upstream, 0x4242, q));
  EXPECT_FALSE(answers_query(upstream, 0x4243, q));
  EXPECT_FALSE(answers_query(upstream, 0x4242, {name("www.example.test"), RrType::AAAA, 1}));
  EXPECT_FALSE(answers_query(upstream, 0x4242, {name("ww.example.test"), RrType::A, 1}));
  upstream[2] &= 0x7f;  // QR cleared: a query, not a response
  EXPECT_FALSE(answers_query(upstream, 0x4242, q));
}

TEST(CacheTtl, PositiveIsTheShortestTtl) {
  Bytes upstream = response(1, "www.example.test", RrType::A, Rcode::NoError,
                            {{Section::Answer, "www.example.test", RrType::A, 300, a_rdata(1)},
                             {Section::Answer, "www.example.test", RrType::A, 120, a_rdata(2)}});
  EXPECT_EQ(cache_ttl(upstream), 120u);
}

TEST(CacheTtl, NegativeIsTheSoaTtlOrMinimumWhicheverIsLower) {
  // RFC 2308 section 5.
  Bytes nx = response(1, "no.example.test", RrType::A, Rcode::NxDomain,
                      {{Section::Authority, "example.test", RrType::SOA, 300, soa_rdata(60)}});
  EXPECT_EQ(cache_ttl(nx), 60u);
  Bytes nodata = response(1, "www.example.test", RrType::TXT, Rcode::NoError,
                          {{Section::Authority, "example.test", RrType::SOA, 30, soa_rdata(600)}});
  EXPECT_EQ(cache_ttl(nodata), 30u);
  Bytes bare = response(1, "no.example.test", RrType::A, Rcode::NxDomain, {});
  EXPECT_EQ(cache_ttl(bare), std::nullopt);
}

TEST(CacheTtl, NotCachedAndCapped) {
  EXPECT_EQ(cache_ttl(response(1, "x.test", RrType::A, Rcode::ServFail, {})), std::nullopt);
  Bytes truncated = response(1, "x.test", RrType::A, Rcode::NoError,
                             {{Section::Answer, "x.test", RrType::A, 300, a_rdata(1)}}, true,
                             false, /*tc=*/true);
  EXPECT_EQ(cache_ttl(truncated), std::nullopt);
  Bytes zero = response(1, "x.test", RrType::A, Rcode::NoError,
                        {{Section::Answer, "x.test", RrType::A, 0, a_rdata(1)}});
  EXPECT_EQ(cache_ttl(zero), 5u);  // CoreDNS's minimum
  EXPECT_EQ(cache_ttl(zero, {.success_min = 0}), std::nullopt);
  Bytes week = response(1, "x.test", RrType::A, Rcode::NoError,
                        {{Section::Answer, "x.test", RrType::A, 604800, a_rdata(1)}});
  EXPECT_EQ(cache_ttl(week), kMaxPositiveTtl);
  Bytes long_nx = response(1, "x.test", RrType::A, Rcode::NxDomain,
                           {{Section::Authority, "test", RrType::SOA, 86400, soa_rdata(86400)}});
  EXPECT_EQ(cache_ttl(long_nx), kMaxNegativeTtl);
}

TEST(CacheTtl, Bounds) {
  // CoreDNS's cache: the answer's TTL raised to the minimum, then lowered to the maximum, of its
  // kind; the additional section counts, its OPT does not.
  Bytes a300 = response(1, "x.test", RrType::A, Rcode::NoError,
                        {{Section::Answer, "x.test", RrType::A, 300, a_rdata(1)}});
  Bytes a2 = response(1, "x.test", RrType::A, Rcode::NoError,
                      {{Section::Answer, "x.test", RrType::A, 2, a_rdata(1)}});
  Bytes glue = response(1, "x.test", RrType::NS, Rcode::NoError,
                        {{Section::Answer, "x.test", RrType::NS, 300, dns::rdata::name(name("ns.x.test"))},
                         {Section::Additional, "ns.x.test", RrType::A, 40, a_rdata(2)}});
  Bytes nx600 = response(1, "x.test", RrType::A, Rcode::NxDomain,
                         {{Section::Authority, "test", RrType::SOA, 600, soa_rdata(900)}});
  Bytes nx1 = response(1, "x.test", RrType::A, Rcode::NxDomain,
                       {{Section::Authority, "test", RrType::SOA, 1, soa_rdata(900)}});
  struct Case {
    const char* what;
    const Bytes& response;
    CacheTtls ttls;
    std::optional<uint32_t> ttl;
  };
  const Case cases[] = {
      {"defaults", a300, {}, 300},
      {"success capped", a300, {.success_max = 30}, 30},
      {"denial cap leaves success alone", a300, {.denial_max = 30}, 300},
      {"raised to the minimum", a2, {}, 5},
      {"raised to another minimum", a2, {.success_min = 60}, 60},
      {"the maximum wins over the minimum", a2, {.success_max = 10, .success_min = 60}, 10},
      {"no minimum", a2, {.success_min = 0}, 2},
      {"additional counts", glue, {}, 40},
      {"denial defaults", nx600, {}, 600},
      {"denial capped", nx600, {.denial_max = 30}, 30},
      {"success cap leaves denial alone", nx600, {.success_max = 30}, 600},
      {"denial raised", nx1, {}, 5},
      {"denial raised to another minimum", nx1, {.denial_min = 20}, 20},
      {"denial unraised", nx1, {.denial_min = 0}, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(cache_ttl(c.response, c.ttls), c.ttl);
  }
}

TEST(SetTtls, EveryRecordButOpt) {
  Bytes upstream = response(1, "x.test", RrType::A, Rcode::NoError,
                            {{Section::Answer, "x.test", RrType::CNAME, 3600,
                              dns::rdata::name(name("y.test"))},
                             {Section::Answer, "y.test", RrType::A, 300, a_rdata(1)},
                             {Section::Authority, "test", RrType::NS, 86400,
                              dns::rdata::name(name("ns.test"))},
                             {Section::Additional, "ns.test", RrType::A, 7, a_rdata(2)}},
                            /*opt=*/true, /*dnssec_ok=*/true);
  ASSERT_TRUE(set_ttls(upstream, 42));
  auto text = vmdns::testing::parse_response(upstream);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->answer, (std::vector<std::string>{"x.test.\t42\tIN\tCNAME\ty.test.",
                                                    "y.test.\t42\tIN\tA\t192.0.2.1"}));
  EXPECT_EQ(text->authority, std::vector<std::string>{"test.\t42\tIN\tNS\tns.test."});
  // The OPT (the last 11 octets) keeps its TTL field: extended rcode 0, version 0, DO set.
  EXPECT_EQ(Bytes(upstream.end() - 6, upstream.end() - 2), (Bytes{0, 0, 0x80, 0}));
  Bytes cut(upstream.begin(), upstream.end() - 5);
  Bytes before = cut;
  EXPECT_FALSE(set_ttls(cut, 1));
  EXPECT_EQ(cut, before);
}

TEST(ClientQuery, UpstreamQueryIsLowercasedWithRdAndOpt) {
  ClientQuery c = client("WWW.Example.Test");
  c.dnssec_ok = true;
  Bytes out(512);
  size_t n = build_upstream_query(c, 0x7777, 0x0102030405060708, out);
  out.resize(n);
  auto text = parse_response(out);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->id, 0x7777);
  EXPECT_TRUE(text->rd);
  EXPECT_FALSE(text->qr);
  EXPECT_EQ(text->question, "www.example.test. A");
  EXPECT_TRUE(text->has_opt);
  EXPECT_EQ(text->opt_udp_size, 1232);
  // The OPT's flags (DO is the top bit) come before RDLENGTH and the 12-octet marker option.
  EXPECT_EQ(out[out.size() - 12 - 4] & 0x80, 0x80);
}

TEST(ClientQuery, LoopMarkerRoundTrips) {
  Bytes out(512);
  out.resize(build_upstream_query(client("x.test"), 1, 0xA1B2C3D4E5F60718, out));
  ClientQuery back;
  ASSERT_TRUE(parse_client_query(out, net::Transport::Udp, &back));
  EXPECT_EQ(back.loop_marker, 0xA1B2C3D4E5F60718u);
  EXPECT_TRUE(back.edns);
  Bytes plain(512);
  plain.resize(build_upstream_query(client("x.test"), 1, 0, plain));
  ASSERT_TRUE(parse_client_query(plain, net::Transport::Udp, &back));
  EXPECT_EQ(back.loop_marker, 0u);
  EXPECT_EQ(plain.size() + 12, out.size());
}

TEST(ClientQuery, ServfailKeepsIdAndQuestion) {
  Bytes out(512);
  size_t n = servfail_reply(client("Some.Where.test", RrType::AAAA, false), out);
  out.resize(n);
  auto text = parse_response(out);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->id, 0xBEEF);
  EXPECT_EQ(text->rcode, Rcode::ServFail);
  EXPECT_EQ(text->question, "Some.Where.test. AAAA");
  EXPECT_FALSE(text->has_opt);
}

TEST(ClientQuery, ReplyLimits) {
  EXPECT_EQ(client("a.test", RrType::A, false).reply_limit(), 512u);
  EXPECT_EQ(client("a.test", RrType::A, true, net::Transport::Udp, 4096).reply_limit(), 1232u);
  EXPECT_EQ(client("a.test", RrType::A, true, net::Transport::Udp, 800).reply_limit(), 800u);
  EXPECT_EQ(client("a.test", RrType::A, false, net::Transport::Tcp).reply_limit(), 65535u);
}

TEST(ClientQuery, ParsesAQueryAndRejectsOthers) {
  auto packet = vmdns::testing::make_query(
      {.name = "Mixed.Case.test", .type = RrType::MX, .id = 9, .edns = true, .udp_size = 4096});
  ClientQuery c;
  ASSERT_TRUE(parse_client_query(packet, net::Transport::Udp, &c));
  EXPECT_EQ(c.id, 9);
  EXPECT_EQ(c.question.name.to_text(), "Mixed.Case.test.");
  EXPECT_TRUE(c.edns);
  EXPECT_EQ(c.udp_size, 4096);
  EXPECT_FALSE(parse_client_query(Bytes(5), net::Transport::Udp, &c));
}

}  // namespace
}  // namespace vmdns::forward
