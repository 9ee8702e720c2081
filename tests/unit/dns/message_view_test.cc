#include "dns/message_view.h"

#include <gtest/gtest.h>

#include <vector>

#include "dns/rdata.h"
#include "dns/writer.h"
#include "testing/allocation_counter.h"
#include "unit/dns/wire_builder.h"

namespace vmdns::dns {
namespace {

using test::Wire;

constexpr uint16_t kId = 0xBEEF;
constexpr uint16_t kRd = 0x0100;
constexpr uint16_t kA = 1;
constexpr uint16_t kIn = 1;
constexpr uint16_t kOpt = 41;
constexpr uint32_t kDo = 0x8000;

uint16_t opcode_flags(Opcode op) {
  return static_cast<uint16_t>(static_cast<uint16_t>(op) << 11);
}

// A query header and question for `name` A IN, with the given counts after it.
Wire query(uint16_t an = 0, uint16_t ns = 0, uint16_t ar = 0, const char* name = "example.com") {
  Wire w;
  w.header(kId, kRd, 1, an, ns, ar).name(name).u16(kA).u16(kIn);
  return w;
}

// One A record with a compressed owner pointing at the question name (offset 12).
Wire& a_record(Wire& w) {
  return w.pointer(12).u16(kA).u16(kIn).u32(300).u16(4).raw({1, 2, 3, 4});
}

struct ParseCase {
  const char* label;
  std::vector<uint8_t> packet;
  ParseStatus want;
  bool has_question = false;
  std::string qname = {};
  uint16_t qtype = kA;
  bool edns = false;
  uint16_t udp_size = 512;
  uint8_t version = 0;
  bool dnssec_ok = false;
};

const ParseCase kParse[] = {
    // Header (RFC 1035 section 4.1.1).
    {"1035 4.1.1 empty packet", {}, ParseStatus::Drop},
    {"1035 4.1.1 11 octets: no full header", Wire().header(kId, 0, 1, 0, 0, 0).pad_to(11),
     ParseStatus::Drop},
    {"1035 7.3 a response (QR=1) is never answered", Wire().header(kId, 0x8000, 1, 0, 0, 0)
                                                         .name("example.com").u16(kA).u16(kIn),
     ParseStatus::Drop},

    // Question (RFC 1035 section 4.1.2, RFC 9619).
    {"1035 4.1.2 A query", query(), ParseStatus::Ok, true, "example.com."},
    {"4343 question case is kept", query(0, 0, 0, "ExAmPlE.CoM"), ParseStatus::Ok, true,
     "ExAmPlE.CoM."},
    {"1035 4.1.2 root question", query(0, 0, 0, "."), ParseStatus::Ok, true, "."},
    {"9619 QDCOUNT 0 in a QUERY is FORMERR", Wire().header(kId, kRd, 0, 0, 0, 0),
     ParseStatus::FormErr},
    {"9619 QDCOUNT 2 is FORMERR",
     Wire().header(kId, kRd, 2, 0, 0, 0).name("a.com").u16(kA).u16(kIn).name("b.com").u16(kA)
         .u16(kIn),
     ParseStatus::FormErr},
    {"1035 4.1.2 question name cut short", Wire().header(kId, kRd, 1, 0, 0, 0).raw({7, 'e', 'x'}),
     ParseStatus::FormErr},
    {"1035 4.1.2 QCLASS missing", Wire().header(kId, kRd, 1, 0, 0, 0).name("a.com").u16(kA),
     ParseStatus::FormErr},
    {"1035 4.1.4 question with a forward pointer",
     Wire().header(kId, kRd, 1, 0, 0, 0).pointer(14).name("a.com").u16(kA).u16(kIn),
     ParseStatus::FormErr},
    {"1035 4.1.4 question with a self pointer",
     Wire().header(kId, kRd, 1, 0, 0, 0).pointer(12).u16(kA).u16(kIn), ParseStatus::FormErr},
    {"6891 5 question with label type 0x40",
     Wire().header(kId, kRd, 1, 0, 0, 0).raw({0x41, 0}).u16(kA).u16(kIn), ParseStatus::FormErr},
    {"1035 4.1.2 qtype is passed through",
     Wire().header(kId, kRd, 1, 0, 0, 0).name("a.com").u16(65).u16(kIn), ParseStatus::Ok, true,
     "a.com.", 65},

    // Opcodes (RFC 1035 section 4.1.1; RFC 1996; RFC 2136).
    {"1996 NOTIFY with a question parses", Wire().header(kId, opcode_flags(Opcode::Notify), 1, 0,
                                                         0, 0).name("a.com").u16(6).u16(kIn),
     ParseStatus::Ok, true, "a.com.", 6},
    {"1035 4.1.1 STATUS with QDCOUNT 0 parses without a question",
     Wire().header(kId, opcode_flags(Opcode::Status), 0, 0, 0, 0), ParseStatus::Ok, false},
    {"1035 4.1.1 STATUS with QDCOUNT 0 still reads its OPT",
     Wire().header(kId, opcode_flags(Opcode::Status), 0, 0, 0, 1).opt(1232), ParseStatus::Ok,
     false, "", kA, true, 1232},
    {"9619 IQUERY with QDCOUNT 2 is FORMERR",
     Wire().header(kId, opcode_flags(Opcode::IQuery), 2, 0, 0, 0), ParseStatus::FormErr},

    // Answer and authority sections are checked, then skipped (RFC 1035 section 4.1.3).
    {"1035 4.1.3 well-formed answer record skipped", [] {
       Wire w = query(1);
       return std::vector<uint8_t>(a_record(w));
     }(), ParseStatus::Ok, true, "example.com."},
    {"1035 4.1.3 ANCOUNT 1 with no record", query(1), ParseStatus::FormErr, true, "example.com."},
    {"1035 4.1.3 authority rdata past the end",
     query(0, 1).pointer(12).u16(kA).u16(kIn).u32(0).u16(10).raw({1, 2, 3, 4}),
     ParseStatus::FormErr, true, "example.com."},
    {"1035 4.1.3 authority owner with a forward pointer",
     query(0, 1).pointer(100).u16(kA).u16(kIn).u32(0).u16(0), ParseStatus::FormErr, true,
     "example.com."},
    {"1035 4.1.3 record cut inside its TTL", query(1).pointer(12).u16(kA).u16(kIn).u16(0),
     ParseStatus::FormErr, true, "example.com."},

    // EDNS(0) (RFC 6891).
    {"6891 6.1.2 OPT with payload 1232", query(0, 0, 1).opt(1232), ParseStatus::Ok, true,
     "example.com.", kA, true, 1232},
    {"6891 6.2.5 payload below 512 is raised to 512", query(0, 0, 1).opt(100), ParseStatus::Ok,
     true, "example.com.", kA, true, 512},
    {"6891 6.2.5 payload 0 is raised to 512", query(0, 0, 1).opt(0), ParseStatus::Ok, true,
     "example.com.", kA, true, 512},
    {"6891 6.1.3 version 1 is reported", query(0, 0, 1).opt(4096, 0x00010000), ParseStatus::Ok,
     true, "example.com.", kA, true, 4096, 1},
    {"3225 3 DO bit", query(0, 0, 1).opt(4096, kDo), ParseStatus::Ok, true, "example.com.", kA,
     true, 4096, 0, true},
    {"6891 6.1.3 extended rcode and Z bits ignored", query(0, 0, 1).opt(4096, 0xFF007FFF),
     ParseStatus::Ok, true, "example.com.", kA, true, 4096},
    {"6891 6.1.3 version 255 with DO", query(0, 0, 1).opt(1400, 0x00FF8000), ParseStatus::Ok,
     true, "example.com.", kA, true, 1400, 255, true},
    {"6891 6.1.2 OPT with a well-formed option (cookie)",
     query(0, 0, 1).u8(0).u16(kOpt).u16(1232).u32(0).u16(12).u16(10).u16(8).raw(
         {1, 2, 3, 4, 5, 6, 7, 8}),
     ParseStatus::Ok, true, "example.com.", kA, true, 1232},
    {"6891 6.1.2 option length past the rdata",
     query(0, 0, 1).u8(0).u16(kOpt).u16(1232).u32(0).u16(4).u16(10).u16(8).raw(
         {1, 2, 3, 4, 5, 6, 7, 8}),
     ParseStatus::FormErr, true, "example.com."},
    {"6891 6.1.2 option header cut short",
     query(0, 0, 1).u8(0).u16(kOpt).u16(1232).u32(0).u16(3).raw({0, 10, 0}), ParseStatus::FormErr,
     true, "example.com."},
    {"6891 6.1.1 two OPT records", query(0, 0, 2).opt(1232).opt(1232), ParseStatus::FormErr, true,
     "example.com.", kA, true, 1232},
    {"6891 6.1.1 OPT owner not the root",
     query(0, 0, 1).pointer(12).u16(kOpt).u16(1232).u32(0).u16(0), ParseStatus::FormErr, true,
     "example.com."},
    {"6891 6.1.1 OPT after another additional record", [] {
       Wire w = query(0, 0, 2);
       a_record(w).opt(2048);
       return std::vector<uint8_t>(w);
     }(), ParseStatus::Ok, true, "example.com.", kA, true, 2048},
    {"1035 4.1.3 ARCOUNT 1 with no record", query(0, 0, 1), ParseStatus::FormErr, true,
     "example.com."},
    {"6891 6.1.2 OPT rdata past the end", query(0, 0, 1).u8(0).u16(kOpt).u16(1232).u32(0).u16(8),
     ParseStatus::FormErr, true, "example.com."},

    // Trailing data.
    {"1035 4.1 bytes after the counted records are ignored", query().raw({0xDE, 0xAD, 0xBE}),
     ParseStatus::Ok, true, "example.com."},
    {"1035 4.1 an uncounted OPT is ignored", query().opt(4096), ParseStatus::Ok, true,
     "example.com."},
};

TEST(ParseQuery, Table) {
  for (const auto& c : kParse) {
    SCOPED_TRACE(c.label);
    ParsedQuery q;
    q.has_question = true;  // stale state must be cleared
    q.edns.present = true;
    ParseStatus status = parse_query(c.packet, q);
    EXPECT_EQ(status, c.want);
    if (status == ParseStatus::Drop) {
      continue;
    }
    EXPECT_EQ(q.header.id, kId);  // a FORMERR echoes the id
    EXPECT_EQ(q.has_question, c.has_question);
    if (c.has_question) {
      EXPECT_EQ(q.question.name.to_text(), c.qname);
      EXPECT_EQ(static_cast<uint16_t>(q.question.type), c.qtype);
      EXPECT_EQ(q.question.qclass, kIn);
    }
    EXPECT_EQ(q.edns.present, c.edns);
    if (c.edns) {
      EXPECT_EQ(q.edns.udp_size, c.udp_size);
      EXPECT_EQ(q.edns.version, c.version);
      EXPECT_EQ(q.edns.dnssec_ok, c.dnssec_ok);
    }
  }
}

TEST(ParseQuery, HeaderFieldsAndQuestionEnd) {
  std::vector<uint8_t> packet = query(0, 0, 1).opt(1232);
  ParsedQuery q;
  ASSERT_EQ(parse_query(packet, q), ParseStatus::Ok);
  EXPECT_EQ(q.header.flags, kRd);
  EXPECT_TRUE(q.header.rd());
  EXPECT_FALSE(q.header.qr());
  EXPECT_EQ(q.header.opcode(), Opcode::Query);
  EXPECT_EQ(q.header.qdcount, 1);
  EXPECT_EQ(q.header.arcount, 1);
  // 12 (header) + 13 (example.com) + 4 (type, class).
  EXPECT_EQ(q.question_end, 29u);
}

TEST(ParseQuery, NoEdnsDefaults) {
  std::vector<uint8_t> packet = query();
  ParsedQuery q;
  ASSERT_EQ(parse_query(packet, q), ParseStatus::Ok);
  EXPECT_FALSE(q.edns.present);
  EXPECT_EQ(q.edns.udp_size, 512);
}

// Every prefix of a valid query with EDNS is either dropped (no header) or FORMERR: never read
// past the end, never Ok with a record missing.
TEST(ParseQuery, EveryTruncationIsHandled) {
  std::vector<uint8_t> full = query(0, 0, 1).opt(1232);
  for (size_t n = 0; n < full.size(); ++n) {
    SCOPED_TRACE(n);
    std::vector<uint8_t> prefix(full.begin(), full.begin() + static_cast<long>(n));
    ParsedQuery q;
    ParseStatus want = n < 12 ? ParseStatus::Drop : ParseStatus::FormErr;
    EXPECT_EQ(parse_query(prefix, q), want);
  }
}

// ARCHITECTURE.md habit 4: parsing a query and writing its reply, with compression, mark, rollback
// and OPT, allocate nothing.
TEST(QueryPath, DoesNotAllocate) {
  std::vector<uint8_t> packet = query(0, 0, 1, "Www.Example.com").opt(1232, kDo);
  auto a = rdata::a({10, 0, 0, 1});
  auto cname = rdata::name(*Name::from_text("web.example.com"));
  auto soa = rdata::soa(*Name::from_text("ns.example.com"),
                        *Name::from_text("hostmaster.example.com"), 1, 2, 3, 4, 5);
  auto srv = rdata::srv(1, 2, 3, *Name::from_text("t.example.com"));
  static std::array<uint8_t, 65535> buf;
  Name web = *Name::from_text("web.example.com");
  Name apex = *Name::from_text("example.com");

  // The counter works: copying the packet allocates.
  size_t start = vmdns::testing::allocations();
  std::vector<uint8_t> copy = packet;
  ASSERT_GT(vmdns::testing::allocations(), start);

  size_t before = vmdns::testing::allocations();
  ParsedQuery q;
  ASSERT_EQ(parse_query(copy, q), ParseStatus::Ok);
  MessageWriter w(buf, q.edns.udp_size);
  w.header().id = q.header.id;
  w.reserve_tail(11);
  ASSERT_TRUE(w.write_question(q.question.name, q.question.type, q.question.qclass));
  ASSERT_TRUE(w.write_rr(Section::Answer, q.question.name, RrType::CNAME, 1, 60, cname));
  ASSERT_TRUE(w.write_rr(Section::Answer, web, RrType::A, 1, 60, a));
  auto mark = w.mark();
  ASSERT_TRUE(w.write_rr(Section::Authority, apex, RrType::SOA, 1, 60, soa));
  ASSERT_TRUE(w.write_rr(Section::Additional, apex, RrType::SRV, 1, 60, srv));
  w.rollback(mark);
  w.reserve_tail(0);
  ASSERT_TRUE(w.write_opt(1232, 0, 0, q.edns.dnssec_ok));
  size_t size = w.finish();
  size_t after = vmdns::testing::allocations();
  EXPECT_GT(size, 12u);
  EXPECT_EQ(after - before, 0u);
}

}  // namespace
}  // namespace vmdns::dns
