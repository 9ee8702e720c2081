// The operations HTTP server over real loopback sockets: routing, methods, and bad requests
// answered with a status, never a crash or a hang; and its limits, with clients on several
// loopback addresses (127.0.0.2, 127.0.0.3, ...).
//
// Behaviour checked (limits):
//   - a client past its per-client limit is closed at once while another address is
//     answered; a flood of one listener leaves another listener's budget whole;
//   - a full listener closes the oldest unanswered connection of the client holding the most
//     for a client holding fewer, and refuses a client holding as many as anyone;
//   - a connection that sends nothing is closed after the idle timeout; one that trickles a
//     request in is closed the request timeout after its first octet, however often it sends;
//   - the counters follow.

#include "ops/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "net/listen_address.h"

namespace vmdns::ops {
namespace {

// Sends `request` and reads the whole response (the server closes after it).
std::string exchange(uint16_t port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return "connect failed";
  }
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      break;
    }
    sent += static_cast<size_t>(n);
  }
  std::string response;
  char buffer[4096];
  for (;;) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      break;
    }
    response.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return response;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    auto address = net::parse_listen_address("127.0.0.1:0", &error);
    ASSERT_TRUE(address) << error;
    ASSERT_TRUE(
        http_.add_listener(*address,
                           {{"/health",
                             [] {
                               return HttpResponse{200, "OK"};
                             }},
                            {"/ready",
                             [] {
                               return HttpResponse{503, "not yet\n"};
                             }},
                            {"/big",
                             [] {
                               return HttpResponse{200, std::string(1 << 20, 'x')};
                             }},
                            {"/throws", []() -> HttpResponse { throw std::runtime_error("x"); }},
                            {"/under/", nullptr,
                             [](const HttpRequest& request) {
                               return HttpResponse{200, std::string(request.path) + " " +
                                                            std::string(request.query)};
                             }}},
                           &error))
        << error;
    ASSERT_TRUE(http_.start(&error)) << error;
    port_ = http_.bound_address(0).port();
  }

  static std::string status_line(const std::string& response) {
    return response.substr(0, response.find("\r\n"));
  }

  HttpServer http_;
  uint16_t port_ = 0;
};

TEST_F(HttpServerTest, Table) {
  struct Case {
    std::string request;
    std::string status_line;
    std::string body_ends_with;
  };
  std::vector<Case> cases = {
      {"GET /health HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK", "\r\n\r\nOK"},
      {"GET /ready HTTP/1.0\r\n\r\n", "HTTP/1.1 503 Service Unavailable", "not yet\n"},
      {"HEAD /health HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK", "Connection: close\r\n\r\n"},
      {"GET /nope HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found", "not found\n"},
      {"POST /health HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 405 Method Not Allowed", ""},
      {"garbage\r\n\r\n", "HTTP/1.1 400 Bad Request", ""},
      {"GET / HTTP/1.1\r\nX: " + std::string(10000, 'a') + "\r\n\r\n",
       "HTTP/1.1 431 Request Header Fields Too Large", ""},
      {"GET /throws HTTP/1.1\r\n\r\n", "HTTP/1.1 500 Internal Server Error", ""},
      // An endpoint of a prefix reads the path under it and the query string.
      {"GET /under/db.sub?output=json HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK",
       "/under/db.sub output=json"},
      {"GET /under/ HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found", "not found\n"},
      {"GET /under HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found", "not found\n"},
      {"GET /health HTTP/1.1\r\n\r\nGET /health HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK",
       "\r\n\r\nOK"},  // one response per connection
  };
  for (const Case& c : cases) {
    std::string response = exchange(port_, c.request);
    EXPECT_EQ(status_line(response), c.status_line) << c.request.substr(0, 40);
    EXPECT_TRUE(response.ends_with(c.body_ends_with)) << response.substr(0, 200);
  }
}

// The listener's name (the metrics' `endpoints` label) is its exact paths: the endpoint under
// /under/ does not rename it.
TEST_F(HttpServerTest, NamedByItsExactPaths) {
  EXPECT_EQ(http_.paths(0), "/health,/ready,/big,/throws");
}

TEST_F(HttpServerTest, LargeResponseArrivesWhole) {
  std::string response = exchange(port_, "GET /big HTTP/1.1\r\n\r\n");
  EXPECT_EQ(status_line(response), "HTTP/1.1 200 OK");
  EXPECT_NE(response.find("Content-Length: 1048576\r\n"), std::string::npos);
  EXPECT_EQ(response.size() - (response.find("\r\n\r\n") + 4), size_t{1} << 20);
}

TEST_F(HttpServerTest, ClientThatSendsNothingDoesNotBlockOthers) {
  int idle = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port_);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(idle, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_EQ(status_line(exchange(port_, "GET /health HTTP/1.1\r\n\r\n")), "HTTP/1.1 200 OK");
  close(idle);
}

using namespace std::chrono_literals;

// A connection from `source` (a loopback address) to `port`.
class Client {
 public:
  Client(uint16_t port, const char* source) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source, &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    if (bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0 ||
        connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
      ADD_FAILURE() << "connect from " << source;
    }
  }
  ~Client() { close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool send_text(const std::string& text) {
    return ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(text.size());
  }
  // The status line of the response to `request`; empty when the connection was closed.
  std::string get(const std::string& path) {
    if (!send_text("GET " + path + " HTTP/1.1\r\n\r\n")) {
      return "";
    }
    std::string response;
    char buffer[4096];
    ssize_t n;
    while ((n = recv(fd_, buffer, sizeof(buffer), 0)) > 0) {
      response.append(buffer, static_cast<size_t>(n));
    }
    return response.substr(0, response.find("\r\n"));
  }
  // True when the server closes the connection within `timeout` (without a response).
  bool closed_by_server(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
      return false;
    }
    char byte;
    ssize_t n = recv(fd_, &byte, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  int fd_ = -1;
};

class HttpLimitsTest : public ::testing::Test {
 protected:
  // Two listeners, /health and /metrics, each with `limits`.
  void start(HttpLimits limits) {
    http_ = std::make_unique<HttpServer>(limits);
    std::string error;
    auto address = net::parse_listen_address("127.0.0.1:0", &error);
    for (const char* path : {"/health", "/metrics"}) {
      ASSERT_TRUE(http_->add_listener(
          *address, {{path, [] { return HttpResponse{200, "OK"}; }}}, &error))
          << error;
    }
    ASSERT_TRUE(http_->start(&error)) << error;
  }
  uint16_t port(size_t listener) const { return http_->bound_address(listener).port(); }
  const net::ConnectionCounters& counters(size_t listener) const {
    return *http_->counters(listener);
  }

  std::unique_ptr<HttpServer> http_;
};

TEST_F(HttpLimitsTest, PerClientLimitAndListenersApart) {
  start({.max_connections = 64, .max_connections_per_client = 2});
  Client a1(port(1), "127.0.0.2");
  Client a2(port(1), "127.0.0.2");
  Client a3(port(1), "127.0.0.2");
  EXPECT_TRUE(a3.closed_by_server(2000ms));
  EXPECT_EQ(Client(port(1), "127.0.0.3").get("/metrics"), "HTTP/1.1 200 OK");
  // The other listener's budget is its own: 127.0.0.2 is welcome there.
  Client h1(port(0), "127.0.0.2");
  EXPECT_EQ(Client(port(0), "127.0.0.2").get("/health"), "HTTP/1.1 200 OK");
  EXPECT_EQ(a1.get("/metrics"), "HTTP/1.1 200 OK");
  EXPECT_EQ(http_->paths(1), "/metrics");
  EXPECT_EQ(counters(1).refused_client_limit.load(), 1u);
  EXPECT_EQ(counters(0).refused_client_limit.load(), 0u);
  EXPECT_EQ(counters(0).accepted.load(), 2u);
}

TEST_F(HttpLimitsTest, FullListenerMakesRoomForALighterClient) {
  start({.max_connections = 3, .max_connections_per_client = 3});
  Client a1(port(0), "127.0.0.2");
  ASSERT_TRUE(a1.send_text("GET /health HTTP/1.1\r\n"));  // begun, unanswered
  // a1 accepted before a2 connects, so that a2's activity is later on the loop's clock (a
  // fixed 5 ms let a slow loop accept both in one wake-up, at one time).
  for (int i = 0; i < 1000 && counters(0).accepted.load() != 1; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  std::this_thread::sleep_for(5ms);
  Client a2(port(0), "127.0.0.2");
  Client b(port(0), "127.0.0.3");
  // All three accepted: waited for on the listener's counter, not for a time.
  for (int i = 0; i < 1000 && counters(0).accepted.load() != 3; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(counters(0).accepted.load(), 3u);
  EXPECT_EQ(Client(port(0), "127.0.0.4").get("/health"), "HTTP/1.1 200 OK");
  EXPECT_TRUE(a1.closed_by_server(2000ms)) << "the oldest of the heaviest client's";
  // Once 127.0.0.4's answered connection has gone, there is room without closing another.
  for (int i = 0; i < 1000 && counters(0).open.load() != 2; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(Client(port(0), "127.0.0.5").get("/health"), "HTTP/1.1 200 OK");
  EXPECT_EQ(a2.get("/health"), "HTTP/1.1 200 OK");
  EXPECT_EQ(counters(0).evicted.load(), 1u);
}

TEST_F(HttpLimitsTest, IdleAndRequestTimeouts) {
  start({.idle_timeout = 300ms, .request_timeout = 600ms});
  auto began = std::chrono::steady_clock::now();
  Client silent(port(0), "127.0.0.2");
  Client trickle(port(0), "127.0.0.3");
  ASSERT_TRUE(trickle.send_text("GET /health HTTP/1.1\r\n"));
  EXPECT_TRUE(silent.closed_by_server(3000ms));
  EXPECT_GE(std::chrono::steady_clock::now() - began, 250ms);
  // One octet every 100 ms does not keep the request open past 600 ms from its first octet.
  bool closed = false;
  for (int i = 0; i < 30 && !closed; ++i) {
    closed = !trickle.send_text("X") || trickle.closed_by_server(100ms);
  }
  EXPECT_TRUE(closed);
  EXPECT_GE(std::chrono::steady_clock::now() - began, 550ms);
  EXPECT_EQ(counters(0).timed_out_idle.load(), 1u);
  EXPECT_EQ(counters(0).timed_out_request.load(), 1u);
  EXPECT_EQ(Client(port(0), "127.0.0.3").get("/health"), "HTTP/1.1 200 OK");
}

}  // namespace
}  // namespace vmdns::ops
