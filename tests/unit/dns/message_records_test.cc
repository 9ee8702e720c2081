// MessageView over whole messages: the sections of responses, names read through compression
// pointers, and malformed input reported as an error state.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/message_view.h"
#include "dns/rdata.h"
#include "testing/allocation_counter.h"
#include "unit/dns/wire_builder.h"

namespace vmdns::dns {
namespace {

using test::Wire;

constexpr uint16_t kId = 0x4A4A;
constexpr uint16_t kResponse = 0x8180;  // QR, RD, RA, NOERROR
constexpr uint16_t kA = 1;
constexpr uint16_t kNs = 2;
constexpr uint16_t kCname = 5;
constexpr uint16_t kMx = 15;
constexpr uint16_t kOpt = 41;
constexpr uint16_t kIn = 1;

// RFC 1035 section 4.1.4's example names in a response: the question F.ISI.ARPA at offset 12,
// an answer owned by FOO.F.ISI.ARPA (FOO then a pointer to 12), an authority record owned by
// ARPA (a pointer to 18, the ARPA label inside the question) with an NS rdata that points back
// too, and an OPT.
std::vector<uint8_t> rfc1035_response() {
  Wire w;
  w.header(kId, kResponse, 1, 2, 1, 1);
  w.label("F").label("ISI").label("ARPA").u8(0).u16(kA).u16(kIn);                   // 12..27
  w.label("FOO").pointer(12).u16(kA).u16(kIn).u32(3600).u16(4).raw({10, 0, 0, 1});  // 28..47
  w.pointer(12).u16(kCname).u16(kIn).u32(60).u16(4).label("W").pointer(12);         // 48..63
  w.pointer(18).u16(kNs).u16(kIn).u32(86400).u16(5).label("NS").pointer(12);        // 64..80
  w.opt(1232, 0x00008000);                                                          // 81..91
  return w;
}

struct Want {
  Section section;
  std::string owner;
  RrType type;
  uint32_t ttl;
  size_t offset;
  size_t rdata_offset;
  size_t rdlength;
};

TEST(MessageView, SectionsOfACompressedResponse) {
  std::vector<uint8_t> packet = rfc1035_response();
  MessageView m(packet);
  ASSERT_TRUE(m.ok()) << message_error_text(m.error());
  EXPECT_EQ(m.header().id, kId);
  EXPECT_TRUE(m.header().qr());
  EXPECT_TRUE(m.header().ra());
  ASSERT_TRUE(m.has_question());
  EXPECT_EQ(m.question().name.to_text(), "F.ISI.ARPA.");
  EXPECT_EQ(m.question().type, RrType::A);
  EXPECT_EQ(m.question_end(), 28u);
  EXPECT_EQ(m.records_end(), packet.size());

  const Want want[] = {
      {Section::Answer, "FOO.F.ISI.ARPA.", RrType::A, 3600, 28, 44, 4},
      {Section::Answer, "F.ISI.ARPA.", RrType::CNAME, 60, 48, 60, 4},
      {Section::Authority, "ARPA.", RrType::NS, 86400, 64, 76, 5},
      {Section::Additional, ".", RrType::OPT, 0x8000, 81, 92, 0},
  };
  size_t i = 0;
  for (const RecordView& rr : m.records()) {
    ASSERT_LT(i, std::size(want));
    SCOPED_TRACE(i);
    Name owner;
    ASSERT_TRUE(rr.read_owner(owner));
    EXPECT_EQ(rr.section, want[i].section);
    EXPECT_EQ(owner.to_text(), want[i].owner);
    EXPECT_EQ(rr.type, want[i].type);
    EXPECT_EQ(rr.ttl, want[i].ttl);
    EXPECT_EQ(rr.offset, want[i].offset);
    EXPECT_EQ(rr.rdata_offset(), want[i].rdata_offset);
    EXPECT_EQ(rr.rdata.size(), want[i].rdlength);
    EXPECT_EQ(rr.ttl_offset(), rr.rdata_offset() - 6);
    EXPECT_EQ(rr.bytes().size(), rr.end() - rr.offset);
    ++i;
  }
  EXPECT_EQ(i, std::size(want));
  EXPECT_EQ(m.answer().size(), 2u);
  EXPECT_EQ(m.authority().size(), 1u);
  EXPECT_EQ(m.additional().size(), 1u);
  size_t authority = 0;
  for (const RecordView& rr : m.authority()) {
    EXPECT_EQ(rr.type, RrType::NS);
    // The NS name in the rdata, NS then a pointer to the question: NS.F.ISI.ARPA.
    Reader r = rr.rdata_reader();
    Name ns;
    ASSERT_TRUE(r.read_name(ns));
    EXPECT_EQ(ns.to_text(), "NS.F.ISI.ARPA.");
    EXPECT_EQ(r.remaining(), 0u);
    ++authority;
  }
  EXPECT_EQ(authority, 1u);
  EXPECT_TRUE(m.edns().present);
  EXPECT_TRUE(m.edns().dnssec_ok);
  EXPECT_EQ(m.edns().udp_size, 1232);
  EXPECT_EQ(m.opt_offset(), 81u);
  EXPECT_EQ(m.opt_error(), OptError::None);
  EXPECT_EQ(m.rcode(), 0);
}

// RFC 6891 section 6.1.3: the extended rcode sits above the header's four bits (BADVERS is 16:
// 1 in the OPT, 0 in the header); section 6.1.2: options follow each other in the rdata.
TEST(MessageView, OptWithOptionsAndExtendedRcode) {
  Wire w;
  w.header(kId, 0x8000, 1, 0, 0, 1).name("example.com").u16(kA).u16(kIn);
  // NSID (RFC 5001, code 3) empty, then a client COOKIE (RFC 7873, code 10) of 8 octets.
  w.u8(0).u16(kOpt).u16(4096).u32(0x01008000).u16(4 + 12);
  w.u16(3).u16(0).u16(10).u16(8).raw({1, 2, 3, 4, 5, 6, 7, 8});
  std::vector<uint8_t> packet = w;
  MessageView m(packet);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m.opt_error(), OptError::None);
  const Edns& e = m.edns();
  ASSERT_TRUE(e.present);
  EXPECT_EQ(e.udp_size, 4096);
  EXPECT_EQ(e.extended_rcode, 1);
  EXPECT_EQ(e.version, 0);
  EXPECT_TRUE(e.dnssec_ok);
  EXPECT_EQ(m.rcode(), static_cast<uint16_t>(Rcode::BadVers));
  std::vector<uint16_t> codes;
  for (const EdnsOption& o : EdnsOptions(e.options)) {
    codes.push_back(o.code);
  }
  EXPECT_EQ(codes, (std::vector<uint16_t>{3, 10}));
  auto cookie = EdnsOptions(e.options).find(10);
  ASSERT_TRUE(cookie);
  EXPECT_EQ(std::vector<uint8_t>(cookie->begin(), cookie->end()),
            (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_FALSE(EdnsOptions(e.options).find(12));
}

struct BadCase {
  const char* label;
  std::vector<uint8_t> packet;
  MessageError want;
  size_t records_before = 0;  // records that parsed before the error
};

Wire header_and_question(uint16_t an, uint16_t ns, uint16_t ar) {
  Wire w;
  w.header(kId, kResponse, 1, an, ns, ar).name("a.example").u16(kA).u16(kIn);
  return w;
}

Wire& a_record(Wire& w) {
  return w.pointer(12).u16(kA).u16(kIn).u32(60).u16(4).raw({192, 0, 2, 1});
}

Wire with_a(Wire w) {
  return a_record(w);
}

const BadCase kBad[] = {
    {"1035 4.1.1 no header", Wire().u16(kId).u16(0), MessageError::Short},
    {"9619 two questions",
     Wire()
         .header(kId, kResponse, 2, 0, 0, 0)
         .name("a.")
         .u16(kA)
         .u16(kIn)
         .name("b.")
         .u16(kA)
         .u16(kIn),
     MessageError::QuestionCount},
    {"1035 4.1.2 question cut in its class", Wire().header(kId, 0, 1, 0, 0, 0).name("a.").u16(1),
     MessageError::Question},
    {"1035 4.1.4 question pointing forward",
     Wire().header(kId, 0, 1, 0, 0, 0).pointer(14).name("a.").u16(kA).u16(kIn),
     MessageError::Question},
    {"1035 4.1.1 ANCOUNT larger than the records", with_a(header_and_question(2, 0, 0)).bytes(),
     MessageError::Answer, 1},
    {"1035 4.1.3 rdata past the end",
     header_and_question(1, 0, 0).pointer(12).u16(kA).u16(kIn).u32(60).u16(5).raw({1, 2, 3, 4}),
     MessageError::Answer},
    {"1035 4.1.3 TTL cut short", header_and_question(0, 1, 0).pointer(12).u16(kA).u16(kIn).u16(0),
     MessageError::Authority},
    {"1035 4.1.4 owner pointing at itself",
     with_a(header_and_question(1, 0, 1)).pointer(43).u16(kA).u16(kIn).u32(0).u16(0),
     MessageError::Additional, 1},
    {"1035 4.1.4 owner pointing forward",
     header_and_question(2, 0, 0)
         .pointer(33)
         .u16(kA)
         .u16(kIn)
         .u32(0)
         .u16(0)
         .pointer(27)
         .u16(kA)
         .u16(kIn)
         .u32(0)
         .u16(0),
     MessageError::Answer},
    {"6891 5 extended label type 0x40",
     header_and_question(1, 0, 0).u8(0x41).u8('x').u8(0).u16(kA).u16(kIn).u32(0).u16(0),
     MessageError::Answer},
    {"1035 3.1 owner over 255 octets",
     header_and_question(1, 0, 0)
         .label(test::repeat('a', 63))
         .label(test::repeat('b', 63))
         .label(test::repeat('c', 63))
         .label(test::repeat('d', 63))
         .u8(0)
         .u16(kA)
         .u16(kIn)
         .u32(0)
         .u16(0),
     MessageError::Answer},
};

TEST(MessageView, MalformedInputIsAnErrorState) {
  for (const auto& c : kBad) {
    SCOPED_TRACE(c.label);
    MessageView m(c.packet);
    EXPECT_FALSE(m.ok());
    EXPECT_EQ(m.error(), c.want);
    EXPECT_NE(std::string(message_error_text(m.error())), "well formed");
    size_t parsed = 0;
    for (const RecordView& rr : m.records()) {
      Name owner;
      EXPECT_TRUE(rr.read_owner(owner));
      EXPECT_LE(rr.end(), c.packet.size());
      ++parsed;
    }
    EXPECT_EQ(parsed, c.records_before);
    if (c.want != MessageError::Short) {
      EXPECT_EQ(m.header().id, kId);
    }
    if (c.want >= MessageError::Answer) {
      EXPECT_TRUE(m.has_question());
      EXPECT_GE(m.error_offset(), m.question_end());
    }
  }
}

struct OptCase {
  const char* label;
  std::vector<uint8_t> packet;
  OptError want;
  bool present;
};

const OptCase kOptCases[] = {
    {"6891 6.1.1 OPT owned by a name",
     header_and_question(0, 0, 1).name("a.").u16(kOpt).u16(1232).u32(0).u16(0), OptError::NotRoot,
     false},
    {"6891 6.1.1 OPT owned by a pointer to the root",
     header_and_question(0, 0, 1).pointer(22).u16(kOpt).u16(1232).u32(0).u16(0), OptError::None,
     true},
    {"6891 6.1.1 two OPTs", header_and_question(0, 0, 2).opt(1232).opt(4096), OptError::Duplicate,
     true},
    {"6891 6.1.2 option longer than the rdata",
     header_and_question(0, 0, 1).u8(0).u16(kOpt).u16(1232).u32(0).u16(6).u16(10).u16(8).u16(0),
     OptError::BadOptions, false},
    {"6891 6.1.2 stray octets after the options",
     header_and_question(0, 0, 1).u8(0).u16(kOpt).u16(1232).u32(0).u16(5).u16(3).u16(0).u8(0),
     OptError::BadOptions, false},
    {"6891 6.1.1 an OPT outside the additional section is a record like any other",
     header_and_question(1, 0, 0).opt(1232), OptError::None, false},
};

TEST(MessageView, OptProblemsLeaveTheMessageReadable) {
  for (const auto& c : kOptCases) {
    SCOPED_TRACE(c.label);
    MessageView m(c.packet);
    EXPECT_TRUE(m.ok()) << message_error_text(m.error());
    EXPECT_EQ(m.opt_error(), c.want);
    EXPECT_EQ(m.edns().present, c.present);
    ParsedQuery q;
    std::vector<uint8_t> query = c.packet;
    query[2] &= 0x7F;  // parse_query reads queries only
    EXPECT_EQ(parse_query(query, q),
              c.want == OptError::None ? ParseStatus::Ok : ParseStatus::FormErr);
  }
}

// Every prefix of a valid response is an error state that keeps what parsed before the cut, and
// the whole message is the only one that is ok.
TEST(MessageView, EveryTruncationIsAnError) {
  std::vector<uint8_t> full = rfc1035_response();
  size_t previous = 0;
  for (size_t n = 0; n <= full.size(); ++n) {
    SCOPED_TRACE(n);
    std::vector<uint8_t> prefix(full.begin(), full.begin() + static_cast<long>(n));
    MessageView m(prefix);
    EXPECT_EQ(m.ok(), n == full.size());
    size_t parsed = m.records().size();
    EXPECT_GE(parsed, previous);
    previous = parsed;
    for (const RecordView& rr : m.records()) {
      EXPECT_LE(rr.end(), n);
    }
  }
  EXPECT_EQ(previous, 4u);
}

TEST(MessageView, NoQuestion) {
  std::vector<uint8_t> packet = Wire()
                                    .header(kId, kResponse, 0, 1, 0, 0)
                                    .name("b.")
                                    .u16(kA)
                                    .u16(kIn)
                                    .u32(5)
                                    .u16(4)
                                    .raw({192, 0, 2, 2});
  MessageView m(packet);
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m.has_question());
  EXPECT_EQ(m.question_end(), kHeaderSize);
  ASSERT_EQ(m.answer().size(), 1u);
  Name owner;
  ASSERT_TRUE(m.answer().begin()->read_owner(owner));
  EXPECT_EQ(owner.to_text(), "b.");
}

TEST(MessageView, ReadingAResponseDoesNotAllocate) {
  std::vector<uint8_t> packet = rfc1035_response();
  size_t before = vmdns::testing::allocations();
  MessageView m(packet);
  size_t ttls = 0;
  for (const RecordView& rr : m.records()) {
    Name owner;
    rr.read_owner(owner);
    ttls += rr.ttl;
  }
  for (const EdnsOption& o : EdnsOptions(m.edns().options)) {
    ttls += o.code;
  }
  EXPECT_EQ(vmdns::testing::allocations(), before);
  EXPECT_GT(ttls, 0u);
}

TEST(MessageView, MxAndRecordsAfterTheQuestionName) {
  // A NOERROR with an MX whose exchange is compressed against the question.
  std::vector<uint8_t> packet = header_and_question(1, 0, 0)
                                    .pointer(12)
                                    .u16(kMx)
                                    .u16(kIn)
                                    .u32(300)
                                    .u16(7)
                                    .u16(10)
                                    .label("mx")
                                    .pointer(12);
  MessageView m(packet);
  ASSERT_TRUE(m.ok());
  for (const RecordView& rr : m.answer()) {
    Reader r = rr.rdata_reader();
    uint16_t preference = 0;
    Name exchange;
    ASSERT_TRUE(r.read_u16(preference) && r.read_name(exchange));
    EXPECT_EQ(preference, 10);
    EXPECT_EQ(exchange.to_text(), "mx.a.example.");
  }
}

}  // namespace
}  // namespace vmdns::dns
