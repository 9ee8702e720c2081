// The TCP loop's admission of connections: accepting them in batches, under the connection
// limits (net/connection_admission.h), pausing the listener when descriptors run out, and
// closing a connection wherever it ends.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>

#include "server/tcp_loop.h"

namespace vmdns::server {
namespace {

// Connections accepted per readiness event, so a connection storm does not starve the
// established connections.
constexpr int kAcceptBatch = 64;
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

}  // namespace

void TcpLoop::accept_connections(Clock::time_point now) {
  for (int i = 0; i < kAcceptBatch; ++i) {
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof(peer);
    int fd = accept4(listener_.get(), reinterpret_cast<sockaddr*>(&peer), &peer_length,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      switch (errno) {
        case EINTR:
          continue;
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
          return;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
          // The pending connection stays queued and the listener stays readable: pause it
          // rather than spin.
          spdlog::warn("tcp: accept: {}; pausing new connections for {} ms", net::errno_text(errno),
                       kAcceptPause.count());
          set_listener_enabled(false);
          listener_resume_at_ = now + kAcceptPause;
          return;
        default:
          // ECONNABORTED, EPROTO and the network errors accept(2) passes on belong to the one
          // connection that failed.
          spdlog::debug("tcp: accept: {}", net::errno_text(errno));
          continue;
      }
    }
    net::UniqueFd socket(fd);
    Connection* victim = nullptr;
    auto key = admission_.admit(
        peer, now, [](const Connection& c) { return c.eviction_rank(); }, &victim);
    if (!key) {
      // Closing at once tells the client to go elsewhere (RFC 7766 section 6.2.2) instead of
      // leaving it in the backlog.
      continue;
    }
    if (victim != nullptr) {
      close_connection(victim);
    }
    // Each batch of replies goes out in one send; Nagle's algorithm would only hold back the
    // next batch on a pipelining connection until the previous one is acknowledged.
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    uint64_t id = (uint64_t{next_serial_++} << 32) | static_cast<uint32_t>(fd);
    auto connection = std::make_unique<Connection>(std::move(socket), id, peer, peer_length);
    connection->interest = EPOLLIN;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
      spdlog::warn("tcp: epoll_ctl: {}", net::errno_text(errno));
      continue;
    }
    if (connections_.size() <= static_cast<size_t>(fd)) {
      connections_.resize(static_cast<size_t>(fd) + 1);
    }
    connections_[fd] = std::move(connection);
    admission_.add(connections_[fd].get(), *key);
    timeouts_.active(connections_[fd].get(), now);
  }
}

void TcpLoop::close_connection(Connection* connection) {
  timeouts_.forget(connection);
  admission_.remove(connection);
  int fd = connection->fd.get();
  epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  connections_[fd].reset();  // closes the socket
}

}  // namespace vmdns::server
