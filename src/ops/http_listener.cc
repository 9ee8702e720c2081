#include "ops/http_listener.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "net/epoll_timeout.h"
#include "ops/http_request.h"

namespace vmdns::ops {

using net::ConnectionCounters;

namespace {

// epoll tags besides a connection's fd.
constexpr uint64_t kStopTag = ~uint64_t{0};
constexpr uint64_t kListenerTag = ~uint64_t{0} - 1;
constexpr uint64_t kTickTag = ~uint64_t{0} - 2;
constexpr int kMaxEvents = 32;
// Connections accepted per readiness event, so that a connection storm does not starve the
// requests of connections already open.
constexpr int kAcceptBatch = 32;
// When accept fails for lack of descriptors or memory, the listener rests this long instead of
// spinning on a socket that stays readable.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

// The listener's name in logs and in the `endpoints` label of its metrics: its exact paths. An
// endpoint under a path (/explain/ beside /health) does not rename it, so that dashboards and
// alerts on endpoints="/health" keep working.
std::string joined_paths(const std::vector<HttpEndpoint>& endpoints) {
  std::string paths;
  for (const HttpEndpoint& endpoint : endpoints) {
    if (endpoint.respond_to && endpoints.size() > 1) {
      continue;
    }
    paths += (paths.empty() ? "" : ",") + endpoint.path;
  }
  return paths;
}

}  // namespace

HttpListener::HttpListener(net::UniqueFd socket, net::ListenAddress bound,
                           std::vector<HttpEndpoint> endpoints, const HttpLimits& limits)
    : socket_(std::move(socket)),
      bound_(bound),
      endpoints_(std::move(endpoints)),
      paths_(joined_paths(endpoints_)),
      limits_(limits),
      counters_(std::make_shared<ConnectionCounters>()),
      idle_(&Connection::idle, limits.idle_timeout),
      request_(&Connection::request, limits.request_timeout),
      admission_("http " + paths_,
                 {.max_connections = limits.max_connections,
                  .max_per_client = limits.max_connections_per_client,
                  .client_ipv6_prefix = limits.client_ipv6_prefix},
                 &Connection::client, counters_.get()) {}

HttpListener::~HttpListener() {
  stop();
}

bool HttpListener::start(std::string* error) {
  if (thread_.joinable()) {
    *error = "the HTTP listener is already running";
    return false;
  }
  epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
  stop_fd_.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!epoll_.valid() || !stop_fd_.valid() || !tick_.valid()) {
    *error = "epoll/eventfd: " + net::errno_text(errno);
    return false;
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kStopTag;
  epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, stop_fd_.get(), &event);
  event.data.u64 = kListenerTag;
  epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, socket_.get(), &event);
  event.data.u64 = kTickTag;
  epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, tick_.fd(), &event);
  tick_.open();
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "vmdns-http");
    run();
  });
  return true;
}

void HttpListener::stop() {
  if (!thread_.joinable()) {
    return;
  }
  uint64_t one = 1;
  while (write(stop_fd_.get(), &one, sizeof(one)) < 0 && errno == EINTR) {
  }
  thread_.join();
}

void HttpListener::run() {
  epoll_event events[kMaxEvents];
  for (;;) {
    Clock::time_point now = clock_now();
    std::optional<Clock::time_point> next;
    Clock::time_point deadline;
    if (idle_.next_deadline(&deadline)) {
      next = deadline;
    }
    if (request_.next_deadline(&deadline) && (!next || deadline < *next)) {
      next = deadline;
    }
    if (!listening_ && (!next || resume_at_ < *next)) {
      next = resume_at_;
    }
    int ready = epoll_wait(epoll_.get(), events, kMaxEvents, net::epoll_timeout_ms(next, now));
    if (ready < 0 && errno != EINTR) {
      spdlog::error("http {}: epoll_wait: {}", paths_, net::errno_text(errno));
      break;
    }
    now = clock_now();
    bool stopping = false;
    uint64_t ticket = 0;
    for (int i = 0; i < ready; ++i) {
      uint64_t tag = events[i].data.u64;
      if (tag == kStopTag) {
        stopping = true;
      } else if (tag == kListenerTag) {
        accept_all(now);
      } else if (tag == kTickTag) {
        ticket = tick_.take();
        now = clock_now();  // the time the tick was asked at, or later
      } else {
        on_connection(static_cast<int>(tag), events[i].events, now);
      }
    }
    if (stopping) {
      break;
    }
    expire(now);
    if (!listening_ && now >= resume_at_) {
      set_listening(true, now);
    }
    tick_.served(ticket);
  }
  tick_.close();
  idle_.clear();
  request_.clear();
  connections_.clear();
  admission_.clear();
}

void HttpListener::set_listening(bool on, Clock::time_point now) {
  epoll_event event{};
  event.events = on ? uint32_t{EPOLLIN} : uint32_t{0};
  event.data.u64 = kListenerTag;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, socket_.get(), &event) == 0) {
    listening_ = on;
    resume_at_ = now + kAcceptPause;
  }
}

void HttpListener::accept_all(Clock::time_point now) {
  for (int i = 0; i < kAcceptBatch; ++i) {
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof(peer);
    int fd = accept4(socket_.get(), reinterpret_cast<sockaddr*>(&peer), &peer_length,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) {
        continue;
      }
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        spdlog::warn("http {}: accept: {}; pausing new connections for {} ms", paths_,
                     net::errno_text(errno), kAcceptPause.count());
        set_listening(false, now);
      } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        spdlog::warn("http {}: accept: {}", paths_, net::errno_text(errno));
      }
      return;
    }
    net::UniqueFd socket(fd);
    // When the listener is full, the heaviest client gives up its oldest connection that has
    // not been answered; one whose response is on its way is never closed for another.
    Connection* victim = nullptr;
    auto key = admission_.admit(
        peer, now,
        [](const Connection& c) {
          return c.responded ? std::nullopt : std::optional<Clock::time_point>(c.accepted);
        },
        &victim);
    if (!key) {
      continue;  // closed at once: the client learns now, not at a timeout
    }
    if (victim != nullptr) {
      close_connection(victim->fd.get());
    }
    Connection& connection = connections_.try_emplace(fd).first->second;
    connection.fd = std::move(socket);
    connection.accepted = now;
    idle_.restart(&connection, now);
    admission_.add(&connection, *key);
    watch(fd, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_ADD);
  }
}

void HttpListener::on_connection(int fd, uint32_t events, Clock::time_point now) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) {
    return;
  }
  Connection& connection = it->second;
  if ((events & EPOLLERR) != 0) {
    close_connection(fd);
    return;
  }
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) != 0) {
    char buffer[4096];
    for (;;) {
      ssize_t n = read(fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          close_connection(fd);
          return;
        }
        break;
      }
      if (n == 0) {
        // The client is done sending. Unanswered, it gave up; answered and flushed, we are
        // done; otherwise the response is still to be sent (below).
        if (!connection.responded || connection.out.empty()) {
          close_connection(fd);
          return;
        }
        break;
      }
      if (!connection.began) {
        // The request's deadline runs from its first octet; what follows does not move it.
        connection.began = true;
        idle_.remove(&connection);
        request_.restart(&connection, now);
      }
      if (!connection.responded) {
        connection.in.append(buffer, static_cast<size_t>(n));
        respond(connection);
        if (!connection.responded) {
          continue;
        }
      }
      // After the response, input is read and dropped, so that closing never resets the
      // connection while our response is still in flight.
    }
  }
  if (!flush(connection)) {
    close_connection(fd);
  }
}

void HttpListener::respond(Connection& connection) {
  HttpRequest request;
  HttpParse parsed = parse_http_request(connection.in, &request);
  if (parsed == HttpParse::Incomplete) {
    return;
  }
  HttpResponse response;
  const HttpRequest* head = nullptr;
  if (parsed == HttpParse::Bad) {
    response = {400, "bad request\n"};
  } else if (parsed == HttpParse::TooLarge) {
    response = {431, "request head too large\n"};
  } else {
    head = &request;
    const HttpEndpoint* endpoint = nullptr;
    for (const HttpEndpoint& candidate : endpoints_) {
      bool matches = candidate.respond_to ? request.path.size() > candidate.path.size() &&
                                                request.path.starts_with(candidate.path)
                                          : candidate.path == request.path;
      if (matches) {
        endpoint = &candidate;
      }
    }
    if (endpoint == nullptr) {
      response = {404, "not found\n"};
    } else if (request.method != "GET" && request.method != "HEAD") {
      response = {405, "only GET and HEAD\n"};
    } else {
      try {
        response = endpoint->respond_to ? endpoint->respond_to(request) : endpoint->respond();
      } catch (const std::exception& e) {
        spdlog::error("http: {}: {}", request.path, e.what());
        response = {500, "internal error\n"};
      }
    }
  }
  connection.out = format_http_response(head, response);
  connection.responded = true;
  connection.in.clear();
  connection.in.shrink_to_fit();
}

bool HttpListener::flush(Connection& connection) {
  if (!connection.responded) {
    return true;
  }
  int fd = connection.fd.get();
  while (connection.sent < connection.out.size()) {
    ssize_t n = send(fd, connection.out.data() + connection.sent,
                     connection.out.size() - connection.sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      watch(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP, EPOLL_CTL_MOD);
      return true;
    }
    if (n < 0) {
      return false;
    }
    connection.sent += static_cast<size_t>(n);
  }
  // Everything is sent: half-close, and wait for the client's end (or the deadline) to close,
  // so that unread input cannot turn our close into a reset that loses the response.
  if (!connection.out.empty()) {
    shutdown(fd, SHUT_WR);
    connection.out.clear();
    connection.out.shrink_to_fit();
    connection.sent = 0;
    watch(fd, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
  }
  return true;
}

void HttpListener::close_connection(int fd) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) {
    return;
  }
  idle_.remove(&it->second);
  request_.remove(&it->second);
  admission_.remove(&it->second);
  connections_.erase(it);  // closing the socket takes it out of epoll
}

void HttpListener::expire(Clock::time_point now) {
  while (Connection* connection = idle_.expired(now)) {
    ConnectionCounters::add(counters_->timed_out_idle);
    close_connection(connection->fd.get());
  }
  while (Connection* connection = request_.expired(now)) {
    // An answered connection that the client has not closed yet is not a slow request.
    if (!connection->responded || !connection->out.empty()) {
      ConnectionCounters::add(counters_->timed_out_request);
    }
    close_connection(connection->fd.get());
  }
}

void HttpListener::watch(int fd, uint32_t events, int op) {
  epoll_event event{};
  event.events = events;
  event.data.u64 = static_cast<uint64_t>(fd);
  epoll_ctl(epoll_.get(), op, fd, &event);
}

}  // namespace vmdns::ops
