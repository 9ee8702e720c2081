// Names inside rdata read from messages: decompressed into a fixed buffer, bounded by the rdata.

#include "dns/rdata_names.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "dns/rdata.h"
#include "unit/dns/wire_builder.h"

namespace vmdns::dns {
namespace {

using test::Wire;

// A response to "example.com" (question name at offset 12) with one answer record whose type,
// rdlength (by default the rdata's size) and rdata are given; names in the rdata may point at
// offset 12 ("example.com") or 20 ("com").
std::vector<uint8_t> response(uint16_t type, const Wire& rdata, int rdlength = -1) {
  Wire w;
  w.header(1, 0x8000, 1, 1, 0, 0).name("example.com").u16(type).u16(1);
  w.pointer(12).u16(type).u16(1).u32(300);
  w.u16(static_cast<uint16_t>(rdlength >= 0 ? rdlength : static_cast<int>(rdata.size())));
  w.raw(rdata.bytes());
  return w;
}

Name name(const char* text) {
  return *Name::from_text(text);
}

struct ExpandCase {
  const char* label;
  std::vector<uint8_t> packet;
  std::optional<std::vector<uint8_t>> want;  // the expanded rdata; nullopt: malformed
};

const ExpandCase kExpand[] = {
    {"1035 3.3.1 CNAME pointing at the question", response(5, Wire().label("www").pointer(12)),
     rdata::name(name("www.example.com"))},
    {"1035 3.3.11 NS uncompressed", response(2, Wire().name("ns.example.org")),
     rdata::name(name("ns.example.org"))},
    {"1035 3.3.13 SOA with both names compressed",
     response(6, Wire()
                     .label("ns")
                     .pointer(12)
                     .label("hostmaster")
                     .pointer(12)
                     .u32(1)
                     .u32(2)
                     .u32(3)
                     .u32(4)
                     .u32(5)),
     rdata::soa(name("ns.example.com"), name("hostmaster.example.com"), 1, 2, 3, 4, 5)},
    {"1035 3.3.9 MX with its exchange compressed",
     response(15, Wire().u16(10).label("mx").pointer(20)), Wire().u16(10).name("mx.com")},
    {"2782 SRV target compressed anyway",
     response(33, Wire().u16(1).u16(2).u16(53).label("t").pointer(12)),
     rdata::srv(1, 2, 53, name("t.example.com"))},
    {"1035 3.4.1 A is opaque", response(1, Wire().raw({192, 0, 2, 1})), rdata::a({192, 0, 2, 1})},
    {"3597 4 CNAME with octets after its name", response(5, Wire().pointer(12).u8(0)),
     std::nullopt},
    {"3597 4 SOA short of its 20 octets", response(6, Wire().pointer(12).pointer(12).u32(1).u32(2)),
     std::nullopt},
    {"1035 4.1.4 CNAME whose name runs past its rdata",
     response(5, Wire().label("www").pointer(12), 3), std::nullopt},
};

TEST(ExpandRdata, Table) {
  for (const auto& c : kExpand) {
    SCOPED_TRACE(c.label);
    MessageView m(c.packet);
    ASSERT_TRUE(m.ok());
    ASSERT_EQ(m.answer().size(), 1u);
    ExpandedRdata buffer;
    auto expanded = expand_rdata(*m.answer().begin(), buffer);
    ASSERT_EQ(expanded.has_value(), c.want.has_value());
    if (expanded) {
      EXPECT_EQ(std::vector<uint8_t>(expanded->begin(), expanded->end()), *c.want);
    }
  }
}

TEST(ExpandRdata, LayoutOfEveryTypeWithNames) {
  EXPECT_EQ(rdata_name_layout(RrType::CNAME).names, 1);
  EXPECT_EQ(rdata_name_layout(RrType::SOA).names, 2);
  EXPECT_EQ(rdata_name_layout(RrType::SOA).after, 20);
  EXPECT_EQ(rdata_name_layout(RrType::MX).before, 2);
  EXPECT_EQ(rdata_name_layout(RrType::SRV).before, 6);
  EXPECT_EQ(rdata_name_layout(RrType::TXT).names, 0);
  EXPECT_EQ(rdata_name_layout(RrType::A).names, 0);
}

}  // namespace
}  // namespace vmdns::dns
