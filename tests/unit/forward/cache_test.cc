// The forwarder's cache.
//
// Behaviour checked: a hit within the TTL reports its age (the caller lowers TTLs by it); an
// entry is gone once its TTL has passed; negative answers are cached like positive ones with
// the TTL cache_ttl gives them; the key ignores the name's case but not the type, the class or
// the DO and CD bits; the size bound evicts the least recently used entry; size 0 disables.

#include "forward/cache.h"

#include <gtest/gtest.h>

#include "forward/response.h"
#include "testing/dns_text.h"
#include "upstream_helpers.h"

namespace vmdns::forward {
namespace {

using namespace testing;
using namespace std::chrono_literals;
using dns::Rcode;
using dns::RrType;
using dns::Section;

const Cache::Clock::time_point kStart{std::chrono::hours(1000)};

Bytes answer_for(const char* qname, uint32_t ttl) {
  return response(1, qname, RrType::A, Rcode::NoError,
                  {{Section::Answer, qname, RrType::A, ttl, a_rdata(7)}});
}

TEST(Cache, HitReportsAgeAndTtlsAreLoweredByIt) {
  Cache cache(10);
  ClientQuery c = client("www.example.test");
  Bytes upstream = answer_for("www.example.test", 300);
  cache.insert(Cache::key_of(c), upstream, *cache_ttl(upstream), kStart);
  auto hit = cache.find(Cache::key_of(c), kStart + 42s + 500ms);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->age_seconds, 42u);
  Bytes out(65535);
  size_t n = rewrite_reply(hit->response, c, hit->age_seconds, out);
  out.resize(n);
  auto text = vmdns::testing::parse_response(out);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->answer[0], "www.example.test.\t258\tIN\tA\t192.0.2.7");
}

TEST(Cache, ExpiresWithItsTtl) {
  Cache cache(10);
  std::string key = Cache::key_of(client("www.example.test"));
  cache.insert(key, answer_for("www.example.test", 5), 5, kStart);
  EXPECT_TRUE(cache.find(key, kStart + 4999ms));
  EXPECT_FALSE(cache.find(key, kStart + 5s));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(Cache, NegativeAnswersLiveForTheSoaMinimum) {
  Cache cache(10);
  ClientQuery c = client("nosuch.example.test");
  Bytes nx = response(1, "nosuch.example.test", RrType::A, Rcode::NxDomain,
                      {{Section::Authority, "example.test", RrType::SOA, 300, soa_rdata(10)}});
  auto ttl = cache_ttl(nx);
  ASSERT_EQ(ttl, 10u);
  cache.insert(Cache::key_of(c), nx, *ttl, kStart);
  auto hit = cache.find(Cache::key_of(c), kStart + 9s);
  ASSERT_TRUE(hit);
  Bytes out(65535);
  out.resize(rewrite_reply(hit->response, c, hit->age_seconds, out));
  auto text = vmdns::testing::parse_response(out);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->rcode, Rcode::NxDomain);
  ASSERT_EQ(text->authority.size(), 1u);
  EXPECT_EQ(text->authority[0].substr(0, 18), "example.test.\t291\t");
  EXPECT_FALSE(cache.find(Cache::key_of(c), kStart + 10s));
}

TEST(Cache, KeyIgnoresCaseButNotTypeClassOrDnssecBits) {
  ClientQuery lower = client("www.example.test");
  ClientQuery upper = client("WWW.EXAMPLE.TEST");
  EXPECT_EQ(Cache::key_of(lower), Cache::key_of(upper));
  ClientQuery aaaa = client("www.example.test", RrType::AAAA);
  EXPECT_NE(Cache::key_of(lower), Cache::key_of(aaaa));
  ClientQuery chaos = lower;
  chaos.question.qclass = 3;
  EXPECT_NE(Cache::key_of(lower), Cache::key_of(chaos));
  ClientQuery dnssec = lower;
  dnssec.dnssec_ok = true;
  EXPECT_NE(Cache::key_of(lower), Cache::key_of(dnssec));
  ClientQuery cd = lower;
  cd.flags |= dns::Header::kCd;
  EXPECT_NE(Cache::key_of(lower), Cache::key_of(cd));
  EXPECT_NE(Cache::key_of(dnssec), Cache::key_of(cd));

  Cache cache(10);
  cache.insert(Cache::key_of(lower), answer_for("www.example.test", 60), 60, kStart);
  EXPECT_TRUE(cache.find(Cache::key_of(upper), kStart));
  EXPECT_FALSE(cache.find(Cache::key_of(dnssec), kStart));
}

TEST(Cache, EvictsTheLeastRecentlyUsed) {
  Cache cache(2);
  std::string a = Cache::key_of(client("a.test"));
  std::string b = Cache::key_of(client("b.test"));
  std::string c = Cache::key_of(client("c.test"));
  cache.insert(a, answer_for("a.test", 60), 60, kStart);
  cache.insert(b, answer_for("b.test", 60), 60, kStart);
  EXPECT_TRUE(cache.find(a, kStart));  // a is now the most recently used
  cache.insert(c, answer_for("c.test", 60), 60, kStart);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.find(a, kStart));
  EXPECT_FALSE(cache.find(b, kStart));
  EXPECT_TRUE(cache.find(c, kStart));
}

TEST(Cache, ReplacingAnEntryKeepsOne) {
  Cache cache(2);
  std::string a = Cache::key_of(client("a.test"));
  cache.insert(a, answer_for("a.test", 60), 60, kStart);
  cache.insert(a, answer_for("a.test", 30), 30, kStart + 10s);
  EXPECT_EQ(cache.size(), 1u);
  auto hit = cache.find(a, kStart + 15s);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->age_seconds, 5u);
}

TEST(Cache, SizeZeroDisables) {
  Cache cache(0);
  std::string a = Cache::key_of(client("a.test"));
  cache.insert(a, answer_for("a.test", 60), 60, kStart);
  EXPECT_FALSE(cache.find(a, kStart));
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace vmdns::forward
