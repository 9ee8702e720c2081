#include "dns/rdata.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/dns/wire_builder.h"

namespace vmdns::dns {
namespace {

using test::repeat;
using test::Wire;

Name n(std::string_view text) {
  return *Name::from_text(text);
}

TEST(RdataEncode, Addresses) {
  EXPECT_EQ(rdata::a({10, 0, 0, 1}), (rdata::Bytes{10, 0, 0, 1}));
  std::array<uint8_t, 16> v6{0x20, 0x01, 0x0d, 0xb8};
  v6[15] = 1;
  EXPECT_EQ(rdata::aaaa(v6), rdata::Bytes(v6.begin(), v6.end()));
}

TEST(RdataEncode, Names) {
  EXPECT_EQ(rdata::name(n("ns.example.com")), Wire().name("ns.example.com").bytes());
  EXPECT_EQ(rdata::soa(n("ns.example.com"), n("h.example.com"), 1, 7200, 1800, 86400, 5),
            Wire()
                .name("ns.example.com")
                .name("h.example.com")
                .u32(1)
                .u32(7200)
                .u32(1800)
                .u32(86400)
                .u32(5)
                .bytes());
  EXPECT_EQ(rdata::srv(10, 20, 443, n("t.example.com")),
            Wire().u16(10).u16(20).u16(443).name("t.example.com").bytes());
}

// RFC 1035 section 3.3.14: TXT is one or more <character-string>s of at most 255 octets.
TEST(RdataEncode, Txt) {
  std::vector<std::string> two = {"hello", ""};
  EXPECT_EQ(rdata::txt(two), Wire().label("hello").u8(0).bytes());
  std::vector<std::string> none;
  EXPECT_EQ(rdata::txt(none), (rdata::Bytes{0}));
  std::vector<std::string> long_one = {repeat('x', 300)};
  EXPECT_EQ(rdata::txt(long_one), Wire()
                                      .raw({255})
                                      .raw(std::vector<uint8_t>(255, 'x'))
                                      .raw({45})
                                      .raw(std::vector<uint8_t>(45, 'x'))
                                      .bytes());
  std::vector<std::string> exact = {repeat('y', 255)};
  EXPECT_EQ(rdata::txt(exact).size(), 256u);
}

struct ToTextCase {
  const char* label;
  RrType type;
  std::vector<uint8_t> rdata;
  std::string want;
};

const ToTextCase kToText[] = {
    {"1035 3.4.1 A", RrType::A, {192, 0, 2, 1}, "192.0.2.1"},
    {"1035 3.4.1 A all zeros and 255", RrType::A, {0, 255, 0, 255}, "0.255.0.255"},
    {"3596 2.2 AAAA",
     RrType::AAAA,
     {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
     "2001:db8::1"},
    {"3596 2.2 AAAA v4-mapped",
     RrType::AAAA,
     {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1},
     "::ffff:10.0.0.1"},
    {"1035 3.3.11 NS", RrType::NS, Wire().name("ns.dns.cluster.local"), "ns.dns.cluster.local."},
    {"1035 3.3.1 CNAME", RrType::CNAME, Wire().name("Web.Example.com"), "Web.Example.com."},
    {"1035 3.3.12 PTR", RrType::PTR, Wire().name("vm.ns.svc.cluster.local"),
     "vm.ns.svc.cluster.local."},
    {"1035 3.3.12 PTR to the root", RrType::PTR, {0}, "."},
    {"1035 3.3.13 SOA", RrType::SOA,
     Wire()
         .name("ns.dns.cluster.local")
         .name("hostmaster.cluster.local")
         .u32(2024010101)
         .u32(7200)
         .u32(1800)
         .u32(86400)
         .u32(5),
     "ns.dns.cluster.local. hostmaster.cluster.local. 2024010101 7200 1800 86400 5"},
    {"1035 3.3.13 SOA serial uses all 32 bits", RrType::SOA,
     Wire().u8(0).u8(0).u32(4294967295u).u32(0).u32(0).u32(0).u32(0), ". . 4294967295 0 0 0 0"},
    {"2782 SRV", RrType::SRV, Wire().u16(0).u16(100).u16(8080).name("vm.sub.ns.svc.cluster.local"),
     "0 100 8080 vm.sub.ns.svc.cluster.local."},
    {"2782 SRV with root target", RrType::SRV, Wire().u16(65535).u16(65535).u16(65535).u8(0),
     "65535 65535 65535 ."},
    {"1035 5.1 TXT one string", RrType::TXT, Wire().label("hello world"), "\"hello world\""},
    {"1035 5.1 TXT several strings", RrType::TXT, Wire().label("a").label("b c").u8(0),
     "\"a\" \"b c\" \"\""},
    {"1035 5.1 TXT quote and backslash escaped", RrType::TXT, Wire().label("say \"hi\" \\o/"),
     "\"say \\\"hi\\\" \\\\o/\""},
    {"1035 5.1 TXT non-printables as \\DDD",
     RrType::TXT,
     {3, 0x00, 0x0A, 0xFF},
     "\"\\000\\010\\255\""},
    {"3597 5 MX has no text form here", RrType::MX, Wire().u16(10).name("mx.example"),
     "\\# 14 000A026D78076578616D706C6500"},
    {"3597 5 unknown type", static_cast<RrType>(65), {0xDE, 0xAD, 0xBE, 0xEF}, "\\# 4 DEADBEEF"},
    {"3597 5 empty rdata", static_cast<RrType>(65), {}, "\\# 0"},
    {"3597 5 A of three octets is malformed", RrType::A, {1, 2, 3}, "\\# 3 010203"},
    {"3597 5 A of five octets is malformed", RrType::A, {1, 2, 3, 4, 5}, "\\# 5 0102030405"},
    {"3597 5 AAAA of 4 octets is malformed", RrType::AAAA, {1, 2, 3, 4}, "\\# 4 01020304"},
    {"3597 5 NS with trailing bytes is malformed", RrType::NS, {1, 'a', 0, 7}, "\\# 4 01610007"},
    {"3597 5 CNAME with a compression pointer is malformed",
     RrType::CNAME,
     {0xC0, 0x0C},
     "\\# 2 C00C"},
    {"3597 5 SOA missing a field is malformed", RrType::SOA,
     Wire().u8(0).u8(0).u32(1).u32(2).u32(3).u32(4), "\\# 18 000000000001000000020000000300000004"},
    {"3597 5 SOA cut inside RNAME", RrType::SOA, {0, 3, 'a'}, "\\# 3 000361"},
    {"3597 5 SRV without a target", RrType::SRV, {0, 1, 0, 2, 0, 3}, "\\# 6 000100020003"},
    {"3597 5 TXT string running past the end", RrType::TXT, {5, 'a', 'b'}, "\\# 3 056162"},
    {"3597 5 TXT with no string", RrType::TXT, {}, "\\# 0"},
};

TEST(RdataToText, Table) {
  for (const auto& c : kToText) {
    SCOPED_TRACE(c.label);
    EXPECT_EQ(rdata::to_text(c.type, c.rdata), c.want);
  }
}

TEST(RdataToText, EncodersRoundTrip) {
  EXPECT_EQ(rdata::to_text(RrType::A, rdata::a({10, 1, 2, 3})), "10.1.2.3");
  EXPECT_EQ(rdata::to_text(RrType::SRV, rdata::srv(1, 2, 3, n("t.x"))), "1 2 3 t.x.");
  std::vector<std::string> strings = {"v=1", "k=\"q\""};
  EXPECT_EQ(rdata::to_text(RrType::TXT, rdata::txt(strings)), "\"v=1\" \"k=\\\"q\\\"\"");
}

}  // namespace
}  // namespace vmdns::dns
