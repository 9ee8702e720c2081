#include "dns/reader.h"

#include <gtest/gtest.h>

#include <vector>

#include "unit/dns/wire_builder.h"

namespace vmdns::dns {
namespace {

using test::repeat;
using test::Wire;

TEST(Reader, IntegersAreBigEndianAndBounded) {
  std::vector<uint8_t> bytes = {0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE};
  Reader r(bytes);
  uint8_t u8 = 0;
  uint16_t u16 = 0;
  uint32_t u32 = 0;
  ASSERT_TRUE(r.read_u8(u8));
  EXPECT_EQ(u8, 0x12);
  ASSERT_TRUE(r.read_u16(u16));
  EXPECT_EQ(u16, 0x3456);
  ASSERT_TRUE(r.read_u32(u32));
  EXPECT_EQ(u32, 0x789ABCDEu);
  EXPECT_EQ(r.offset(), 7u);
  EXPECT_FALSE(r.read_u8(u8));
}

TEST(Reader, ReadsStopAtTheEnd) {
  std::vector<uint8_t> bytes = {1, 2, 3, 4, 5};
  Reader r(bytes);
  uint32_t u32 = 0;
  ASSERT_TRUE(r.read_u32(u32));
  EXPECT_EQ(u32, 0x01020304u);
  uint16_t u16 = 0;
  EXPECT_FALSE(r.read_u16(u16));
  EXPECT_EQ(r.offset(), 4u);  // a failed read does not move the cursor
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_FALSE(r.skip(2));
  EXPECT_TRUE(r.skip(1));
  uint8_t u8 = 0;
  EXPECT_FALSE(r.read_u8(u8));
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(Reader, CursorPastTheEnd) {
  std::vector<uint8_t> bytes = {0};
  Reader r(bytes, 5);
  EXPECT_EQ(r.remaining(), 0u);
  uint8_t u8 = 0;
  EXPECT_FALSE(r.read_u8(u8));
  Name name;
  EXPECT_FALSE(r.read_name(name));
  EXPECT_FALSE(r.skip_name());
}

// RFC 1035 section 4.1.4: F.ISI.ARPA at 20, FOO.F.ISI.ARPA at 40 as FOO + a pointer to 20,
// ARPA at 64 as a pointer to 26, and the root at 92.
std::vector<uint8_t> rfc1035_example() {
  Wire w;
  w.pad_to(20).label("F").label("ISI").label("ARPA").u8(0);
  w.pad_to(40).label("FOO").pointer(20);
  w.pad_to(64).pointer(26);
  w.pad_to(92).u8(0);
  return w;
}

struct ReadNameCase {
  const char* label;
  std::vector<uint8_t> message;
  size_t start;
  bool ok;
  std::string want_text = {};
  size_t want_end = 0;  // the cursor after the name
};

const ReadNameCase kReadName[] = {
    {"1035 4.1.4 F.ISI.ARPA", rfc1035_example(), 20, true, "F.ISI.ARPA.", 32},
    {"1035 4.1.4 FOO.F.ISI.ARPA: label then pointer", rfc1035_example(), 40, true,
     "FOO.F.ISI.ARPA.", 46},
    {"1035 4.1.4 ARPA: a lone pointer", rfc1035_example(), 64, true, "ARPA.", 66},
    {"1035 4.1.4 the root", rfc1035_example(), 92, true, ".", 93},
    {"1035 4.1.4 pointer to a pointer", Wire().pad_to(12).name("a.example").pointer(12).pointer(23),
     25, true, "a.example.", 27},
    {"1035 4.1.4 forward pointer", Wire().pad_to(12).pointer(14).name("example"), 12, false},
    {"1035 4.1.4 self pointer", Wire().pad_to(12).pointer(12), 12, false},
    {"1035 4.1.4 pointer into its own label run", Wire().pad_to(12).label("abc").pointer(13), 12,
     false},
    {"1035 4.1.4 pointer back to its own name's start", Wire().pad_to(12).label("a").pointer(12),
     12, false},
    {"1035 4.1.4 two-pointer loop", Wire().pad_to(12).label("a").pointer(16).label("b").pointer(12),
     16, false},
    {"1035 4.1.4 pointer past the end", Wire().pad_to(12).pointer(0x3FFF), 12, false},
    {"1035 4.1.4 pointer cut in half", Wire().pad_to(12).raw({0xC0}), 12, false},
    {"1035 3.1 label cut short", Wire().pad_to(12).raw({5, 'a', 'b'}), 12, false},
    {"1035 3.1 no root label", Wire().pad_to(12).label("abc"), 12, false},
    {"1035 3.1 name at the very end", Wire().pad_to(12), 12, false},
    {"6891 5 label type 0x40 (and a 64-octet label)",
     Wire().pad_to(12).raw({0x40}).pad_to(12 + 65).u8(0), 12, false},
    {"1035 4.1.4 label type 0x80", Wire().pad_to(12).raw({0x80, 0}), 12, false},
    {"1035 3.1 label of 63 octets", Wire().pad_to(12).label(repeat('x', 63)).u8(0), 12, true,
     repeat('x', 63) + ".", 12 + 65},
    {"1035 3.1 name of 255 octets",
     Wire()
         .pad_to(12)
         .label(repeat('a', 63))
         .label(repeat('b', 63))
         .label(repeat('c', 63))
         .label(repeat('d', 61))
         .u8(0),
     12, true,
     repeat('a', 63) + "." + repeat('b', 63) + "." + repeat('c', 63) + "." + repeat('d', 61) + ".",
     12 + 255},
    {"1035 3.1 name of 256 octets",
     Wire()
         .pad_to(12)
         .label(repeat('a', 63))
         .label(repeat('b', 63))
         .label(repeat('c', 63))
         .label(repeat('d', 62))
         .u8(0),
     12, false},
    {"1035 3.1 name of 256 octets through a pointer",
     // 12: 3 * 64 + 1 = 193 octets; then 63 more in front of a pointer to it.
     Wire()
         .pad_to(12)
         .label(repeat('a', 63))
         .label(repeat('b', 63))
         .label(repeat('c', 63))
         .u8(0)
         .label(repeat('d', 62))
         .pointer(12),
     12 + 193, false},
    {"1035 3.1 name of 255 octets through a pointer",
     Wire()
         .pad_to(12)
         .label(repeat('a', 63))
         .label(repeat('b', 63))
         .label(repeat('c', 63))
         .u8(0)
         .label(repeat('d', 61))
         .pointer(12),
     12 + 193, true,
     repeat('d', 61) + "." + repeat('a', 63) + "." + repeat('b', 63) + "." + repeat('c', 63) + ".",
     12 + 193 + 62 + 2},
};

TEST(ReaderReadName, Table) {
  for (const auto& c : kReadName) {
    SCOPED_TRACE(c.label);
    Reader r(c.message, c.start);
    Name name;
    bool ok = r.read_name(name);
    EXPECT_EQ(ok, c.ok);
    if (ok && c.ok) {
      EXPECT_EQ(name.to_text(), c.want_text);
      EXPECT_EQ(r.offset(), c.want_end);
    }
    if (!ok) {
      EXPECT_EQ(r.offset(), c.start);  // a failed read does not move the cursor
    }
    // skip_name applies the same checks and ends at the same place.
    Reader s(c.message, c.start);
    EXPECT_EQ(s.skip_name(), c.ok);
    if (c.ok) {
      EXPECT_EQ(s.offset(), c.want_end);
    }
  }
}

TEST(ReaderReadName, CaseIsKept) {
  std::vector<uint8_t> bytes = Wire().name("MyVMI.Default.SVC");
  Reader r(bytes);
  Name name;
  ASSERT_TRUE(r.read_name(name));
  EXPECT_EQ(name.to_text(), "MyVMI.Default.SVC.");
}

TEST(ReaderReadName, ReadsFollowTheName) {
  std::vector<uint8_t> bytes = Wire().pad_to(12).name("a.b").label("c").pointer(14).u16(0xBEEF);
  Reader r(bytes, 17);
  Name name;
  ASSERT_TRUE(r.read_name(name));
  EXPECT_EQ(name.to_text(), "c.b.");
  uint16_t after = 0;
  ASSERT_TRUE(r.read_u16(after));
  EXPECT_EQ(after, 0xBEEF);
}

}  // namespace
}  // namespace vmdns::dns
