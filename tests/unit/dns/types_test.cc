#include "dns/types.h"

#include <gtest/gtest.h>

namespace vmdns::dns {
namespace {

struct TypeCase {
  const char* label;
  RrType type;
  const char* name;
};

// IANA "Resource Record (RR) TYPEs"; RFC 3597 section 5 for the TYPEnnn form.
const TypeCase kTypes[] = {
    {"1035 3.2.2 A", RrType::A, "A"},
    {"1035 3.2.2 NS", RrType::NS, "NS"},
    {"1035 3.2.2 CNAME", RrType::CNAME, "CNAME"},
    {"1035 3.2.2 SOA", RrType::SOA, "SOA"},
    {"1035 3.2.2 PTR", RrType::PTR, "PTR"},
    {"1035 3.2.2 HINFO", RrType::HINFO, "HINFO"},
    {"1035 3.2.2 MX", RrType::MX, "MX"},
    {"1035 3.2.2 TXT", RrType::TXT, "TXT"},
    {"3596 AAAA", RrType::AAAA, "AAAA"},
    {"2782 SRV", RrType::SRV, "SRV"},
    {"6891 OPT", RrType::OPT, "OPT"},
    {"1995 IXFR", RrType::IXFR, "IXFR"},
    {"1035 3.2.3 AXFR", RrType::AXFR, "AXFR"},
    {"1035 3.2.3 ANY", RrType::ANY, "ANY"},
    {"3597 5 TYPE65", static_cast<RrType>(65), "TYPE65"},
    {"3597 5 TYPE0", static_cast<RrType>(0), "TYPE0"},
    {"3597 5 TYPE65535", static_cast<RrType>(65535), "TYPE65535"},
};

TEST(RrType, NamesRoundTrip) {
  for (const auto& c : kTypes) {
    SCOPED_TRACE(c.label);
    EXPECT_EQ(rr_type_name(c.type), c.name);
    auto back = rr_type_from_text(c.name);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, c.type);
  }
}

struct FromTextCase {
  const char* label;
  const char* text;
  bool ok;
  uint16_t want = 0;
};

const FromTextCase kFromText[] = {
    {"3597 5 mnemonics are case-insensitive", "aaaa", true, 28},
    {"3597 5 mixed case", "Srv", true, 33},
    {"3597 5 TYPEnnn for a known type", "TYPE1", true, 1},
    {"3597 5 lowercase typennn", "type28", true, 28},
    {"3597 5 TYPE with no number", "TYPE", false},
    {"3597 5 TYPE out of range", "TYPE65536", false},
    {"3597 5 TYPE with a sign", "TYPE-1", false},
    {"3597 5 TYPE with junk", "TYPE1x", false},
    {"3597 5 empty", "", false},
    {"3597 5 unknown mnemonic", "NOPE", false},
    {"3597 5 leading space", " A", false},
};

TEST(RrType, FromText) {
  for (const auto& c : kFromText) {
    SCOPED_TRACE(c.label);
    auto type = rr_type_from_text(c.text);
    EXPECT_EQ(type.has_value(), c.ok);
    if (type && c.ok) {
      EXPECT_EQ(static_cast<uint16_t>(*type), c.want);
    }
  }
}

struct RcodeCase {
  const char* label;
  Rcode rcode;
  const char* name;
};

const RcodeCase kRcodes[] = {
    {"1035 4.1.1 NOERROR", Rcode::NoError, "NOERROR"},
    {"1035 4.1.1 FORMERR", Rcode::FormErr, "FORMERR"},
    {"1035 4.1.1 SERVFAIL", Rcode::ServFail, "SERVFAIL"},
    {"1035 4.1.1 NXDOMAIN", Rcode::NxDomain, "NXDOMAIN"},
    {"1035 4.1.1 NOTIMP", Rcode::NotImp, "NOTIMP"},
    {"1035 4.1.1 REFUSED", Rcode::Refused, "REFUSED"},
    {"8945 5.2 NOTAUTH", Rcode::NotAuth, "NOTAUTH"},
    {"6891 9 BADVERS", Rcode::BadVers, "BADVERS"},
    {"6895 2.3 unnamed rcode", static_cast<Rcode>(23), "RCODE23"},
};

TEST(Rcode, Names) {
  for (const auto& c : kRcodes) {
    SCOPED_TRACE(c.label);
    EXPECT_EQ(rcode_name(c.rcode), c.name);
  }
}

}  // namespace
}  // namespace vmdns::dns
