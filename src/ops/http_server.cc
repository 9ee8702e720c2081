#include "ops/http_server.h"

#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>
#include <unordered_map>

#include "ops/http_request.h"
#include "server/socket_util.h"

namespace vmdns::ops {

using server::UniqueFd;
using Clock = std::chrono::steady_clock;

namespace {

// epoll tags: listeners are tagged with their index, the stop eventfd and connections apart.
constexpr uint64_t kStopTag = ~uint64_t{0};
constexpr uint64_t kConnectionBit = uint64_t{1} << 62;

std::string format_response(const HttpRequest* request, const HttpResponse& response) {
  std::string text = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\n"
      "{}Connection: close\r\n\r\n",
      response.status, http_reason(response.status), response.content_type, response.body.size(),
      response.status == 405 ? "Allow: GET, HEAD\r\n" : "");
  if (request == nullptr || request->method != "HEAD") {
    text += response.body;
  }
  return text;
}

}  // namespace

std::string_view http_reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

struct HttpServer::Impl {
  struct Listener {
    UniqueFd fd;
    server::ListenAddress bound;
    std::vector<HttpEndpoint> endpoints;
  };
  struct Connection {
    UniqueFd fd;
    size_t listener = 0;
    std::string in;
    std::string out;
    size_t sent = 0;
    bool responded = false;  // the response is queued; afterwards input is read and dropped
    Clock::time_point deadline;
  };

  std::vector<Listener> listeners;
  UniqueFd epoll;
  UniqueFd stop_fd;
  std::thread thread;
  std::unordered_map<int, Connection> connections;  // the server thread only

  void run();
  void accept_from(size_t index, Clock::time_point now);
  void on_connection(int fd, uint32_t events);
  void respond(Connection& connection);
  bool flush(Connection& connection);  // false: the connection is finished or broken
  void close_connection(int fd) { connections.erase(fd); }  // closing takes it out of epoll
  void watch(int fd, uint32_t events, uint64_t tag, int op) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = tag;
    epoll_ctl(epoll.get(), op, fd, &event);
  }
};

HttpServer::HttpServer() : impl_(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() {
  stop();
}

bool HttpServer::add_listener(const server::ListenAddress& address,
                              std::vector<HttpEndpoint> endpoints, std::string* error,
                              bool dual_stack) {
  int error_number = 0;
  Impl::Listener listener;
  listener.fd = server::open_tcp_listener(address, error, &error_number, dual_stack);
  if (!listener.fd.valid()) {
    return false;
  }
  if (!server::local_address(listener.fd.get(), &listener.bound, error)) {
    return false;
  }
  listener.endpoints = std::move(endpoints);
  impl_->listeners.push_back(std::move(listener));
  return true;
}

server::ListenAddress HttpServer::bound_address(size_t index) const {
  return index < impl_->listeners.size() ? impl_->listeners[index].bound : server::ListenAddress{};
}

bool HttpServer::start(std::string* error) {
  Impl& s = *impl_;
  if (s.thread.joinable()) {
    *error = "the HTTP server is already running";
    return false;
  }
  s.epoll.reset(epoll_create1(EPOLL_CLOEXEC));
  s.stop_fd.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!s.epoll.valid() || !s.stop_fd.valid()) {
    *error = "epoll/eventfd: " + server::errno_text(errno);
    return false;
  }
  s.watch(s.stop_fd.get(), EPOLLIN, kStopTag, EPOLL_CTL_ADD);
  for (size_t i = 0; i < s.listeners.size(); ++i) {
    s.watch(s.listeners[i].fd.get(), EPOLLIN, i, EPOLL_CTL_ADD);
  }
  s.thread = std::thread([&s] {
    pthread_setname_np(pthread_self(), "vmdns-http");
    s.run();
  });
  return true;
}

void HttpServer::stop() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) {
    return;
  }
  uint64_t one = 1;
  while (write(s.stop_fd.get(), &one, sizeof(one)) < 0 && errno == EINTR) {
  }
  s.thread.join();
  s.connections.clear();
}

void HttpServer::Impl::run() {
  epoll_event events[32];
  for (;;) {
    // A one-second tick closes connections past their deadline.
    int ready = epoll_wait(epoll.get(), events, 32, 1000);
    if (ready < 0 && errno != EINTR) {
      spdlog::error("http: epoll_wait: {}", server::errno_text(errno));
      return;
    }
    Clock::time_point now = Clock::now();
    for (int i = 0; i < ready; ++i) {
      uint64_t tag = events[i].data.u64;
      if (tag == kStopTag) {
        return;
      }
      if ((tag & kConnectionBit) != 0) {
        on_connection(static_cast<int>(tag & ~kConnectionBit), events[i].events);
      } else {
        accept_from(static_cast<size_t>(tag), now);
      }
    }
    for (auto it = connections.begin(); it != connections.end();) {
      it = it->second.deadline <= now ? connections.erase(it) : std::next(it);
    }
  }
}

void HttpServer::Impl::accept_from(size_t index, Clock::time_point now) {
  for (;;) {
    int fd = accept4(listeners[index].fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) {
        continue;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        spdlog::warn("http: accept: {}", server::errno_text(errno));
      }
      return;
    }
    if (connections.size() >= HttpServer::kMaxConnections) {
      close(fd);
      continue;
    }
    Connection& connection = connections[fd];
    connection.fd.reset(fd);
    connection.listener = index;
    connection.deadline = now + HttpServer::kConnectionDeadline;
    watch(fd, EPOLLIN | EPOLLRDHUP, kConnectionBit | static_cast<uint64_t>(fd), EPOLL_CTL_ADD);
  }
}

void HttpServer::Impl::on_connection(int fd, uint32_t events) {
  auto it = connections.find(fd);
  if (it == connections.end()) {
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

void HttpServer::Impl::respond(Connection& connection) {
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
    for (const HttpEndpoint& candidate : listeners[connection.listener].endpoints) {
      if (candidate.path == request.path) {
        endpoint = &candidate;
      }
    }
    if (endpoint == nullptr) {
      response = {404, "not found\n"};
    } else if (request.method != "GET" && request.method != "HEAD") {
      response = {405, "only GET and HEAD\n"};
    } else {
      try {
        response = endpoint->respond();
      } catch (const std::exception& e) {
        spdlog::error("http: {}: {}", request.path, e.what());
        response = {500, "internal error\n"};
      }
    }
  }
  connection.out = format_response(head, response);
  connection.responded = true;
  connection.in.clear();
  connection.in.shrink_to_fit();
}

bool HttpServer::Impl::flush(Connection& connection) {
  if (!connection.responded) {
    return true;
  }
  while (connection.sent < connection.out.size()) {
    ssize_t n = send(connection.fd.get(), connection.out.data() + connection.sent,
                     connection.out.size() - connection.sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      watch(connection.fd.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP,
            kConnectionBit | static_cast<uint64_t>(connection.fd.get()), EPOLL_CTL_MOD);
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
    shutdown(connection.fd.get(), SHUT_WR);
    connection.out.clear();
    connection.sent = 0;
    watch(connection.fd.get(), EPOLLIN | EPOLLRDHUP,
          kConnectionBit | static_cast<uint64_t>(connection.fd.get()), EPOLL_CTL_MOD);
  }
  return true;
}

}  // namespace vmdns::ops
