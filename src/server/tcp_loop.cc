#include "server/tcp_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace vmdns::server {
namespace {

// The largest DNS message: its length is carried in two octets (RFC 1035 section 4.2.2).
constexpr size_t kMaxMessage = 65535;
// A new connection starts with room for a few ordinary queries; the buffer grows to kMaxInput
// only when a longer message announces itself.
constexpr size_t kInitialInput = 4096;
// An output buffer larger than this is released once drained, so an idle connection that once
// had a backlog does not keep it.
constexpr size_t kKeptOutputCapacity = size_t{64} * 1024;
constexpr int kMaxEvents = 64;
// Connections accepted per readiness event, so a connection storm does not starve the
// established connections.
constexpr int kAcceptBatch = 64;
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

}  // namespace

struct TcpLoop::Connection {
  UniqueFd fd;
  std::unique_ptr<uint8_t[]> input;
  size_t input_capacity = 0;
  size_t input_length = 0;
  std::vector<uint8_t> output;
  size_t output_sent = 0;
  uint32_t interest = 0;
  // No more queries are answered (the handler asked to close, or the client sent a zero-length
  // message); the connection closes once the replies already queued are sent.
  bool closing = false;
  // The client closed its sending side: answer what is complete, send it, then close.
  bool peer_closed = false;
  uint64_t id = 0;
  // The client's address, for handlers that answer by who asks (ReplyRoute::peer).
  sockaddr_storage peer{};
  socklen_t peer_length = 0;
  // Queries the handler deferred whose replies have not come back yet; the connection stays
  // open for them after the client closes its side.
  size_t deferred = 0;
  Clock::time_point deadline{};
  Connection* older = nullptr;
  Connection* newer = nullptr;

  size_t pending_output() const { return output.size() - output_sent; }
  // No room for one more reply of the largest size.
  bool backed_up() const { return pending_output() + 2 + kMaxMessage > kMaxOutput; }
  size_t next_length() const { return (size_t{input[0]} << 8) | input[1]; }
  bool has_complete_message() const {
    return input_length >= 2 && input_length >= 2 + next_length();
  }
};

TcpLoop::TcpLoop(UniqueFd listener, std::unique_ptr<QueryHandler> handler, TcpLimits limits,
                 int stop_fd, const std::atomic<bool>* stopping)
    : listener_(std::move(listener)),
      handler_(std::move(handler)),
      limits_(limits),
      stop_fd_(stop_fd),
      stopping_(stopping),
      reply_(std::make_unique_for_overwrite<uint8_t[]>(2 + kMaxMessage)),
      completions_(std::make_unique<TcpCompletions>()) {
  route_.transport = Transport::Tcp;
  route_.tcp = completions_.get();
}

TcpLoop::~TcpLoop() = default;

bool TcpLoop::init(std::string* error) {
  epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.valid()) {
    *error = "epoll_create1: " + errno_text(errno);
    return false;
  }
  if (!completions_->valid()) {
    *error = "eventfd: " + errno_text(errno);
    return false;
  }
  for (int fd : {listener_.get(), stop_fd_, completions_->fd()}) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
      *error = "epoll_ctl: " + errno_text(errno);
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
      spdlog::critical("tcp: epoll_wait: {}", errno_text(errno));
      std::abort();
    }
    Clock::time_point now = Clock::now();
    bool stop = false;
    for (int i = 0; i < ready; ++i) {
      int fd = events[i].data.fd;
      if (fd == stop_fd_) {
        stop = true;
      } else if (fd == completions_->fd()) {
        complete_deferred(now);
      } else if (fd == listener_.get()) {
        accept_connections(now);
      } else if (static_cast<size_t>(fd) < connections_.size() && connections_[fd]) {
        on_event(connections_[fd].get(), events[i].events, now);
      }
    }
    if (stop) {
      break;
    }
    expire_idle(now);
    if (!listener_enabled_ && now >= listener_resume_at_) {
      set_listener_enabled(true);
    }
  }
  idle_oldest_ = nullptr;
  idle_newest_ = nullptr;
  connections_.clear();
  open_connections_ = 0;
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
          spdlog::warn("tcp: accept: {}; pausing new connections for {} ms", errno_text(errno),
                       kAcceptPause.count());
          set_listener_enabled(false);
          listener_resume_at_ = now + kAcceptPause;
          return;
        default:
          // ECONNABORTED, EPROTO and the network errors accept(2) passes on belong to the one
          // connection that failed.
          spdlog::debug("tcp: accept: {}", errno_text(errno));
          continue;
      }
    }
    UniqueFd socket(fd);
    if (open_connections_ >= limits_.max_connections) {
      // Closing at once tells the client to go elsewhere (RFC 7766 section 6.2.2) instead of
      // leaving it in the backlog.
      spdlog::debug("tcp: {} connections open; closing a new one", open_connections_);
      continue;
    }
    // Each batch of replies goes out in one send; Nagle's algorithm would only hold back the
    // next batch on a pipelining connection until the previous one is acknowledged.
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    auto connection = std::make_unique<Connection>();
    connection->fd = std::move(socket);
    connection->input = std::make_unique_for_overwrite<uint8_t[]>(kInitialInput);
    connection->input_capacity = kInitialInput;
    connection->interest = EPOLLIN;
    connection->id = (uint64_t{next_serial_++} << 32) | static_cast<uint32_t>(fd);
    connection->peer = peer;
    connection->peer_length = std::min<socklen_t>(peer_length, sizeof(peer));
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
      spdlog::warn("tcp: epoll_ctl: {}", errno_text(errno));
      continue;
    }
    if (connections_.size() <= static_cast<size_t>(fd)) {
      connections_.resize(static_cast<size_t>(fd) + 1);
    }
    connections_[fd] = std::move(connection);
    ++open_connections_;
    touch(connections_[fd].get(), now);
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
  if (connection->closing || connection->peer_closed ||
      connection->input_length >= connection->input_capacity) {
    return true;
  }
  // One read per readiness event, at most one buffer's worth: with level-triggered epoll the
  // rest is read on the next round, after the other ready connections had their turn.
  ssize_t received;
  do {
    received = recv(connection->fd.get(), connection->input.get() + connection->input_length,
                    connection->input_capacity - connection->input_length, 0);
  } while (received < 0 && errno == EINTR);
  if (received < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return true;
    }
    spdlog::debug("tcp: recv: {}", errno_text(errno));
    close_connection(connection);
    return false;
  }
  if (received == 0) {
    connection->peer_closed = true;
    return true;
  }
  connection->input_length += static_cast<size_t>(received);
  return true;
}

bool TcpLoop::progress(Connection* connection, Clock::time_point now) {
  for (;;) {
    answer_queries(connection, now);
    if (!flush_output(connection, now)) {
      return false;
    }
    // Answering stops while the output is backed up. If the send made room, go on with the
    // queries already buffered: no new read would bring them back to our attention.
    if (connection->closing || connection->backed_up() || !connection->has_complete_message()) {
      break;
    }
  }
  bool done = (connection->closing && connection->deferred == 0) ||
              (connection->peer_closed && !connection->has_complete_message() &&
               connection->deferred == 0);
  if (done && connection->pending_output() == 0) {
    close_connection(connection);
    return false;
  }
  return update_interest(connection);
}

bool TcpLoop::answer_queries(Connection* connection, Clock::time_point now) {
  size_t offset = 0;
  bool answered = false;
  uint8_t* input = connection->input.get();
  while (!connection->closing) {
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
    size_t reply_length = handler_->handle_deferrable(
        std::span<const uint8_t>(input + offset + 2, length),
        std::span<uint8_t>(reply_.get() + 2, kMaxMessage), route_);
    offset += 2 + length;
    answered = true;
    if (reply_length == QueryHandler::kDeferred) {
      ++connection->deferred;
      continue;
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
    reply_[0] = static_cast<uint8_t>(reply_length >> 8);
    reply_[1] = static_cast<uint8_t>(reply_length & 0xff);
    connection->output.insert(connection->output.end(), reply_.get(),
                              reply_.get() + 2 + reply_length);
  }
  if (connection->closing) {
    connection->input_length = 0;
  } else if (offset > 0) {
    std::memmove(input, input + offset, connection->input_length - offset);
    connection->input_length -= offset;
  }
  // A message longer than the buffer: grow it once to the largest possible message.
  if (connection->input_length >= 2 && 2 + connection->next_length() > connection->input_capacity) {
    auto bigger = std::make_unique_for_overwrite<uint8_t[]>(kMaxInput);
    std::memcpy(bigger.get(), connection->input.get(), connection->input_length);
    connection->input = std::move(bigger);
    connection->input_capacity = kMaxInput;
  }
  if (answered) {
    touch(connection, now);
  }
  return answered;
}

bool TcpLoop::flush_output(Connection* connection, Clock::time_point now) {
  bool sent_some = false;
  while (connection->output_sent < connection->output.size()) {
    ssize_t sent = ::send(connection->fd.get(), connection->output.data() + connection->output_sent,
                          connection->output.size() - connection->output_sent, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        break;
      }
      spdlog::debug("tcp: send: {}", errno_text(errno));
      close_connection(connection);
      return false;
    }
    connection->output_sent += static_cast<size_t>(sent);
    sent_some = true;
  }
  if (connection->output_sent == connection->output.size()) {
    connection->output.clear();
    connection->output_sent = 0;
    if (connection->output.capacity() > kKeptOutputCapacity) {
      std::vector<uint8_t>().swap(connection->output);
    }
  } else if (connection->output_sent > 0) {
    connection->output.erase(
        connection->output.begin(),
        connection->output.begin() + static_cast<std::ptrdiff_t>(connection->output_sent));
    connection->output_sent = 0;
  }
  // A client that reads its replies is not idle, however slowly it reads.
  if (sent_some) {
    touch(connection, now);
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
    spdlog::warn("tcp: epoll_ctl: {}", errno_text(errno));
    close_connection(connection);
    return false;
  }
  connection->interest = interest;
  return true;
}

void TcpLoop::close_connection(Connection* connection) {
  unlink_idle(connection);
  int fd = connection->fd.get();
  epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  connections_[fd].reset();  // closes the socket
  --open_connections_;
}

void TcpLoop::touch(Connection* connection, Clock::time_point now) {
  unlink_idle(connection);
  connection->deadline = now + std::chrono::milliseconds(limits_.idle_timeout_ms);
  connection->older = idle_newest_;
  connection->newer = nullptr;
  if (idle_newest_ != nullptr) {
    idle_newest_->newer = connection;
  } else {
    idle_oldest_ = connection;
  }
  idle_newest_ = connection;
}

void TcpLoop::unlink_idle(Connection* connection) {
  if (connection->older != nullptr) {
    connection->older->newer = connection->newer;
  } else if (idle_oldest_ == connection) {
    idle_oldest_ = connection->newer;
  }
  if (connection->newer != nullptr) {
    connection->newer->older = connection->older;
  } else if (idle_newest_ == connection) {
    idle_newest_ = connection->older;
  }
  connection->older = nullptr;
  connection->newer = nullptr;
}

// RFC 7766 section 6.2.3: the server decides how long an idle connection may stay open.
void TcpLoop::expire_idle(Clock::time_point now) {
  while (idle_oldest_ != nullptr && idle_oldest_->deadline <= now) {
    spdlog::debug("tcp: idle for {} ms; closing", limits_.idle_timeout_ms);
    close_connection(idle_oldest_);
  }
}

int TcpLoop::next_timeout_ms(Clock::time_point now) const {
  bool have_deadline = false;
  Clock::time_point deadline{};
  if (idle_oldest_ != nullptr) {
    deadline = idle_oldest_->deadline;
    have_deadline = true;
  }
  if (!listener_enabled_ && (!have_deadline || listener_resume_at_ < deadline)) {
    deadline = listener_resume_at_;
    have_deadline = true;
  }
  if (!have_deadline) {
    return -1;
  }
  if (deadline <= now) {
    return 0;
  }
  // Rounded up, so we never wake just before the deadline and spin.
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
  return wait > INT_MAX ? INT_MAX : static_cast<int>(wait);
}

// Replies for deferred queries: framed and queued like the others. A reply for a connection
// that has closed since is dropped.
void TcpLoop::complete_deferred(Clock::time_point now) {
  completions_->take(&completed_);
  for (TcpCompletions::Completion& done : completed_) {
    size_t fd = static_cast<uint32_t>(done.connection);
    if (fd >= connections_.size() || !connections_[fd] || connections_[fd]->id != done.connection) {
      continue;
    }
    Connection* connection = connections_[fd].get();
    if (connection->deferred > 0) {
      --connection->deferred;
    }
    if (!done.reply.empty() && done.reply.size() <= kMaxMessage) {
      connection->output.push_back(static_cast<uint8_t>(done.reply.size() >> 8));
      connection->output.push_back(static_cast<uint8_t>(done.reply.size() & 0xff));
      connection->output.insert(connection->output.end(), done.reply.begin(), done.reply.end());
    }
    touch(connection, now);
    progress(connection, now);
  }
  completed_.clear();
}

void TcpLoop::set_listener_enabled(bool enabled) {
  epoll_event event{};
  event.events = enabled ? uint32_t{EPOLLIN} : uint32_t{0};
  event.data.fd = listener_.get();
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, listener_.get(), &event) != 0) {
    spdlog::warn("tcp: epoll_ctl(listener): {}", errno_text(errno));
    return;
  }
  listener_enabled_ = enabled;
}

}  // namespace vmdns::server
