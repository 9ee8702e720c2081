#pragma once
// Encoding of record data in uncompressed wire form, and its presentation format.
//
//   auto soa = rdata::soa(mname, rname, serial, 7200, 1800, 86400, 5);
//   rdata::to_text(RrType::SOA, soa);  // "ns.dns.cluster.local. hostmaster.cluster.local. ..."
//
// Used at snapshot build time (never on the query path), so returning vectors is fine.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.h"
#include "dns/types.h"

namespace vmdns::dns::rdata {

using Bytes = std::vector<uint8_t>;

Bytes a(const std::array<uint8_t, 4>& address);
Bytes aaaa(const std::array<uint8_t, 16>& address);
// NS, CNAME and PTR rdata: one name.
Bytes name(const Name& target);
Bytes soa(const Name& mname, const Name& rname, uint32_t serial, uint32_t refresh, uint32_t retry,
          uint32_t expire, uint32_t minimum);
Bytes srv(uint16_t priority, uint16_t weight, uint16_t port, const Name& target);
// One or more character-strings of at most 255 octets each; longer input is split.
Bytes txt(std::span<const std::string> strings);

// Presentation format (RFC 1035 section 5.1) of well-formed rdata for the types above, and the
// RFC 3597 "\# len hex" form for any other type or for malformed data.
std::string to_text(RrType type, std::span<const uint8_t> rdata);

}  // namespace vmdns::dns::rdata
