#pragma once
// The server's end of a loopback TCP connection, for tests that run the server in their own
// process and wait on what its socket holds (a positive signal) rather than on time:
//
//   int server_fd = server_end_of(client.get());
//   ASSERT_TRUE(eventually([&] { return cannot_send(server_fd); }));

#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

namespace vmdns::server::test {

// The socket of this process whose peer is the local address of `client` (IPv4), or -1.
inline int server_end_of(int client) {
  sockaddr_in mine{};
  socklen_t length = sizeof(mine);
  if (getsockname(client, reinterpret_cast<sockaddr*>(&mine), &length) != 0) {
    return -1;
  }
  for (int fd = 3; fd < 4096; ++fd) {
    struct stat st {};
    if (fd == client || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
      continue;
    }
    sockaddr_in peer{};
    length = sizeof(peer);
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0 &&
        length == sizeof(peer) && peer.sin_family == AF_INET && peer.sin_port == mine.sin_port &&
        peer.sin_addr.s_addr == mine.sin_addr.s_addr) {
      return fd;
    }
  }
  return -1;
}

// The socket takes no more octets and has none in flight: nothing more can leave it until the
// peer reads.
inline bool cannot_send(int fd) {
  pollfd p{fd, POLLOUT, 0};
  int queued = 0, unsent = 0;
  return poll(&p, 1, 0) == 0 && ioctl(fd, SIOCOUTQ, &queued) == 0 &&
         ioctl(fd, SIOCOUTQNSD, &unsent) == 0 && queued == unsent;
}

// Every octet sent on `fd` has been acknowledged by the peer's kernel: it is in the peer's
// socket, where the server's next read finds it.
inline bool acknowledged(int fd) {
  int octets = 0;
  return ioctl(fd, SIOCOUTQ, &octets) == 0 && octets == 0;
}

// Octets that arrived and were not read.
inline int unread(int fd) {
  int octets = 0;
  return ioctl(fd, SIOCINQ, &octets) == 0 ? octets : 0;
}

}  // namespace vmdns::server::test
