#pragma once
// Reverse-mapping names (RFC 1035 section 3.5 in-addr.arpa, RFC 3596 section 2.5 ip6.arpa).
//
//   reverse_name(10.96.0.20)           -> 20.0.96.10.in-addr.arpa.
//   reverse_name(fd00::20)             -> 0.2.0.0. ... .0.0.d.f.ip6.arpa.   (32 nibbles)
//   parse_reverse_zone("10.96.0.0/12") -> 10.in-addr.arpa.   (the enclosing octet boundary)
//   parse_reverse_zone("fd00::/8")     -> d.f.ip6.arpa.      (the enclosing nibble boundary)
//   parse_reverse_zone("10.in-addr.arpa") -> 10.in-addr.arpa.

#include <optional>
#include <string>
#include <string_view>

#include "cluster/ip_address.h"
#include "dns/name.h"

namespace vmdns::zone {

dns::Name reverse_name(const cluster::IpAddress& address);

// A reverse zone given as a CIDR or as a name at or below in-addr.arpa or ip6.arpa, lowercased.
// A CIDR whose prefix is not a multiple of 8 (IPv4) or 4 (IPv6) widens to the enclosing
// boundary, as CoreDNS's server block does. On failure sets `error` and returns nullopt.
std::optional<dns::Name> parse_reverse_zone(std::string_view text, std::string* error);

}  // namespace vmdns::zone
