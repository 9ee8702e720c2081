// DNS over TCP shared fairly between clients, over loopback with clients on several loopback
// addresses (127.0.0.2, 127.0.0.3, ...), and a TcpConnection's place in the eviction order.
//
// Behaviour checked:
//   - eviction_rank: an idle connection first (least recently active first), then one
//     trickling a query in; never one with a complete query unanswered, a deferred query, a
//     reply not all sent, or one closing.
//   - --max-tcp-connections-per-client: a client's connection past it is closed at once while
//     another address is answered, and counted.
//   - a full table closes the least recently active idle connection of the client holding the
//     most for a client holding fewer, and refuses a client that holds as many as anyone; the
//     counters and gauges follow.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <vector>

#include "server/server.h"
#include "server/tcp_connection.h"
#include "testing/moved_clock.h"

namespace vmdns::server {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;

TEST(TcpConnectionEvictionRank, Table) {
  const Clock::time_point t = Clock::time_point{} + 1000s;
  struct Case {
    const char* what;
    size_t input_length;    // of a message announced as 20 octets
    size_t deferred;
    size_t queued;          // octets of replies not yet sent
    bool closing;
    std::optional<int> kind;  // 0 idle, 1 trickling, nullopt never
  };
  const Case cases[] = {
      {"idle", 0, 0, 0, false, 0},
      {"the length only", 2, 0, 0, false, 1},
      {"part of a message", 10, 0, 0, false, 1},
      {"a whole message unanswered", 22, 0, 0, false, std::nullopt},
      {"a deferred query", 0, 1, 0, false, std::nullopt},
      {"a reply not sent", 0, 0, 40, false, std::nullopt},
      {"closing", 0, 0, 0, true, std::nullopt},
  };
  for (const Case& c : cases) {
    TcpConnection connection(net::UniqueFd(), 1, sockaddr_storage{}, 0);
    connection.input[0] = 0;
    connection.input[1] = 20;
    connection.input_length = c.input_length;
    connection.deferred = c.deferred;
    connection.output.resize(c.queued);
    connection.closing = c.closing;
    connection.idle.deadline = t;
    auto rank = connection.eviction_rank();
    ASSERT_EQ(rank.has_value(), c.kind.has_value()) << c.what;
    if (rank) {
      EXPECT_EQ(rank->first, *c.kind) << c.what;
      EXPECT_EQ(rank->second, t) << c.what;
    }
  }
}

class Echo : public QueryHandler {
 public:
  size_t handle(std::span<const uint8_t> query, std::span<uint8_t> out, net::Transport) override {
    if (query.size() < 12 || query.size() > out.size()) {
      return 0;
    }
    std::memcpy(out.data(), query.data(), query.size());
    out[2] |= 0x80;
    return query.size();
  }
};

// A client connection from `source` (a loopback address), or -1.
class Client {
 public:
  Client(const net::ListenAddress& server, const char* source) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source, &from.sin_addr);
    timeval timeout{20, 0};  // ends a hang: every read expects its data
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    if (bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0 ||
        connect(fd_, reinterpret_cast<const sockaddr*>(&server.storage), server.length) != 0) {
      ADD_FAILURE() << "connect from " << source << ": " << strerror(errno);
    }
  }
  ~Client() { close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // One query and its reply; false when the server closed the connection instead.
  bool round_trip(uint16_t id) {
    uint8_t query[2 + 12] = {0, 12, static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)};
    if (send(fd_, query, sizeof(query), MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof(query))) {
      return false;
    }
    uint8_t reply[sizeof(query)];
    size_t got = 0;
    while (got < sizeof(reply)) {
      ssize_t n = recv(fd_, reply + got, sizeof(reply) - got, 0);
      if (n <= 0) {
        return false;
      }
      got += static_cast<size_t>(n);
    }
    return reply[2] == query[2] && reply[3] == query[3] && (reply[4] & 0x80) != 0;
  }

  // True when the server closes the connection within `timeout`.
  bool closed_by_server(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
      return false;
    }
    uint8_t byte;
    ssize_t n = recv(fd_, &byte, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  int fd_ = -1;
};

class TcpFairnessTest : public ::testing::Test {
 protected:
  net::ListenAddress start(unsigned max, unsigned per_client) {
    std::string error;
    auto listen = net::parse_listen_address("127.0.0.1:0", &error);
    server_ = std::make_unique<Server>(
        ServerOptions{.listen = *listen,
                      .threads = 1,
                      .max_tcp_connections = max,
                      .max_tcp_connections_per_client = per_client,
                      .clock = clock_.source()},
        [] { return std::make_unique<Echo>(); });
    EXPECT_TRUE(server_->start(&error)) << error;
    return server_->bound_address();
  }
  const net::ConnectionCounters& counters() const { return *server_->tcp_counters(); }
  // Moves the loop's clock on: what the loop does next happens later by `by`.
  void later(Clock::duration by) { clock_.advance(by); }

  vmdns::testing::MovedClock clock_;
  std::unique_ptr<Server> server_;
};

TEST_F(TcpFairnessTest, PerClientLimit) {
  net::ListenAddress server = start(100, 2);
  Client a1(server, "127.0.0.2");
  Client a2(server, "127.0.0.2");
  ASSERT_TRUE(a1.round_trip(1));
  ASSERT_TRUE(a2.round_trip(2));
  Client a3(server, "127.0.0.2");
  EXPECT_TRUE(a3.closed_by_server(20000ms));
  Client b(server, "127.0.0.3");
  EXPECT_TRUE(b.round_trip(3));
  EXPECT_TRUE(a1.round_trip(4));
  EXPECT_EQ(counters().refused_client_limit.load(), 1u);
  EXPECT_EQ(counters().open.load(), 3u);
  EXPECT_EQ(counters().clients.load(), 2u);
}

TEST_F(TcpFairnessTest, FullTableEvictsTheHeaviestClientsLeastRecentlyActiveIdleConnection) {
  net::ListenAddress server = start(3, 2);
  Client a1(server, "127.0.0.2");
  Client a2(server, "127.0.0.2");
  Client b(server, "127.0.0.3");
  ASSERT_TRUE(a1.round_trip(1));
  ASSERT_TRUE(b.round_trip(2));
  later(5ms);  // a2's activity is later than a1's on the loop's clock
  ASSERT_TRUE(a2.round_trip(3));
  // Full. 127.0.0.4 holds none, 127.0.0.2 two: a1 makes room.
  Client c(server, "127.0.0.4");
  EXPECT_TRUE(c.round_trip(4));
  EXPECT_TRUE(a1.closed_by_server(20000ms));
  EXPECT_TRUE(a2.round_trip(5));
  EXPECT_TRUE(b.round_trip(6));
  // Everyone holds one now: a newcomer from 127.0.0.3 holds as many as anyone, and is refused.
  Client b2(server, "127.0.0.3");
  EXPECT_TRUE(b2.closed_by_server(20000ms));
  EXPECT_TRUE(b.round_trip(7));
  EXPECT_TRUE(c.round_trip(8));
  EXPECT_EQ(counters().evicted.load(), 1u);
  EXPECT_EQ(counters().refused_full.load(), 1u);
  EXPECT_EQ(counters().open.load(), 3u);
  EXPECT_EQ(counters().clients.load(), 3u);
}

}  // namespace
}  // namespace vmdns::server
