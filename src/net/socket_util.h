#pragma once
// Small socket helpers shared by the DNS listeners, the forwarder and the HTTP listeners: an
// owning file descriptor and the socket set-up (options, bind, listen) done once at start.
//
//   std::string error;
//   int error_number = 0;
//   UniqueFd listener = open_tcp_listener(*parse_listen_address("127.0.0.1:0", &error), &error,
//                                         &error_number);
//   ListenAddress bound;
//   local_address(listener.get(), &bound, &error);   // the port the kernel picked

#include <string>
#include <utility>

#include "net/listen_address.h"

namespace vmdns::net {

// Owns a file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset(std::exchange(other.fd_, -1));
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// True for 0.0.0.0 and ::, where replies must be sent from the address the query came to.
bool is_wildcard(const ListenAddress& address);

// A UDP socket bound to `address` with SO_REUSEPORT, so that each worker gets its own socket and
// the kernel spreads the queries over them. IPv6 sockets are IPV6_V6ONLY. On a wildcard address,
// also asks for IP_PKTINFO / IPV6_RECVPKTINFO. On failure returns an invalid fd and sets `error`
// and `error_number` (errno).
UniqueFd open_udp_socket(const ListenAddress& address, std::string* error, int* error_number);

// A non-blocking listening TCP socket bound to `address`. Deliberately without SO_REUSEPORT: only
// one process may own the port's TCP side, which also makes a second server on the same port
// fail at start instead of silently sharing its UDP queries. IPv6 sockets are IPV6_V6ONLY unless
// `dual_stack`: then [::] also accepts IPv4 connections (as mapped addresses), which is how a
// Go server's ":8080" listens on every address of a host or pod.
UniqueFd open_tcp_listener(const ListenAddress& address, std::string* error, int* error_number,
                           bool dual_stack = false);

// The address a socket is bound to (getsockname).
bool local_address(int fd, ListenAddress* address, std::string* error);

// "Operation not permitted" for an errno value, thread-safely.
std::string errno_text(int error_number);

}  // namespace vmdns::net
