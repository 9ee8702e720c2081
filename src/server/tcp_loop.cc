#include "server/tcp_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "net/epoll_timeout.h"

namespace vmdns::server {
namespace {

constexpr size_t kMaxMessage = TcpConnection::kMaxMessage;
constexpr int kMaxEvents = 64;
// Connections accepted per readiness event, so a connection storm does not starve the
// established connections.
constexpr int kAcceptBatch = 64;
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

}  // namespace

TcpLoop::TcpLoop(net::UniqueFd listener, std::unique_ptr<QueryHandler> handler, TcpLimits limits,
                 int stop_fd, const std::atomic<bool>* stopping, net::ConnectionCounters* counters)
    : listener_(std::move(listener)),
      handler_(std::move(handler)),
      limits_(limits),
      stop_fd_(stop_fd),
      stopping_(stopping),
      timeouts_(std::chrono::milliseconds(limits.idle_timeout_ms),
                std::chrono::milliseconds(limits.query_timeout_ms)),
      counters_(counters),
      admission_("tcp",
                 {.max_connections = limits.max_connections,
                  .max_per_client = limits.max_connections_per_client,
                  .client_ipv6_prefix = limits.client_ipv6_prefix},
                 &Connection::client, counters),
      reply_(std::make_unique_for_overwrite<uint8_t[]>(kMaxMessage)),
      completions_(std::make_unique<net::TcpCompletions>()),
      pump_(std::chrono::milliseconds(limits.idle_timeout_ms)) {
  route_.transport = net::Transport::Tcp;
  route_.tcp = completions_.get();
}

TcpLoop::~TcpLoop() = default;

bool TcpLoop::init(std::string* error) {
  epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.valid()) {
    *error = "epoll_create1: " + net::errno_text(errno);
    return false;
  }
  if (!completions_->valid()) {
    *error = "eventfd: " + net::errno_text(errno);
    return false;
  }
  if (!pump_.init(error)) {
    return false;
  }
  for (int fd : {listener_.get(), stop_fd_, completions_->fd(), pump_.returned_fd()}) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
      *error = "epoll_ctl: " + net::errno_text(errno);
      return false;
    }
  }
  return true;
}

void TcpLoop::run() {
  epoll_event events[kMaxEvents];
  // stop() sets the flag and then makes the eventfd readable, which wakes epoll_wait; the flag
  // check covers a stop that happened before we first wait.
  while (!stopping_->load(std::memory_order_acquire)) {
    int timeout = next_timeout_ms(Clock::now());
    int ready = epoll_wait(epoll_.get(), events, kMaxEvents, timeout);
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      // EBADF, EFAULT or EINVAL: our own bug, not something the network can cause.
      spdlog::critical("tcp: epoll_wait: {}", net::errno_text(errno));
      std::abort();
    }
    // One clock reading per wake-up, handed to the handler for the queries it answers.
    Clock::time_point now = Clock::now();
    handler_->begin_batch(now);
    bool stop = false;
    for (int i = 0; i < ready; ++i) {
      int fd = events[i].data.fd;
      if (fd == stop_fd_) {
        stop = true;
      } else if (fd == completions_->fd()) {
        complete_deferred(now);
      } else if (fd == pump_.returned_fd()) {
        take_back(now);
      } else if (fd == listener_.get()) {
        accept_connections(now);
      } else if (static_cast<size_t>(fd) < connections_.size() && connections_[fd]) {
        on_event(connections_[fd].get(), events[i].events, now);
      }
    }
    handler_->end_batch(Clock::now());
    if (stop) {
      break;
    }
    expire(now);
    if (!listener_enabled_ && now >= listener_resume_at_) {
      set_listener_enabled(true);
    }
  }
  // The pump writes to lent connections: it stops before any of them closes.
  pump_.stop();
  timeouts_.clear();
  connections_.clear();
  admission_.clear();
}

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

void TcpLoop::on_event(Connection* connection, uint32_t events, Clock::time_point now) {
  // EPOLLHUP: both directions are shut, and we never shut ours first, so the client reset or
  // vanished; nothing more can be delivered.
  if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
    spdlog::debug("tcp: connection reset or failed");
    close_connection(connection);
    return;
  }
  if ((events & EPOLLIN) != 0) {
    if (!read_input(connection)) {
      return;
    }
  }
  // Also the EPOLLOUT case: send what is queued, then answer what had to wait for it.
  progress(connection, now);
}

bool TcpLoop::read_input(Connection* connection) {
  if (connection->closing || connection->peer_closed) {
    return true;
  }
  // One read per readiness event, at most one buffer's worth: with level-triggered epoll the
  // rest is read on the next round, after the other ready connections had their turn.
  switch (connection->receive()) {
    case Connection::Received::Error:
      close_connection(connection);
      return false;
    case Connection::Received::Eof:
      connection->peer_closed = true;
      return true;
    case Connection::Received::Data:
    case Connection::Received::Nothing:
      return true;
  }
  return true;
}

bool TcpLoop::progress(Connection* connection, Clock::time_point now) {
  bool answered = false;
  for (;;) {
    answered = answer_queries(connection, now) || answered;
    if (!flush_output(connection, now)) {
      return false;
    }
    // Answering stops while the output is backed up. If the send made room, go on with the
    // queries already buffered: no new read would bring them back to our attention.
    if (connection->closing || connection->stream || connection->backed_up() ||
        !connection->has_complete_message()) {
      break;
    }
  }
  if (connection->stream) {
    timeouts_.track_partial_message(connection, now, answered);
    return lend_when_ready(connection);
  }
  bool done =
      (connection->closing && connection->deferred == 0) ||
      (connection->peer_closed && !connection->has_complete_message() && connection->deferred == 0);
  if (done && connection->pending_output() == 0) {
    close_connection(connection);
    return false;
  }
  timeouts_.track_partial_message(connection, now, answered);
  return update_interest(connection);
}

bool TcpLoop::answer_queries(Connection* connection, Clock::time_point now) {
  size_t offset = 0;
  bool answered = false;
  const uint8_t* input = connection->input.get();
  while (!connection->closing && !connection->stream) {
    size_t available = connection->input_length - offset;
    if (available < 2) {
      break;
    }
    size_t length = (size_t{input[offset]} << 8) | input[offset + 1];
    if (length == 0) {
      // No DNS message is empty (it has at least a 12-octet header); a client that sends one
      // is not speaking DNS.
      spdlog::debug("tcp: zero-length message; closing");
      connection->closing = true;
      break;
    }
    if (available < 2 + length || connection->backed_up()) {
      break;
    }
    route_.connection = connection->id;
    route_.peer = connection->peer;
    route_.peer_length = connection->peer_length;
    size_t reply_length =
        handler_->handle_deferrable(std::span<const uint8_t>(input + offset + 2, length),
                                    std::span<uint8_t>(reply_.get(), kMaxMessage), route_);
    offset += 2 + length;
    answered = true;
    if (reply_length == QueryHandler::kDeferred) {
      ++connection->deferred;
      continue;
    }
    if (reply_length == QueryHandler::kStream) {
      connection->stream = handler_->take_stream();
      if (!connection->stream) {
        connection->closing = true;  // a handler bug: nothing to send
      }
      break;
    }
    if (reply_length == 0) {
      // The handler's way to say this client gets nothing more on this connection.
      connection->closing = true;
      break;
    }
    if (reply_length > kMaxMessage) {
      spdlog::warn("tcp: the handler returned {} octets for a {}-octet buffer; closing",
                   reply_length, kMaxMessage);
      connection->closing = true;
      break;
    }
    connection->queue_reply(std::span<const uint8_t>(reply_.get(), reply_length));
  }
  if (connection->closing) {
    connection->input_length = 0;
  } else {
    connection->consume(offset);
  }
  // A message longer than the buffer: grow it once to the largest possible message.
  connection->make_room_for_next_message();
  if (answered) {
    timeouts_.active(connection, now);
  }
  return answered;
}

bool TcpLoop::flush_output(Connection* connection, Clock::time_point now) {
  switch (connection->send_queued()) {
    case Connection::Sent::Error:
      close_connection(connection);
      return false;
    case Connection::Sent::Some:
      // A client that reads its replies is not idle, however slowly it reads.
      timeouts_.active(connection, now);
      return true;
    case Connection::Sent::Nothing:
      return true;
  }
  return true;
}

bool TcpLoop::update_interest(Connection* connection) {
  uint32_t interest = 0;
  if (!connection->closing && !connection->peer_closed && !connection->backed_up() &&
      connection->input_length < connection->input_capacity) {
    interest |= EPOLLIN;
  }
  if (connection->pending_output() > 0) {
    interest |= EPOLLOUT;
  }
  if (interest == connection->interest) {
    return true;
  }
  epoll_event event{};
  event.events = interest;
  event.data.fd = connection->fd.get();
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, connection->fd.get(), &event) != 0) {
    spdlog::warn("tcp: epoll_ctl: {}", net::errno_text(errno));
    close_connection(connection);
    return false;
  }
  connection->interest = interest;
  return true;
}

void TcpLoop::close_connection(Connection* connection) {
  timeouts_.forget(connection);
  admission_.remove(connection);
  int fd = connection->fd.get();
  epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  connections_[fd].reset();  // closes the socket
}

void TcpLoop::expire(Clock::time_point now) {
  bool idle = false;
  while (Connection* connection = timeouts_.expired(now, &idle)) {
    net::ConnectionCounters::add(idle ? counters_->timed_out_idle : counters_->timed_out_request);
    close_connection(connection);
  }
}

// The next connection timeout, or the end of a pause of the listener if that comes first.
int TcpLoop::next_timeout_ms(Clock::time_point now) const {
  std::optional<Clock::time_point> deadline = timeouts_.next_deadline();
  if (!listener_enabled_ && (!deadline || listener_resume_at_ < *deadline)) {
    deadline = listener_resume_at_;
  }
  return net::epoll_timeout_ms(deadline, now);
}

// Replies for deferred queries: framed and queued like the others. A reply for a connection
// that has closed since is dropped.
void TcpLoop::complete_deferred(Clock::time_point now) {
  completions_->take(&completed_);
  for (net::TcpCompletions::Completion& done : completed_) {
    size_t fd = static_cast<uint32_t>(done.connection);
    if (fd >= connections_.size() || !connections_[fd] || connections_[fd]->id != done.connection) {
      continue;
    }
    Connection* connection = connections_[fd].get();
    if (connection->deferred > 0) {
      --connection->deferred;
    }
    if (!done.reply.empty() && done.reply.size() <= kMaxMessage) {
      connection->queue_reply(done.reply);
    }
    timeouts_.active(connection, now);
    progress(connection, now);
  }
  completed_.clear();
}

void TcpLoop::set_listener_enabled(bool enabled) {
  epoll_event event{};
  event.events = enabled ? uint32_t{EPOLLIN} : uint32_t{0};
  event.data.fd = listener_.get();
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, listener_.get(), &event) != 0) {
    spdlog::warn("tcp: epoll_ctl(listener): {}", net::errno_text(errno));
    return;
  }
  listener_enabled_ = enabled;
}

}  // namespace vmdns::server
