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

namespace vmdns::rules {

dns::Name reverse_name(const cluster::IpAddress& address);
// The name of the first `units` octets (IPv4, at most 4) or nibbles (IPv6, at most 32):
//   reverse_name(10.96.0.20, 3) -> 0.96.10.in-addr.arpa.
dns::Name reverse_name(const cluster::IpAddress& address, size_t units);

// The addresses a name at or below in-addr.arpa or ip6.arpa stands for: those whose first
// `units` octets or nibbles are `prefix`'s (the others are zero). Nullopt when it stands for
// none, as a label that reverse_name never writes ("010", "ab", a fifth octet).
//   reverse_prefix(96.10.in-addr.arpa.) -> {10.96.0.0, 2}
struct ReversePrefix {
  cluster::IpAddress prefix;
  size_t units = 0;
};
std::optional<ReversePrefix> reverse_prefix(const dns::Name& name);
// `address` with all but its first `units` octets (IPv4) or nibbles (IPv6) zero.
cluster::IpAddress prefix_of(const cluster::IpAddress& address, size_t units);
bool has_prefix(const cluster::IpAddress& address, const cluster::IpAddress& prefix, size_t units);

// A reverse zone given as a CIDR or as a name at or below in-addr.arpa or ip6.arpa, lowercased.
// A CIDR whose prefix is not a multiple of 8 (IPv4) or 4 (IPv6) widens to the enclosing
// boundary, as CoreDNS's server block does. On failure sets `error` and returns nullopt.
std::optional<dns::Name> parse_reverse_zone(std::string_view text, std::string* error);

}  // namespace vmdns::rules
