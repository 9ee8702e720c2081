#include "cluster/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace vmdns::cluster {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton wants a NUL-terminated string; the longest IPv6 text form
  // (ffff:...:255.255.255.255) is 45 characters, so anything longer is not an address and an
  // embedded NUL would otherwise cut the text short.
  if (text.empty() || text.size() > INET6_ADDRSTRLEN - 1 ||
      text.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  char buffer[INET6_ADDRSTRLEN] = {};
  std::memcpy(buffer, text.data(), text.size());

  IpAddress address;
  if (inet_pton(AF_INET, buffer, address.bytes.data()) == 1) {
    address.family = Family::V4;
    return address;
  }
  if (inet_pton(AF_INET6, buffer, address.bytes.data()) == 1) {
    address.family = Family::V6;
    return address;
  }
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  // glibc's inet_ntop writes RFC 5952 text: lowercase, longest zero run compressed.
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes.data(), buffer, sizeof buffer);
  return buffer;
}

bool IpAddress::is_link_local() const {
  if (is_v4()) {
    return bytes[0] == 169 && bytes[1] == 254;  // RFC 3927
  }
  return bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;  // RFC 4291 section 2.5.6
}

}  // namespace vmdns::cluster
