#include "dns/types.h"

#include <array>
#include <charconv>

namespace vmdns::dns {
namespace {

struct TypeName {
  RrType type;
  std::string_view name;
};

constexpr std::array<TypeName, 15> kTypeNames = {{
    {RrType::A, "A"},
    {RrType::NS, "NS"},
    {RrType::CNAME, "CNAME"},
    {RrType::SOA, "SOA"},
    {RrType::PTR, "PTR"},
    {RrType::HINFO, "HINFO"},
    {RrType::MX, "MX"},
    {RrType::TXT, "TXT"},
    {RrType::AAAA, "AAAA"},
    {RrType::SRV, "SRV"},
    {RrType::OPT, "OPT"},
    {static_cast<RrType>(250), "TSIG"},  // RFC 8945
    {RrType::IXFR, "IXFR"},
    {RrType::AXFR, "AXFR"},
    {RrType::ANY, "ANY"},
}};

struct RcodeName {
  Rcode rcode;
  std::string_view name;
};

// Spelled as dig prints them in its ";; ->>HEADER<<-" line.
constexpr std::array<RcodeName, 8> kRcodeNames = {{
    {Rcode::NoError, "NOERROR"},
    {Rcode::FormErr, "FORMERR"},
    {Rcode::ServFail, "SERVFAIL"},
    {Rcode::NxDomain, "NXDOMAIN"},
    {Rcode::NotImp, "NOTIMP"},
    {Rcode::Refused, "REFUSED"},
    {Rcode::NotAuth, "NOTAUTH"},
    {Rcode::BadVers, "BADVERS"},
}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'a' && x <= 'z') {
      x = static_cast<char>(x - 32);
    }
    if (y >= 'a' && y <= 'z') {
      y = static_cast<char>(y - 32);
    }
    if (x != y) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string rr_type_name(RrType type) {
  for (const TypeName& entry : kTypeNames) {
    if (entry.type == type) {
      return std::string(entry.name);
    }
  }
  // RFC 3597 section 5: types without a mnemonic are written TYPE<decimal>.
  return "TYPE" + std::to_string(static_cast<uint16_t>(type));
}

std::optional<RrType> rr_type_from_text(std::string_view text) {
  for (const TypeName& entry : kTypeNames) {
    if (iequals(entry.name, text)) {
      return entry.type;
    }
  }
  constexpr std::string_view kPrefix = "TYPE";
  if (text.size() <= kPrefix.size() || !iequals(text.substr(0, kPrefix.size()), kPrefix)) {
    return std::nullopt;
  }
  std::string_view digits = text.substr(kPrefix.size());
  for (char c : digits) {
    // from_chars would accept neither a sign nor spaces, but be explicit: digits only.
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  uint16_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;  // out of the 16-bit range
  }
  return static_cast<RrType>(value);
}

std::string rcode_name(Rcode rcode) {
  for (const RcodeName& entry : kRcodeNames) {
    if (entry.rcode == rcode) {
      return std::string(entry.name);
    }
  }
  return "RCODE" + std::to_string(static_cast<uint16_t>(rcode));
}

}  // namespace vmdns::dns
