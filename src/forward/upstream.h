#pragma once
// Upstream resolvers: `--upstream ADDR[:PORT]` and the `nameserver` lines of /etc/resolv.conf.
//
//   auto up = parse_upstream("10.0.0.10", &err);            // port 53
//   auto up6 = parse_upstream("[fd00::a]:5353", &err);
//   auto list = resolv_conf_upstreams(read_file("/etc/resolv.conf"), listen);   // skips us
//
// Addresses are net::ListenAddress values (a sockaddr and its length), the type the server
// already prints and parses.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/listen_address.h"

namespace vmdns::forward {

using Upstream = net::ListenAddress;

inline constexpr uint16_t kDnsPort = 53;

// "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]", "[::1]:5353". The port defaults to 53 and may not
// be 0. On failure returns nullopt and sets `error`.
std::optional<Upstream> parse_upstream(std::string_view text, std::string* error);

// True when `upstream` is this server itself: the same port and the same address, or, when
// `listen` is a wildcard (0.0.0.0, ::), a loopback or unspecified address of the same family.
bool is_self(const Upstream& upstream, const net::ListenAddress& listen);

// The `nameserver` lines of a resolv.conf (resolv.conf(5), read by resolvconf::parse_resolv_conf,
// every line and not only glibc's first three): one address each, port 53, IPv4 or
// IPv6 (a `%scope` suffix is kept as the scope id when it is a number or an interface name);
// `#` and `;` start comments; other keywords and unparsable addresses are skipped, and so is
// any address for which is_self() holds. Order is kept; duplicates are dropped.
std::vector<Upstream> resolv_conf_upstreams(std::string_view text,
                                            const net::ListenAddress& listen);

// Reads `path` (usually /etc/resolv.conf); an unreadable file gives no upstreams.
std::vector<Upstream> system_upstreams(const std::string& path, const net::ListenAddress& listen);

}  // namespace vmdns::forward
