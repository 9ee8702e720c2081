#pragma once
// The server's end of a loopback TCP connection, for tests that run the server in their own
// process and wait on what its socket holds (a positive signal) rather than on time:
//
//   int server_fd = server_end_of(client.get());
//   ASSERT_TRUE(eventually([&] { return cannot_send(server_fd); }));

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace vmdns::server::test {

// The socket of this process whose peer is the local address of `client` (IPv4), or -1.
// Found through /proc (the connection's inode in /proc/self/net/tcp, then the descriptor whose
// link names it), never by calling fstat or getpeername on the server's descriptors: those
// are the server thread's, and ThreadSanitizer takes such a call racing its accept() for a race.
inline int server_end_of(int client) {
  sockaddr_in mine{};
  socklen_t length = sizeof(mine);
  if (getsockname(client, reinterpret_cast<sockaddr*>(&mine), &length) != 0) {
    return -1;
  }
  // Addresses as the kernel prints them: the address's four octets as one host-order hex
  // number, the port in hex.
  char wanted[16];
  std::snprintf(wanted, sizeof(wanted), "%08X:%04X", mine.sin_addr.s_addr, ntohs(mine.sin_port));
  std::ifstream tcp("/proc/self/net/tcp");
  std::string line;
  std::string inode;
  std::getline(tcp, line);  // the heading
  while (inode.empty() && std::getline(tcp, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, node;
    fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
        timeout >> node;
    if (remote == wanted && node != "0") {  // 0: an earlier connection's TIME_WAIT
      inode = node;
    }
  }
  if (inode.empty()) {
    return -1;
  }
  std::string target = "socket:[" + inode + "]";
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    if (std::filesystem::read_symlink(entry.path(), error).string() == target) {
      return std::stoi(entry.path().filename().string());
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
