#pragma once
// A server block key: `[dns://]ZONE[:PORT]`, as CoreDNS reads it. ZONE is `.`, a domain name or
// a CIDR (a reverse zone: `10.0.0.0/8`, `fd00::/8`); an empty zone (`:53`) is the root; the port
// defaults to 53. Other schemes (tls://, https://, grpc://, quic://) are refused here.
//
//   auto key = parse_server_key(token, &error);   // "dns://Example.COM:5353"
//   key->zone   // "example.com."
//   key->port   // 5353

#include <cstdint>
#include <optional>
#include <string>

#include "corefile/token.h"

namespace vmdns::corefile {

struct ServerKey {
  std::string zone;  // "." or a lower-case name with its final dot; for a CIDR, the CIDR as written
  bool cidr = false;
  uint16_t port = 53;

  bool is_root() const { return zone == "."; }
};

// Errors name the key's file and line: "Corefile:1: server block key \"tls://.:853\": ...".
std::optional<ServerKey> parse_server_key(const Token& key, std::string* error);

// "Example.com" -> "example.com.", "." -> ".": how CoreDNS compares zones.
std::string normalize_zone(std::string zone);

// True when `name` is `zone` or below it (both normalized).
bool is_within(const std::string& name, const std::string& zone);

}  // namespace vmdns::corefile
