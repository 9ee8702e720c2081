// EDNS(0) (RFC 6891): the OPT record written and read back, its options, and the reply sizes.

#include "dns/edns.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "dns/message_view.h"
#include "dns/writer.h"
#include "unit/dns/wire_builder.h"

namespace vmdns::dns {
namespace {

using test::Wire;

struct WriteCase {
  const char* label;
  OptFields fields;
  std::vector<uint8_t> options;
  std::vector<uint8_t> want;
};

const WriteCase kWrite[] = {
    {"6891 6.1.2 no options",
     {1232, 0, 0, false},
     {},
     Wire().u8(0).u16(41).u16(1232).u32(0).u16(0)},
    {"3225 3 the DO bit",
     {4096, 0, 0, true},
     {},
     Wire().u8(0).u16(41).u16(4096).u32(0x8000).u16(0)},
    {"6891 6.1.3 BADVERS: extended rcode 1, version 0",
     {1232, 1, 0, false},
     {},
     Wire().u8(0).u16(41).u16(1232).u32(0x01000000).u16(0)},
    {"6891 6.1.3 version 1",
     {512, 0, 1, false},
     {},
     Wire().u8(0).u16(41).u16(512).u32(0x00010000).u16(0)},
    {"6891 6.1.2 one option",
     {1232, 0, 0, false},
     Wire().u16(10).u16(2).raw({0xAB, 0xCD}),
     Wire().u8(0).u16(41).u16(1232).u32(0).u16(6).u16(10).u16(2).raw({0xAB, 0xCD})},
};

TEST(Edns, WriteOptRecord) {
  for (const auto& c : kWrite) {
    SCOPED_TRACE(c.label);
    std::array<uint8_t, 64> out{};
    size_t n = write_opt_record(out, c.fields, c.options);
    ASSERT_EQ(n, c.want.size());
    EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + static_cast<long>(n)), c.want);
    // Read back, the fields are the ones written.
    Edns e;
    decode_opt(c.fields.udp_size,
               opt_ttl(c.fields.extended_rcode, c.fields.version, c.fields.dnssec_ok),
               std::span<const uint8_t>(out.data() + kOptFixedSize, n - kOptFixedSize), e);
    EXPECT_TRUE(e.present);
    EXPECT_EQ(e.extended_rcode, c.fields.extended_rcode);
    EXPECT_EQ(e.version, c.fields.version);
    EXPECT_EQ(e.dnssec_ok, c.fields.dnssec_ok);
    EXPECT_EQ(e.options.size(), c.options.size());
  }
}

TEST(Edns, WritesNothingThatDoesNotFit) {
  std::array<uint8_t, kOptFixedSize + 3> out{};
  EXPECT_EQ(write_opt_record(std::span<uint8_t>(out.data(), kOptFixedSize - 1), {}), 0u);
  EXPECT_EQ(write_opt_record(std::span<uint8_t>(out.data(), kOptFixedSize), {}), kOptFixedSize);
  std::array<uint8_t, 4> option{0, 10, 0, 0};
  EXPECT_EQ(write_opt_record(out, {}, option), 0u);  // 15 octets into 14
  std::array<uint8_t, 8> data{};
  EXPECT_EQ(write_option(std::span<uint8_t>(out.data(), 11), 10, data), 0u);
  EXPECT_EQ(write_option(std::span<uint8_t>(out.data(), 12), 10, data), 12u);
}

TEST(Edns, MessageWriterWritesOptionsThroughTheSameEncoder) {
  std::array<uint8_t, 512> buffer;
  std::array<uint8_t, 12> option{};
  std::array<uint8_t, 8> token{1, 2, 3, 4, 5, 6, 7, 8};
  ASSERT_EQ(write_option(option, 65300, token), 12u);
  MessageWriter w(buffer, 512);
  w.header().id = 7;
  ASSERT_TRUE(w.write_question(*Name::from_text("example."), RrType::A, 1));
  ASSERT_TRUE(w.write_opt(kEdnsPayload, 0, 0, true, option));
  size_t n = w.finish();
  MessageView m(std::span<const uint8_t>(buffer.data(), n));
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m.edns().present);
  EXPECT_EQ(m.opt_error(), OptError::None);
  EXPECT_EQ(m.edns().udp_size, kEdnsPayload);
  EXPECT_TRUE(m.edns().dnssec_ok);
  auto found = EdnsOptions(m.edns().options).find(65300);
  ASSERT_TRUE(found);
  EXPECT_EQ(std::vector<uint8_t>(found->begin(), found->end()),
            std::vector<uint8_t>(token.begin(), token.end()));
}

struct OptionsCase {
  const char* label;
  std::vector<uint8_t> rdata;
  size_t options;  // iterated before the first that does not fit
  bool well_formed;
};

const OptionsCase kOptions[] = {
    {"6891 6.1.2 empty rdata", {}, 0, true},
    {"6891 6.1.2 one empty option", Wire().u16(3).u16(0), 1, true},
    {"6891 6.1.2 two options", Wire().u16(3).u16(1).u8(9).u16(8).u16(4).u32(0), 2, true},
    {"6891 6.1.2 option header cut", Wire().u16(3).u8(0), 0, false},
    {"6891 6.1.2 option data longer than the rdata", Wire().u16(10).u16(8).u32(0), 0, false},
    {"6891 6.1.2 a good option then a cut one", Wire().u16(3).u16(0).u16(10).u16(9).u32(0), 1,
     false},
};

TEST(Edns, OptionsTable) {
  for (const auto& c : kOptions) {
    SCOPED_TRACE(c.label);
    EdnsOptions options(c.rdata);
    size_t n = 0;
    for (const EdnsOption& o : options) {
      EXPECT_LE(o.data.data() + o.data.size(), c.rdata.data() + c.rdata.size());
      ++n;
    }
    EXPECT_EQ(n, c.options);
    EXPECT_EQ(options.well_formed(), c.well_formed);
  }
}

struct LimitCase {
  bool present;
  uint16_t udp_size;
  size_t want;
};

TEST(Edns, UdpReplyLimit) {
  // RFC 1035 4.2.1: 512 without EDNS; RFC 6891 6.2.5: the requestor's size, at least 512; and
  // never above the 1232 we send.
  const LimitCase cases[] = {{false, 4096, 512}, {true, 512, 512},   {true, 700, 700},
                             {true, 1232, 1232}, {true, 4096, 1232}, {true, 100, 512}};
  for (const auto& c : cases) {
    Edns e;
    e.present = c.present;
    e.udp_size = c.udp_size;
    EXPECT_EQ(udp_reply_limit(e), c.want) << c.present << " " << c.udp_size;
  }
}

}  // namespace
}  // namespace vmdns::dns
