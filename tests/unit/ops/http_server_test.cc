// The operations HTTP server over real loopback sockets: routing, methods, and bad requests
// answered with a status, never a crash or a hang.

#include "ops/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "server/listen_address.h"

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
    auto address = server::parse_listen_address("127.0.0.1:0", &error);
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
                            {"/throws", []() -> HttpResponse { throw std::runtime_error("x"); }}},
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
      {"GET /health HTTP/1.1\r\n\r\nGET /health HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK",
       "\r\n\r\nOK"},  // one response per connection
  };
  for (const Case& c : cases) {
    std::string response = exchange(port_, c.request);
    EXPECT_EQ(status_line(response), c.status_line) << c.request.substr(0, 40);
    EXPECT_TRUE(response.ends_with(c.body_ends_with)) << response.substr(0, 200);
  }
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

}  // namespace
}  // namespace vmdns::ops
