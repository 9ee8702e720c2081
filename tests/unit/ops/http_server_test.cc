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
//     request in is closed the request timeout after its first octet, however often it sends
//     (on a clock the test moves: a table of scripts);
//   - the counters follow.

#include "ops/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/listen_address.h"
#include "testing/eventually.h"

namespace vmdns::ops {
namespace {

// Sends `request` and reads the whole response (the server closes after it).
std::string exchange(uint16_t port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{20, 0};  // ends a hang: every read expects its data
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

using testing::eventually;

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
    timeval timeout{20, 0};  // ends a hang: every read expects its data
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
  // Sends and waits until the server's kernel has acknowledged every octet: the octets are in
  // the server's socket, where the listener's next round reads them.
  bool send_acknowledged(const std::string& text) {
    return send_text(text) && eventually([&] {
             int unacknowledged = 0;
             return ioctl(fd_, SIOCOUTQ, &unacknowledged) == 0 && unacknowledged == 0;
           });
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

  // A clock that moves only when the test says (HttpLimits::clock).
  std::function<std::chrono::steady_clock::time_point()> clock() {
    return [this] { return kStart + std::chrono::milliseconds(elapsed_ms_.load()); };
  }
  int64_t elapsed_ms() const { return elapsed_ms_.load(); }
  // Moves the clock on, then waits for a round of every listener at the new time.
  void move_clock(std::chrono::milliseconds by) {
    elapsed_ms_ += by.count();
    http_->tick();
  }
  // Ticks until `listener` has accepted `count` connections, at the clock's present time.
  bool accepted_at_present_time(size_t listener, uint64_t count) {
    return eventually([&] {
      http_->tick();
      return counters(listener).accepted.load() >= count;
    });
  }

  static constexpr std::chrono::steady_clock::time_point kStart =
      std::chrono::steady_clock::time_point{} + std::chrono::seconds(1000);
  std::atomic<int64_t> elapsed_ms_{0};
  std::unique_ptr<HttpServer> http_;  // after the clock it reads
};

TEST_F(HttpLimitsTest, PerClientLimitAndListenersApart) {
  start({.max_connections = 64, .max_connections_per_client = 2});
  Client a1(port(1), "127.0.0.2");
  Client a2(port(1), "127.0.0.2");
  Client a3(port(1), "127.0.0.2");
  EXPECT_TRUE(a3.closed_by_server(20000ms));
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
  start({.max_connections = 3, .max_connections_per_client = 3, .clock = clock()});
  Client a1(port(0), "127.0.0.2");
  ASSERT_TRUE(a1.send_text("GET /health HTTP/1.1\r\n"));  // begun, unanswered
  // a1 accepted before a2 connects, and the clock moved on, so that a2's activity is later on
  // the listener's clock.
  ASSERT_TRUE(accepted_at_present_time(0, 1));
  move_clock(5ms);
  Client a2(port(0), "127.0.0.2");
  Client b(port(0), "127.0.0.3");
  ASSERT_TRUE(accepted_at_present_time(0, 3));
  ASSERT_EQ(counters(0).accepted.load(), 3u);
  EXPECT_EQ(Client(port(0), "127.0.0.4").get("/health"), "HTTP/1.1 200 OK");
  EXPECT_TRUE(a1.closed_by_server(20000ms)) << "the oldest of the heaviest client's";
  // Once 127.0.0.4's answered connection has gone, there is room without closing another.
  ASSERT_TRUE(eventually([&] { return counters(0).open.load() == 2; }));
  EXPECT_EQ(Client(port(0), "127.0.0.5").get("/health"), "HTTP/1.1 200 OK");
  EXPECT_EQ(a2.get("/health"), "HTTP/1.1 200 OK");
  EXPECT_EQ(counters(0).evicted.load(), 1u);
}

// The timeouts on a clock the test moves (HttpLimits::clock): a script of clients connecting
// and sending, and of the clock moving on (each move followed by HttpServer::tick(), one round
// of every listener), with what must be open and closed after each move. Nothing depends on
// how fast the machine is.
enum class Why { Idle, Request };

struct Step {
  enum Kind { Connect, Send, After, Open, Closed, Get } kind;
  int client = 0;
  const char* text = "";          // Send
  std::chrono::milliseconds by{};  // After
  Why why = Why::Idle;             // Closed
};

Step connect_from(int client) { return {Step::Connect, client}; }
Step send_(int client, const char* text) { return {Step::Send, client, text}; }
Step after(std::chrono::milliseconds by) { return {.kind = Step::After, .by = by}; }
Step open(int client) { return {Step::Open, client}; }
Step closed(int client, Why why) { return {.kind = Step::Closed, .client = client, .why = why}; }
Step get(int client) { return {Step::Get, client}; }

struct TimeoutCase {
  const char* name;
  std::vector<Step> steps;
};

// gtest prints a case by its name: ctest lists it by that, not by a dump of its bytes.
void PrintTo(const TimeoutCase& c, std::ostream* out) { *out << c.name; }

// Idle timeout 300 ms, request timeout 600 ms.
const TimeoutCase kTimeoutCases[] = {
    {"idle_closes_a_silent_connection",
     {connect_from(0), after(299ms), open(0), after(1ms), closed(0, Why::Idle), get(1)}},
    {"a_trickle_is_closed_the_request_timeout_after_its_first_octet",
     {connect_from(0), send_(0, "GET /health HTTP/1.1\r\n"), after(100ms), send_(0, "X"),
      after(100ms), send_(0, "X"), after(200ms), send_(0, "X"), after(199ms), open(0),
      after(1ms), closed(0, Why::Request), get(1)}},
    {"each_its_own_clock",
     {connect_from(0), connect_from(1), send_(1, "GET /health HTTP/1.1\r\n"), after(300ms),
      closed(0, Why::Idle), open(1), after(300ms), closed(1, Why::Request), get(2)}},
};

class HttpTimeoutsTest : public HttpLimitsTest,
                         public ::testing::WithParamInterface<TimeoutCase> {};

TEST_P(HttpTimeoutsTest, Script) {
  start({.idle_timeout = 300ms, .request_timeout = 600ms, .clock = clock()});
  std::map<int, std::unique_ptr<Client>> clients;
  uint64_t accepted = 0, idle = 0, request = 0;
  int index = 0;
  for (const Step& step : GetParam().steps) {
    SCOPED_TRACE("step " + std::to_string(index++) + ", at " + std::to_string(elapsed_ms()) +
                 " ms");
    std::string source = "127.0.0." + std::to_string(step.client + 2);
    switch (step.kind) {
      case Step::Connect:
        clients[step.client] = std::make_unique<Client>(port(0), source.c_str());
        ++accepted;
        ASSERT_TRUE(accepted_at_present_time(0, accepted));
        break;
      case Step::Send:
        ASSERT_TRUE(clients[step.client]->send_acknowledged(step.text));
        http_->tick();  // read at the clock's present time
        break;
      case Step::After:
        move_clock(step.by);
        break;
      case Step::Open:
        EXPECT_EQ(counters(0).timed_out_idle.load(), idle);
        EXPECT_EQ(counters(0).timed_out_request.load(), request);
        EXPECT_FALSE(clients[step.client]->closed_by_server(0ms)) << "client " << step.client;
        break;
      case Step::Closed:
        ++(step.why == Why::Idle ? idle : request);
        EXPECT_TRUE(clients[step.client]->closed_by_server(20s)) << "client " << step.client;
        break;
      case Step::Get:
        ++accepted;
        EXPECT_EQ(Client(port(0), source.c_str()).get("/health"), "HTTP/1.1 200 OK");
        break;
    }
  }
  EXPECT_EQ(counters(0).timed_out_idle.load(), idle);
  EXPECT_EQ(counters(0).timed_out_request.load(), request);
}

INSTANTIATE_TEST_SUITE_P(Table, HttpTimeoutsTest, ::testing::ValuesIn(kTimeoutCases));

}  // namespace
}  // namespace vmdns::ops
