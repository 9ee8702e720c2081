#pragma once
// SOA serial numbers: RFC 1982 arithmetic (serials wrap at 2^32, and "newer" means ahead by
// less than half the space), and the serial read out of an SOA's rdata.
//
//   serial_newer(5, 4294967290u);   // true: 5 is 11 ahead of 4294967290 after the wrap
//   soa_serial(zone.soa() rdata);   // nullopt for rdata that is not a well-formed SOA

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace vmdns::xfr {

// RFC 1982 section 3.2: s1 > s2. Undefined pairs (exactly 2^31 apart) are neither newer.
inline bool serial_newer(uint32_t s1, uint32_t s2) {
  return s1 != s2 && static_cast<uint32_t>(s1 - s2) < (uint32_t{1} << 31);
}

// A serial as text: decimal digits, 0 to 4294967295, one trailing newline allowed (the
// --state-dir file that keeps serials growing across restarts); nullopt otherwise.
std::optional<uint32_t> parse_serial_text(std::string_view text);

// The SERIAL field of uncompressed SOA rdata (RFC 1035 section 3.3.13): after MNAME and RNAME.
std::optional<uint32_t> soa_serial(std::span<const uint8_t> rdata);

}  // namespace vmdns::xfr
