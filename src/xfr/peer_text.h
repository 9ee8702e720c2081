#pragma once
// A client's address as the transfer logs print it: "192.0.2.53#41234", "2001:db8::53#53"
// (BIND's ADDRESS#PORT).
//
//   spdlog::info("transfer to {}: ...", peer_text(route.peer));

#include <sys/socket.h>

#include <string>

namespace vmdns::xfr {

std::string peer_text(const sockaddr_storage& peer);

}  // namespace vmdns::xfr
