#include "xfr/peer_text.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>

namespace vmdns::xfr {

std::string peer_text(const sockaddr_storage& peer) {
  char text[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (peer.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&peer);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    port = ntohs(v4->sin_port);
  } else if (peer.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&peer);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    port = ntohs(v6->sin6_port);
  }
  return std::string(text) + "#" + std::to_string(port);
}

}  // namespace vmdns::xfr
