#include "dns/writer.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "dns/message_view.h"
#include "dns/rdata.h"
#include "dns/reader.h"
#include "unit/dns/wire_builder.h"

namespace vmdns::dns {
namespace {

using test::Wire;

constexpr uint16_t kIn = 1;

Name n(std::string_view text) {
  return *Name::from_text(text);
}

std::vector<uint8_t> bytes_of(const std::array<uint8_t, 65535>& buf, size_t size) {
  return std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<long>(size));
}

// The bytes after the 12-octet header, for comparing sections.
std::vector<uint8_t> body(const std::vector<uint8_t>& message) {
  return std::vector<uint8_t>(message.begin() + 12, message.end());
}

struct Fixture {
  std::array<uint8_t, 65535> buf{};
};

TEST(MessageWriter, QuestionAndAnswer) {
  Fixture f;
  MessageWriter w(f.buf, 512);
  w.header().id = 0x1234;
  w.header().flags = Header::kQr | Header::kAa | Header::kRd;
  ASSERT_TRUE(w.write_question(n("example.com"), RrType::A, kIn));
  ASSERT_TRUE(
      w.write_rr(Section::Answer, n("example.com"), RrType::A, kIn, 300, rdata::a({10, 0, 0, 1})));
  size_t size = w.finish();
  std::vector<uint8_t> want = Wire()
                                  .header(0x1234, 0x8500, 1, 1, 0, 0)
                                  .name("example.com")
                                  .u16(1)
                                  .u16(kIn)
                                  // RFC 1035 4.1.4: the owner is a pointer to the question.
                                  .pointer(12)
                                  .u16(1)
                                  .u16(kIn)
                                  .u32(300)
                                  .u16(4)
                                  .raw({10, 0, 0, 1});
  EXPECT_EQ(bytes_of(f.buf, size), want);
}

// RFC 1035 section 4.1.4: F.ISI.ARPA, then FOO.F.ISI.ARPA as FOO + pointer, then ARPA as a
// pointer alone, then the root uncompressed.
TEST(MessageWriter, Rfc1035Section414Example) {
  Fixture f;
  MessageWriter w(f.buf, 512);
  ASSERT_TRUE(w.write_question(n("F.ISI.ARPA"), RrType::A, kIn));
  ASSERT_TRUE(
      w.write_rr(Section::Answer, n("FOO.F.ISI.ARPA"), RrType::A, kIn, 0, rdata::a({1, 2, 3, 4})));
  ASSERT_TRUE(w.write_rr(Section::Answer, n("ARPA"), RrType::A, kIn, 0, rdata::a({1, 2, 3, 4})));
  ASSERT_TRUE(w.write_rr(Section::Answer, Name(), RrType::A, kIn, 0, rdata::a({1, 2, 3, 4})));
  size_t size = w.finish();
  auto rr_tail = [](Wire& x) -> Wire& { return x.u16(1).u16(kIn).u32(0).u16(4).raw({1, 2, 3, 4}); };
  Wire want;
  want.label("F").label("ISI").label("ARPA").u8(0).u16(1).u16(kIn);  // 12..27
  rr_tail(want.label("FOO").pointer(12));
  rr_tail(want.pointer(18));  // "ARPA" starts at 12 + 2 + 4
  rr_tail(want.u8(0));
  EXPECT_EQ(body(bytes_of(f.buf, size)), want.bytes());
}

struct CompressionCase {
  const char* label;
  const char* question;
  const char* owner;
  RrType type;
  std::vector<uint8_t> rdata;
  std::vector<uint8_t> want_rr;  // the record as written after the question
};

Wire rr(Wire owner, RrType type, const std::vector<uint8_t>& rdata_wire) {
  return owner.u16(static_cast<uint16_t>(type))
      .u16(kIn)
      .u32(60)
      .u16(static_cast<uint16_t>(rdata_wire.size()))
      .raw(rdata_wire);
}

const CompressionCase kCompression[] = {
    {"1035 4.1.4 owner equal to the question", "example.com", "example.com", RrType::A,
     rdata::a({1, 2, 3, 4}), rr(Wire().pointer(12), RrType::A, {1, 2, 3, 4})},
    {"1035 4.1.4 owner below the question", "example.com", "www.example.com", RrType::A,
     rdata::a({1, 2, 3, 4}), rr(Wire().label("www").pointer(12), RrType::A, {1, 2, 3, 4})},
    {"1035 4.1.4 owner sharing only the last label", "example.com", "other.com", RrType::A,
     rdata::a({1, 2, 3, 4}), rr(Wire().label("other").pointer(20), RrType::A, {1, 2, 3, 4})},
    {"1035 4.1.4 nothing in common", "example.com", "example.org", RrType::A,
     rdata::a({1, 2, 3, 4}), rr(Wire().name("example.org"), RrType::A, {1, 2, 3, 4})},
    {"4343 case-insensitive match", "Example.COM", "www.example.com", RrType::A,
     rdata::a({1, 2, 3, 4}), rr(Wire().label("www").pointer(12), RrType::A, {1, 2, 3, 4})},
    {"1035 3.3.1 CNAME target compressed", "www.example.com", "www.example.com", RrType::CNAME,
     rdata::name(n("web.example.com")),
     rr(Wire().pointer(12), RrType::CNAME, Wire().label("web").pointer(16))},
    {"1035 3.3.11 NS target compressed", "example.com", "example.com", RrType::NS,
     rdata::name(n("ns.example.com")),
     rr(Wire().pointer(12), RrType::NS, Wire().label("ns").pointer(12))},
    {"1035 3.3.12 PTR target compressed", "4.3.2.1.in-addr.arpa", "4.3.2.1.in-addr.arpa",
     RrType::PTR, rdata::name(n("host.arpa")),
     rr(Wire().pointer(12), RrType::PTR, Wire().label("host").pointer(28))},
    {"1035 3.3.13 SOA MNAME and RNAME compressed", "example.com", "example.com", RrType::SOA,
     rdata::soa(n("ns.dns.example.com"), n("hostmaster.example.com"), 1, 2, 3, 4, 5),
     rr(Wire().pointer(12), RrType::SOA,
        Wire()
            .label("ns")
            .label("dns")
            .pointer(12)
            .label("hostmaster")
            .pointer(12)
            .u32(1)
            .u32(2)
            .u32(3)
            .u32(4)
            .u32(5))},
    {"2782 SRV target never compressed", "_http._tcp.example.com", "_http._tcp.example.com",
     RrType::SRV, rdata::srv(0, 10, 80, n("www.example.com")),
     rr(Wire().pointer(12), RrType::SRV, Wire().u16(0).u16(10).u16(80).name("www.example.com"))},
    {"3597 4 names in other types (MX) left alone", "example.com", "example.com", RrType::MX,
     Wire().u16(10).name("mail.example.com"),
     rr(Wire().pointer(12), RrType::MX, Wire().u16(10).name("mail.example.com"))},
    {"3597 4 unknown type rdata copied", "example.com", "example.com", static_cast<RrType>(65),
     Wire().name("example.com"),
     rr(Wire().pointer(12), static_cast<RrType>(65), Wire().name("example.com"))},
    {"1035 3.3.1 malformed CNAME rdata copied as is",
     "example.com",
     "example.com",
     RrType::CNAME,
     {3, 'a', 'b'},
     rr(Wire().pointer(12), RrType::CNAME, {3, 'a', 'b'})},
    {"1035 3.3.13 SOA rdata with a short tail copied as is", "example.com", "example.com",
     RrType::SOA, Wire().name("example.com").name("example.com").u32(1),
     rr(Wire().pointer(12), RrType::SOA, Wire().name("example.com").name("example.com").u32(1))},
};

TEST(MessageWriterCompression, Table) {
  for (const auto& c : kCompression) {
    SCOPED_TRACE(c.label);
    Fixture f;
    MessageWriter w(f.buf, 512);
    ASSERT_TRUE(w.write_question(n(c.question), RrType::A, kIn));
    size_t question_end = w.size();
    ASSERT_TRUE(w.write_rr(Section::Answer, n(c.owner), c.type, kIn, 60, c.rdata));
    size_t size = w.finish();
    std::vector<uint8_t> message = bytes_of(f.buf, size);
    std::vector<uint8_t> got(message.begin() + static_cast<long>(question_end), message.end());
    EXPECT_EQ(got, c.want_rr);
  }
}

// The names a writer compresses must read back, with our own strict reader, as written.
TEST(MessageWriterCompression, ReadsBack) {
  Fixture f;
  MessageWriter w(f.buf, 4096);
  ASSERT_TRUE(w.write_question(n("Svc.Example.com"), RrType::ANY, kIn));
  ASSERT_TRUE(w.write_rr(Section::Answer, n("svc.example.com"), RrType::CNAME, kIn, 1,
                         rdata::name(n("a.b.svc.example.com"))));
  ASSERT_TRUE(w.write_rr(Section::Answer, n("a.b.svc.example.com"), RrType::SRV, kIn, 1,
                         rdata::srv(1, 2, 3, n("t.b.svc.example.com"))));
  ASSERT_TRUE(w.write_rr(Section::Authority, n("example.com"), RrType::SOA, kIn, 1,
                         rdata::soa(n("ns.example.com"), n("h.example.com"), 1, 2, 3, 4, 5)));
  ASSERT_TRUE(w.write_rr(Section::Additional, n("t.b.svc.example.com"), RrType::A, kIn, 1,
                         rdata::a({1, 2, 3, 4})));
  size_t size = w.finish();
  std::vector<uint8_t> message = bytes_of(f.buf, size);
  Reader r(message, 12);
  const char* want[] = {"Svc.Example.com.",     "Svc.Example.com.", "a.b.Svc.Example.com.",
                        "a.b.Svc.Example.com.", "Example.com.",     "t.b.Svc.Example.com."};
  Name name;
  uint16_t u16 = 0;
  ASSERT_TRUE(r.read_name(name));
  EXPECT_EQ(name.to_text(), want[0]);
  ASSERT_TRUE(r.skip(4));
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(r.read_name(name));
    uint16_t type = 0;
    uint16_t length = 0;
    ASSERT_TRUE(r.read_u16(type) && r.read_u16(u16) && r.skip(4) && r.read_u16(length));
    size_t rdata_end = r.offset() + length;
    if (i == 0) {
      EXPECT_EQ(name.to_text(), want[1]);
      ASSERT_TRUE(r.read_name(name));
      EXPECT_EQ(name.to_text(), want[2]);
    } else if (i == 1) {
      EXPECT_EQ(name.to_text(), want[3]);
      // The SRV target was written whole, in its own case.
      ASSERT_TRUE(r.skip(6) && r.read_name(name));
      EXPECT_EQ(name.to_text(), "t.b.svc.example.com.");
      EXPECT_EQ(length, 6 + n("t.b.svc.example.com").wire_length());
    } else if (i == 2) {
      EXPECT_EQ(name.to_text(), want[4]);
      ASSERT_TRUE(r.read_name(name));
      EXPECT_EQ(name.to_text(), "ns.Example.com.");
      ASSERT_TRUE(r.read_name(name));
      EXPECT_EQ(name.to_text(), "h.Example.com.");
    } else {
      // Compressed against the question, not against the SRV target (which is not registered).
      EXPECT_EQ(name.to_text(), want[5]);
    }
    ASSERT_LE(r.offset(), rdata_end);
    ASSERT_TRUE(r.skip(rdata_end - r.offset()));
  }
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(MessageWriterCompression, SrvTargetIsNotAPointerTarget) {
  Fixture f;
  MessageWriter w(f.buf, 512);
  ASSERT_TRUE(w.write_question(n("_x._tcp.example.com"), RrType::SRV, kIn));
  ASSERT_TRUE(w.write_rr(Section::Answer, n("_x._tcp.example.com"), RrType::SRV, kIn, 1,
                         rdata::srv(1, 2, 3, n("target.host.test"))));
  size_t before = w.size();
  ASSERT_TRUE(w.write_rr(Section::Additional, n("target.host.test"), RrType::A, kIn, 1,
                         rdata::a({1, 2, 3, 4})));
  // Written whole: 18 octets of name + 10 fixed + 4 rdata.
  EXPECT_EQ(w.size() - before, n("target.host.test").wire_length() + 14);
}

TEST(MessageWriter, TruncationLeavesNoPartialRecord) {
  Fixture f;
  MessageWriter w(f.buf, 512);
  w.header().id = 7;
  ASSERT_TRUE(w.write_question(n("many.example.com"), RrType::A, kIn));
  int written = 0;
  size_t size_before_failure = 0;
  while (true) {
    size_before_failure = w.size();
    std::array<uint8_t, 4> address = {10, 0, static_cast<uint8_t>(written >> 8),
                                      static_cast<uint8_t>(written)};
    if (!w.write_rr(Section::Answer, n("many.example.com"), RrType::A, kIn, 5, rdata::a(address))) {
      break;
    }
    ++written;
  }
  // 12 + 22 (question) + n * 16 <= 512.
  EXPECT_EQ(written, (512 - 12 - 22) / 16);
  EXPECT_EQ(w.size(), size_before_failure);
  EXPECT_LE(w.size(), 512u);
  w.set_truncated();
  size_t size = w.finish();
  std::vector<uint8_t> message = bytes_of(f.buf, size);
  EXPECT_EQ(message[2] & 0x02, 0x02);  // TC (RFC 1035 section 4.1.1)
  EXPECT_EQ((message[6] << 8) | message[7], written);
}

// RFC 2181 section 9 / NSD truncation_mark: an RRset is written whole or rolled back whole.
TEST(MessageWriter, MarkAndRollback) {
  Fixture f;
  MessageWriter w(f.buf, 100);
  ASSERT_TRUE(w.write_question(n("example.com"), RrType::A, kIn));  // 12 + 17 = 29
  auto m = w.mark();
  ASSERT_TRUE(w.write_rr(Section::Answer, n("a.example.com"), RrType::A, kIn, 1,
                         rdata::a({1, 1, 1, 1})));  // 4 + 10 + 4 = 18 -> 47
  ASSERT_TRUE(w.write_rr(Section::Authority, n("b.c.d"), RrType::A, kIn, 1,
                         rdata::a({1, 1, 1, 1})));  // 7 + 14 = 21 -> 68
  ASSERT_TRUE(w.write_rr(Section::Additional, n("e.b.c.d"), RrType::A, kIn, 1,
                         rdata::a({1, 1, 1, 1})));  // 2 + 2 + 14 = 18 -> 86
  EXPECT_FALSE(w.write_rr(Section::Additional, n("f.b.c.d"), RrType::A, kIn, 1,
                          rdata::a({1, 1, 1, 1})));  // 18 more does not fit in 100
  EXPECT_EQ(w.size(), 86u);
  w.rollback(m);
  EXPECT_EQ(w.size(), 29u);
  size_t size = w.finish();
  std::vector<uint8_t> message = bytes_of(f.buf, size);
  EXPECT_EQ(message, Wire().header(0, 0, 1, 0, 0, 0).name("example.com").u16(1).u16(kIn).bytes());

  // The compression entries for b.c.d are gone too: b.c.d now goes out in full.
  MessageWriter fresh(f.buf, 100);
  ASSERT_TRUE(fresh.write_question(n("example.com"), RrType::A, kIn));
  size_t before = fresh.size();
  ASSERT_TRUE(
      fresh.write_rr(Section::Answer, n("b.c.d"), RrType::A, kIn, 1, rdata::a({1, 1, 1, 1})));
  EXPECT_EQ(fresh.size() - before, 21u);
}

TEST(MessageWriter, FailedRecordRestoresCompressionTable) {
  Fixture f;
  MessageWriter w(f.buf, 512);
  ASSERT_TRUE(w.write_question(n("example.com"), RrType::A, kIn));  // -> 29
  // Room for the owner "x.new.test" (12) and the fixed fields, not for 100 octets of rdata.
  w.reserve_tail(512 - 29 - 12 - 10 - 50);
  std::vector<uint8_t> big(100, 0xAB);
  EXPECT_FALSE(w.write_rr(Section::Answer, n("x.new.test"), static_cast<RrType>(65), kIn, 1, big));
  EXPECT_EQ(w.size(), 29u);
  w.reserve_tail(0);
  // Had the table kept "new.test" at offset 31, this would be "y" + a pointer into garbage.
  ASSERT_TRUE(
      w.write_rr(Section::Answer, n("y.new.test"), RrType::A, kIn, 1, rdata::a({1, 2, 3, 4})));
  size_t size = w.finish();
  std::vector<uint8_t> message = bytes_of(f.buf, size);
  std::vector<uint8_t> want = Wire()
                                  .header(0, 0, 1, 1, 0, 0)
                                  .name("example.com")
                                  .u16(1)
                                  .u16(kIn)
                                  .name("y.new.test")
                                  .u16(1)
                                  .u16(kIn)
                                  .u32(1)
                                  .u16(4)
                                  .raw({1, 2, 3, 4});
  EXPECT_EQ(message, want);
  // And it parses.
  Reader r(message, 29);
  Name owner;
  ASSERT_TRUE(r.read_name(owner));
  EXPECT_EQ(owner.to_text(), "y.new.test.");
}

TEST(MessageWriter, FailedQuestionWritesNothing) {
  Fixture f;
  MessageWriter w(f.buf, 20);
  EXPECT_FALSE(w.write_question(n("example.com"), RrType::A, kIn));  // 17 > 8
  EXPECT_EQ(w.size(), 12u);
  EXPECT_EQ(w.finish(), 12u);
  EXPECT_EQ(bytes_of(f.buf, 12), Wire().header(0, 0, 0, 0, 0, 0).bytes());
}

TEST(MessageWriter, OnlyOneQuestion) {
  Fixture f;
  MessageWriter w(f.buf, 512);
  ASSERT_TRUE(w.write_question(n("a.com"), RrType::A, kIn));
  EXPECT_FALSE(w.write_question(n("b.com"), RrType::A, kIn));
  w.finish();
  EXPECT_EQ(f.buf[5], 1);  // QDCOUNT
}

TEST(MessageWriter, RollbackBeforeTheQuestionClearsQdcount) {
  Fixture f;
  MessageWriter w(f.buf, 512);
  auto m = w.mark();
  ASSERT_TRUE(w.write_question(n("a.com"), RrType::A, kIn));
  w.rollback(m);
  EXPECT_EQ(w.finish(), 12u);
  EXPECT_EQ(f.buf[5], 0);
  ASSERT_TRUE(w.write_question(n("b.com"), RrType::A, kIn));
  EXPECT_EQ(w.finish(), 12u + 7 + 4);
  EXPECT_EQ(f.buf[5], 1);
}

TEST(MessageWriter, FinishOverridesHeaderCounts) {
  Fixture f;
  MessageWriter w(f.buf, 512);
  w.header().qdcount = 9;
  w.header().ancount = 9;
  w.header().arcount = 9;
  EXPECT_EQ(w.finish(), 12u);
  EXPECT_EQ(bytes_of(f.buf, 12), Wire().header(0, 0, 0, 0, 0, 0).bytes());
}

// RFC 6891 section 6.1.2 and 6.1.3: root owner, type 41, class = payload size,
// TTL = extended rcode | version | DO.
TEST(MessageWriter, WriteOpt) {
  Fixture f;
  MessageWriter w(f.buf, 512);
  ASSERT_TRUE(w.write_question(n("a.com"), RrType::A, kIn));
  size_t before = w.size();
  ASSERT_TRUE(w.write_opt(1232, static_cast<uint16_t>(Rcode::BadVers) >> 4, 0, true));
  size_t size = w.finish();
  std::vector<uint8_t> message = bytes_of(f.buf, size);
  std::vector<uint8_t> opt(message.begin() + static_cast<long>(before), message.end());
  EXPECT_EQ(opt, Wire().opt(1232, 0x01008000).bytes());
  EXPECT_EQ(message[11], 1);  // ARCOUNT

  ParsedQuery q;
  message[2] &= 0x7F;  // parse it as a query to check the fields round-trip
  ASSERT_EQ(parse_query(message, q), ParseStatus::Ok);
  EXPECT_TRUE(q.edns.present);
  EXPECT_EQ(q.edns.udp_size, 1232);
  EXPECT_TRUE(q.edns.dnssec_ok);
}

TEST(MessageWriter, TailReserveKeepsRoomForOpt) {
  Fixture f;
  MessageWriter w(f.buf, 512);
  ASSERT_TRUE(w.write_question(n("example.com"), RrType::A, kIn));
  w.reserve_tail(11);
  while (w.write_rr(Section::Answer, n("example.com"), RrType::A, kIn, 1, rdata::a({1, 2, 3, 4}))) {
  }
  EXPECT_LE(w.size(), 512u - 11);
  EXPECT_GT(w.size() + 16, 512u - 11);
  // write_opt ignores the reserve: it is what the reserve is for.
  EXPECT_TRUE(w.write_opt(4096, 0, 0, false));
  EXPECT_LE(w.size(), 512u);
}

TEST(MessageWriter, OptNeedsRoomWithinTheLimit) {
  Fixture f;
  MessageWriter w(f.buf, 22);
  EXPECT_FALSE(w.write_opt(4096, 0, 0, false));  // 12 + 11 = 23 > 22
  EXPECT_EQ(w.size(), 12u);
  MessageWriter w2(f.buf, 23);
  EXPECT_TRUE(w2.write_opt(4096, 0, 0, false));
  EXPECT_EQ(w2.remaining(), 0u);
}

TEST(MessageWriter, LimitIsClampedToTheBuffer) {
  std::array<uint8_t, 40> small{};
  MessageWriter w(small, 65535);
  EXPECT_EQ(w.remaining(), 28u);
  ASSERT_TRUE(w.write_question(n("example.com"), RrType::A, kIn));  // 17 -> 29
  EXPECT_FALSE(w.write_rr(Section::Answer, n("example.com"), RrType::A, kIn, 1,
                          rdata::a({1, 2, 3, 4})));  // 16 > 11
  EXPECT_EQ(w.finish(), 29u);
}

TEST(MessageWriter, BufferSmallerThanAHeader) {
  std::array<uint8_t, 8> tiny{};
  MessageWriter w(tiny, 512);
  EXPECT_EQ(w.remaining(), 0u);
  EXPECT_FALSE(w.write_question(Name(), RrType::A, kIn));
  EXPECT_FALSE(w.write_opt(512, 0, 0, false));
  EXPECT_EQ(w.finish(), 0u);
}

// RFC 1035 section 4.1.4: a pointer holds 14 bits, so names past offset 0x3FFF cannot be
// pointed at and are written whole every time.
TEST(MessageWriterCompression, NamesPast16KiBAreNotPointerTargets) {
  static std::array<uint8_t, 65535> buf{};
  MessageWriter w(buf, 65535);
  ASSERT_TRUE(w.write_question(n("q.test"), RrType::A, kIn));
  std::vector<uint8_t> filler(1000, 0);
  while (w.size() < 0x4000) {
    ASSERT_TRUE(w.write_rr(Section::Answer, n("q.test"), static_cast<RrType>(65), kIn, 1, filler));
  }
  size_t first = w.size();
  ASSERT_TRUE(
      w.write_rr(Section::Answer, n("far.away"), RrType::A, kIn, 1, rdata::a({1, 2, 3, 4})));
  size_t second = w.size();
  ASSERT_TRUE(
      w.write_rr(Section::Answer, n("far.away"), RrType::A, kIn, 1, rdata::a({1, 2, 3, 4})));
  EXPECT_EQ(second - first, w.size() - second);  // both whole
  EXPECT_EQ(second - first, n("far.away").wire_length() + 14);
  // But the question, below 0x4000, still is a target.
  size_t third = w.size();
  ASSERT_TRUE(w.write_rr(Section::Answer, n("q.test"), RrType::A, kIn, 1, rdata::a({1, 2, 3, 4})));
  EXPECT_EQ(w.size() - third, 2u + 14);
}

}  // namespace
}  // namespace vmdns::dns
