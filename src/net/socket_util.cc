#include "net/socket_util.h"

#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmdns::net {
namespace {

// Large enough for a burst of queries while a worker is busy; the kernel silently caps it at
// net.core.rmem_max / wmem_max, so this is best effort.
constexpr int kSocketBufferBytes = 1 << 20;
// Pending connections the kernel queues before the TCP loop accepts them.
constexpr int kListenBacklog = 1024;

bool set_int_option(int fd, int level, int name, int value, const char* what, std::string* error,
                    int* error_number) {
  if (setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    *error_number = errno;
    *error = std::string("setsockopt(") + what + "): " + errno_text(errno);
    return false;
  }
  return true;
}

bool bind_to(int fd, const ListenAddress& address, const char* transport, std::string* error,
             int* error_number) {
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0) {
    *error_number = errno;
    *error =
        std::string("bind ") + transport + " " + address.to_string() + ": " + errno_text(errno);
    return false;
  }
  return true;
}

}  // namespace

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) {
    // Not retried on EINTR: on Linux the descriptor is released even when close reports EINTR.
    ::close(fd_);
  }
  fd_ = fd;
}

std::string errno_text(int error_number) {
  char buffer[128] = {};
  // GNU strerror_r returns the message, which may or may not be `buffer`.
  return strerror_r(error_number, buffer, sizeof(buffer));
}

bool is_wildcard(const ListenAddress& address) {
  if (address.family() == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(&address.storage)->sin_addr.s_addr ==
           htonl(INADDR_ANY);
  }
  if (address.family() == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6*>(&address.storage)->sin6_addr;
    return IN6_IS_ADDR_UNSPECIFIED(&in6);
  }
  return false;
}

UniqueFd open_udp_socket(const ListenAddress& address, std::string* error, int* error_number) {
  UniqueFd fd(socket(address.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    *error_number = errno;
    *error = "socket(udp): " + errno_text(errno);
    return {};
  }
  if (!set_int_option(fd.get(), SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT", error, error_number)) {
    return {};
  }
  if (address.family() == AF_INET6) {
    // Only IPv6: an IPv4 listener on the same port is a separate, explicit choice, and mapped
    // addresses would make the reply source address depend on the sysctl bindv6only.
    if (!set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY", error,
                        error_number)) {
      return {};
    }
  }
  if (is_wildcard(address)) {
    // On a wildcard address the kernel would pick the reply's source address by route, which on
    // a host with several addresses may differ from the address the client asked, and the
    // client would drop the reply. The destination of each query tells us which to use.
    bool ok =
        address.family() == AF_INET
            ? set_int_option(fd.get(), IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO", error, error_number)
            : set_int_option(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO", error,
                             error_number);
    if (!ok) {
      return {};
    }
  }
  int ignored = 0;
  std::string ignored_error;
  set_int_option(fd.get(), SOL_SOCKET, SO_RCVBUF, kSocketBufferBytes, "SO_RCVBUF", &ignored_error,
                 &ignored);
  set_int_option(fd.get(), SOL_SOCKET, SO_SNDBUF, kSocketBufferBytes, "SO_SNDBUF", &ignored_error,
                 &ignored);
  if (!bind_to(fd.get(), address, "udp", error, error_number)) {
    return {};
  }
  return fd;
}

UniqueFd open_tcp_listener(const ListenAddress& address, std::string* error, int* error_number,
                           bool dual_stack) {
  UniqueFd fd(socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    *error_number = errno;
    *error = "socket(tcp): " + errno_text(errno);
    return {};
  }
  // Lets a restarted server bind while connections of the previous one are in TIME_WAIT. On
  // Linux it does not let two listeners share the port.
  if (!set_int_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR", error, error_number)) {
    return {};
  }
  if (address.family() == AF_INET6) {
    if (!set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, dual_stack ? 0 : 1, "IPV6_V6ONLY",
                        error, error_number)) {
      return {};
    }
  }
  if (!bind_to(fd.get(), address, "tcp", error, error_number)) {
    return {};
  }
  if (listen(fd.get(), kListenBacklog) != 0) {
    *error_number = errno;
    *error = "listen " + address.to_string() + ": " + errno_text(errno);
    return {};
  }
  return fd;
}

bool local_address(int fd, ListenAddress* address, std::string* error) {
  ListenAddress local;
  local.length = sizeof(local.storage);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local.storage), &local.length) != 0) {
    *error = "getsockname: " + errno_text(errno);
    return false;
  }
  *address = local;
  return true;
}

}  // namespace vmdns::net
