#pragma once
// The hosts file format (hosts(5), /etc/hosts, k3s's NodeHosts) and `--host "IP NAME..."`: one
// address and its names a line.
//
//   HostsParse parsed = parse_hosts("10.0.0.5 node-a node-a.lan # a node\n", "NodeHosts");
//   parsed.entries[0].names[1].to_text();    // "node-a.lan."
//   parsed.errors;                           // {"NodeHosts:3: \"10.0.0.300\" is not ..."}
//
// `#` starts a comment; fields are separated by spaces and tabs; the first is an IPv4 or IPv6
// address (an IPv6 zone, `%eth0`, is dropped, as CoreDNS does), the others names, lowercased.
// A line that does not fit is skipped and reported as `ORIGIN:LINE: why`; a name that is not a
// valid domain name is skipped alone, so the line's other names still count. Untrusted input:
// nothing here throws or asserts on it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.h"

namespace vmdns::hosts {

struct HostsEntry {
  bool ipv6 = false;
  std::array<uint8_t, 16> address{};  // the first 4 octets for IPv4
  std::vector<dns::Name> names;       // lowercased, in the line's order
  std::span<const uint8_t> address_bytes() const { return {address.data(), ipv6 ? 16u : 4u}; }
};

struct HostsParse {
  std::vector<HostsEntry> entries;  // in file order
  std::vector<std::string> errors;  // "ORIGIN:LINE: why"
};

// Every line of `text`; `origin` names it in the errors (a path, "--host").
HostsParse parse_hosts(std::string_view text, std::string_view origin);

// One line, for `--host "IP NAME [NAME...]"`: nullopt with `error` set when it gives no entry
// (no address, a bad address, no valid name).
std::optional<HostsEntry> parse_host_line(std::string_view line, std::string* error);

}  // namespace vmdns::hosts
