// The TCP loop's streamed replies (reply_stream.h): lending a connection to the StreamPump and
// taking it back. Apart from tcp_loop_io.cc, which answers one reply per query.

#include <spdlog/spdlog.h>
#include <sys/epoll.h>

#include <cerrno>

#include "server/tcp_loop.h"

namespace vmdns::server {

// The stream's messages follow the replies queued before it, so the connection is lent only
// once those are sent (and any deferred reply before it has come back and gone out).
bool TcpLoop::lend_when_ready(Connection* connection) {
  if (connection->pending_output() > 0 || connection->deferred > 0) {
    return update_interest(connection);
  }
  int fd = connection->fd.get();
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr) != 0) {
    spdlog::warn("tcp: epoll_ctl: {}", net::errno_text(errno));
    close_connection(connection);
    return false;
  }
  connection->interest = 0;
  connection->lent = true;
  timeouts_.forget(connection);
  pump_.lend(fd, connection->id, std::move(connection->stream));
  return false;
}

// Connections whose stream ended: read and answered again, or closed when the stream failed.
void TcpLoop::take_back(Clock::time_point now) {
  pump_.take_returned(&returned_);
  for (const StreamPump::Returned& done : returned_) {
    size_t fd = static_cast<uint32_t>(done.connection);
    if (fd >= connections_.size() || !connections_[fd] ||
        connections_[fd]->id != done.connection) {
      continue;
    }
    Connection* connection = connections_[fd].get();
    connection->lent = false;
    if (!done.complete) {
      close_connection(connection);
      continue;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = connection->fd.get();
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, connection->fd.get(), &event) != 0) {
      spdlog::warn("tcp: epoll_ctl: {}", net::errno_text(errno));
      close_connection(connection);
      continue;
    }
    connection->interest = EPOLLIN;
    timeouts_.active(connection, now);
    progress(connection, now);
  }
  returned_.clear();
}

}  // namespace vmdns::server
