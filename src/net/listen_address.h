#pragma once
// "127.0.0.1:5353", "[::1]:53", "0.0.0.0:0" -> a socket address.

#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>

namespace vmdns::net {

struct ListenAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family() const { return storage.ss_family; }
  uint16_t port() const;
  void set_port(uint16_t port);
  std::string to_string() const;  // "127.0.0.1:5353" or "[::1]:53"
};

// IPv6 addresses must be in brackets. The port is required and may be 0 (any free port).
// On failure returns nullopt and sets `error`.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* error);

}  // namespace vmdns::net
