#include "net/listen_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vmdns::net {
namespace {

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// The port is required (a DNS server on an implicit port is a surprise) and is decimal digits
// only: no sign, no spaces, at most 65535.
bool parse_port(std::string_view text, uint16_t* port) {
  if (text.empty() || text.size() > 5) {
    return false;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535) {
    return false;
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  *port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace

uint16_t ListenAddress::port() const {
  if (family() == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  }
  if (family() == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  }
  return 0;
}

void ListenAddress::set_port(uint16_t port) {
  if (family() == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&storage)->sin_port = htons(port);
  } else if (family() == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port = htons(port);
  }
}

std::string ListenAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, text,
              sizeof(text));
    return std::string(text) + ":" + std::to_string(port());
  }
  if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, text,
              sizeof(text));
    return "[" + std::string(text) + "]:" + std::to_string(port());
  }
  return "(unspecified)";
}

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* error) {
  auto fail = [&](std::string message) -> std::optional<ListenAddress> {
    if (error != nullptr) {
      *error = std::move(message);
    }
    return std::nullopt;
  };

  std::string_view host;
  std::string_view port_text;
  bool bracketed = false;
  if (!text.empty() && text.front() == '[') {
    // RFC 3986 section 3.2.2: an IPv6 literal with a port is written in brackets.
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail(quoted(text) + " is not ADDR:PORT (IPv6 is written [ADDR]:PORT)");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
    bracketed = true;
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return fail(quoted(text) + " is not ADDR:PORT");
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return fail(quoted(text) + " is not ADDR:PORT: an IPv6 address must be in brackets, as in " +
                  "[::1]:53");
    }
  }
  if (host.empty()) {
    return fail(quoted(text) + " is not ADDR:PORT: the address is missing");
  }

  uint16_t port = 0;
  if (!parse_port(port_text, &port)) {
    return fail(quoted(text) + " is not ADDR:PORT: the port must be a number from 0 to 65535");
  }

  // inet_pton needs a NUL-terminated string; a literal address is at most 45 characters.
  char host_z[INET6_ADDRSTRLEN + 1] = {};
  if (host.size() >= sizeof(host_z)) {
    return fail(quoted(text) + " is not ADDR:PORT: " + quoted(host) + " is not an " +
                (bracketed ? "IPv6" : "IPv4") + " address");
  }
  std::memcpy(host_z, host.data(), host.size());

  ListenAddress address;
  if (bracketed) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
    if (inet_pton(AF_INET6, host_z, &in6->sin6_addr) != 1) {
      return fail(quoted(text) + " is not ADDR:PORT: " + quoted(host) + " is not an IPv6 address");
    }
    in6->sin6_family = AF_INET6;
    address.length = sizeof(sockaddr_in6);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&address.storage);
    if (inet_pton(AF_INET, host_z, &in4->sin_addr) != 1) {
      return fail(quoted(text) + " is not ADDR:PORT: " + quoted(host) + " is not an IPv4 address");
    }
    in4->sin_family = AF_INET;
    address.length = sizeof(sockaddr_in);
  }
  address.set_port(port);
  return address;
}

}  // namespace vmdns::net
