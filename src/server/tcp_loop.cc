// The TCP loop's thread: its epoll set, the wake-ups, the timeouts and the replies that come
// back later. Accepting and closing connections are in tcp_loop_accept.cc, a connection's
// reading, answering and sending in tcp_loop_io.cc, streamed replies in tcp_loop_streams.cc.

#include "server/tcp_loop.h"

#include <spdlog/spdlog.h>
#include <sys/epoll.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "net/epoll_timeout.h"

namespace vmdns::server {
namespace {

constexpr size_t kMaxMessage = TcpConnection::kMaxMessage;
constexpr int kMaxEvents = 64;

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
      pump_(std::chrono::milliseconds(limits.idle_timeout_ms), limits.clock) {
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
  if (!tick_.valid()) {
    *error = "eventfd: " + net::errno_text(errno);
    return false;
  }
  for (int fd : {listener_.get(), stop_fd_, completions_->fd(), pump_.returned_fd(), tick_.fd()}) {
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
    int timeout = next_timeout_ms(clock_now());
    if (timeout < 0) {
      // Nothing to time (no connection): the loop may sleep for long, so the handler lets go of
      // its snapshot rather than keep an old one alive until the next TCP query.
      handler_->idle();
    }
    int ready = epoll_wait(epoll_.get(), events, kMaxEvents, timeout);
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      // EBADF, EFAULT or EINVAL: our own bug, not something the network can cause.
      spdlog::critical("tcp: epoll_wait: {}", net::errno_text(errno));
      std::abort();
    }
    // One clock reading per wake-up, handed to the handler for the queries it answers: the
    // steady clock always, as it times real work; the timeouts' clock may be a test's.
    Clock::time_point woke = Clock::now();
    Clock::time_point now = limits_.clock ? limits_.clock() : woke;
    handler_->begin_batch(woke);
    bool stop = false;
    uint64_t ticket = 0;
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
      } else if (fd == tick_.fd()) {
        ticket = tick_.take();
        now = clock_now();  // the time the tick was asked at, or later
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
    tick_.served(ticket);
  }
  tick_.close();
  // The pump writes to lent connections: it stops before any of them closes.
  pump_.stop();
  timeouts_.clear();
  connections_.clear();
  admission_.clear();
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
