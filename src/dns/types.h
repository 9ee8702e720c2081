#pragma once
// DNS parameter values (IANA "Domain Name System (DNS) Parameters") used by vmdns.
//
// Spelled as in the RFCs; rcodes are CamelCase because <arpa/nameser_compat.h> defines NXDOMAIN,
// SERVFAIL and T_A as macros.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vmdns::dns {

enum class RrType : uint16_t {
  A = 1,
  NS = 2,
  CNAME = 5,
  SOA = 6,
  PTR = 12,
  HINFO = 13,
  MX = 15,
  TXT = 16,
  AAAA = 28,
  SRV = 33,
  OPT = 41,
  IXFR = 251,
  AXFR = 252,
  ANY = 255,
};

enum class RrClass : uint16_t {
  IN = 1,
  CH = 3,
  NONE = 254,
  ANY = 255,
};

enum class Opcode : uint8_t {
  Query = 0,
  IQuery = 1,
  Status = 2,
  Notify = 4,
  Update = 5,
};

// The three record sections after the question (RFC 1035 section 4.1).
enum class Section : uint8_t { Answer, Authority, Additional };

// 12-bit extended rcode (RFC 6891 section 6.1.3): values above 15 need an OPT record.
enum class Rcode : uint16_t {
  NoError = 0,
  FormErr = 1,
  ServFail = 2,
  NxDomain = 3,
  NotImp = 4,
  Refused = 5,
  NotAuth = 9,  // RFC 2136 section 2.2; RFC 5936 section 2.2.1: not authoritative for the zone
  BadVers = 16,
};

// "A", "AAAA", ... or "TYPE65" (RFC 3597 section 5) for types without a mnemonic.
std::string rr_type_name(RrType type);
// Accepts mnemonics case-insensitively and the RFC 3597 "TYPEnnn" form.
std::optional<RrType> rr_type_from_text(std::string_view text);
// "NOERROR", "NXDOMAIN", ... as dig prints them; "RCODE23" for others.
std::string rcode_name(Rcode rcode);

}  // namespace vmdns::dns
