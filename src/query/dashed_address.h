#pragma once
// The address written in a dashed label, read back as CoreDNS's `pods insecure` reads it
// (plugin/kubernetes findPods): a label with exactly three '-' and no "--" is IPv4 with the
// dashes as dots; any other is IPv6 with the dashes as colons; the result must then parse as Go's
// net.ParseIP (netip rules) parses addresses. On the query path: no allocation, every octet
// bounds-checked, any bytes accepted.
//
//   parse_dashed_address("10-244-0-57")     -> 10.244.0.57
//   parse_dashed_address("fd00--5")         -> fd00::5
//   parse_dashed_address("fd00--0"), ("0--1"), ("--1"), ("fd00--")   -> fd00::, ::1, ::1, fd00::
//   parse_dashed_address("0--ffff-a01-203") -> 10.1.2.3 (IPv4-mapped: an IPv4 address, as Go's To4)
//   parse_dashed_address("010-1-2-3"), ("256-1-2-3"), ("10-1-2"), ("x")  -> nullopt
//
// IPv4 fields are decimal, 0 to 255, without leading zeros; IPv6 groups are 1 to 4 hex digits
// in either case, at most one "::", which stands for at least one group of zeros. There is no
// dotted IPv4 tail in IPv6 (a label has no dots to spell it) and no zone index.

#include <optional>
#include <string_view>

#include "cluster/ip_address.h"

namespace vmdns::query {

std::optional<cluster::IpAddress> parse_dashed_address(std::string_view label);

}  // namespace vmdns::query
