// The TCP loop's timeouts on a clock the test moves (ServerOptions::clock): each case is a
// script of clients connecting, sending parts of their queries and reading replies, and of the
// clock moving on, with after each move what must be open and what closed, and why. No
// assertion depends on how fast the machine is: the loop runs one round after each move
// (Server::tick()), and a close is read from the loop's counters and from the socket.
//
// Behaviour checked:
//   - idle: a connection with no complete query is closed the idle timeout after its accept,
//     one that has begun a query too; answering a query starts it again; one millisecond
//     before, nothing is closed.
//   - query: a client that trickles a query in (slow loris) is closed the query timeout after
//     its first octet however often it sends, while other clients are answered over TCP and
//     UDP; each message starts the timeout again, so a connection may outlive it many times.

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
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/server.h"
#include "testing/eventually.h"
#include "testing/moved_clock.h"

namespace vmdns::server {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;

// The reply is the query with QR set.
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

constexpr size_t kQuerySize = 29;         // a header and filler
constexpr size_t kFrame = 2 + kQuerySize;  // with its length

Bytes query(uint16_t id) {
  Bytes q(kQuerySize);
  q[0] = static_cast<uint8_t>(id >> 8);
  q[1] = static_cast<uint8_t>(id);
  q[5] = 1;
  for (size_t i = 12; i < q.size(); ++i) {
    q[i] = static_cast<uint8_t>(i + id);
  }
  return q;
}

Bytes reply_to(uint16_t id) {
  Bytes r = query(id);
  r[2] |= 0x80;
  return r;
}

// A client's byte stream: query 1, 2, 3... of its own ids, each with its length.
Bytes stream_of(int client) {
  Bytes stream;
  for (uint16_t k = 1; k <= 20; ++k) {
    Bytes q = query(static_cast<uint16_t>(client * 100 + k));
    stream.push_back(0);
    stream.push_back(static_cast<uint8_t>(q.size()));
    stream.insert(stream.end(), q.begin(), q.end());
  }
  return stream;
}

using testing::eventually;

class Connection {
 public:
  explicit Connection(const net::ListenAddress& server)
      : fd_(::socket(server.family(), SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    timeval timeout{20, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    EXPECT_EQ(connect(fd_, reinterpret_cast<const sockaddr*>(&server.storage), server.length), 0)
        << strerror(errno);
  }
  ~Connection() { close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends and waits until the server's kernel has acknowledged every octet: the octets are in
  // the server's socket, where the loop's next round reads them.
  bool send_acknowledged(const uint8_t* data, size_t size) {
    if (::send(fd_, data, size, MSG_NOSIGNAL) != static_cast<ssize_t>(size)) {
      return false;
    }
    return eventually([&] {
      int unacknowledged = 0;
      return ioctl(fd_, SIOCOUTQ, &unacknowledged) == 0 && unacknowledged == 0;
    });
  }
  Bytes read_message() {
    uint8_t prefix[2];
    if (!read_exact(prefix, 2)) {
      return {};
    }
    Bytes message(size_t{prefix[0]} << 8 | prefix[1]);
    return read_exact(message.data(), message.size()) ? message : Bytes{};
  }
  // Waits for the server's close (EOF or reset); false when the socket stays open.
  bool closed_by_server(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(wait.count())) <= 0) {
      return false;
    }
    uint8_t byte;
    ssize_t n = recv(fd_, &byte, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool read_exact(uint8_t* data, size_t size) {
    while (size > 0) {
      ssize_t n = recv(fd_, data, size, 0);
      if (n <= 0) {
        return false;
      }
      data += n;
      size -= static_cast<size_t>(n);
    }
    return true;
  }
  int fd_;
};

bool udp_round_trip(const net::ListenAddress& server, uint16_t id) {
  int fd = ::socket(server.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  timeval timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  Bytes q = query(id);
  Bytes r(512);
  ssize_t n = -1;
  // Sent again when no reply came, as a resolver does: a datagram lost on a loaded machine
  // costs a retry, not the test.
  for (int attempt = 0; attempt < 5 && n < 0; ++attempt) {
    sendto(fd, q.data(), q.size(), 0, reinterpret_cast<const sockaddr*>(&server.storage),
           server.length);
    n = recv(fd, r.data(), r.size(), 0);
  }
  close(fd);
  r.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return r == reply_to(id);
}

enum class Why { Idle, Query };

struct Step {
  enum Kind { Connect, Send, Reply, Udp, After, Open, Closed } kind;
  int client = 0;
  size_t octets = 0;           // Send
  Clock::duration by{};        // After
  Why why = Why::Idle;         // Closed
};

Step connect_(int client) { return {Step::Connect, client}; }
Step send_(int client, size_t octets) { return {Step::Send, client, octets}; }
Step reply(int client) { return {Step::Reply, client}; }
Step udp() { return {Step::Udp}; }
Step after(Clock::duration by) { return {.kind = Step::After, .by = by}; }
Step open(int client) { return {Step::Open, client}; }
Step closed(int client, Why why) { return {.kind = Step::Closed, .client = client, .why = why}; }
// A whole query, then its reply.
std::vector<Step> query_(int client) { return {send_(client, kFrame), reply(client)}; }

struct Case {
  const char* name;
  unsigned idle_ms;
  unsigned query_ms;
  std::vector<Step> steps;
};

// gtest prints a case by its name: ctest lists it by that, not by a dump of its bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

std::vector<Step> join(std::initializer_list<std::vector<Step>> parts) {
  std::vector<Step> all;
  for (const auto& part : parts) {
    all.insert(all.end(), part.begin(), part.end());
  }
  return all;
}

const Case kCases[] = {
    {"IdleFromTheAcceptABegunQueryToo",
     200,
     20000,
     {connect_(0), connect_(1), send_(1, 5), after(199ms), open(0), open(1), after(1ms),
      closed(0, Why::Idle), closed(1, Why::Idle)}},
    {"AnAnsweredQueryStartsIdleAgain",
     1000,
     20000,
     join({{connect_(0), connect_(1), after(600ms)},
           query_(1),
           {after(399ms), open(0), open(1), after(1ms), closed(0, Why::Idle), open(1),
            after(599ms), open(1), after(1ms), closed(1, Why::Idle)}})},
    // Others are answered over TCP and UDP meanwhile.
    {"SlowLorisCutOffAfterTheFirstOctet",
     20000,
     400,
     join({{connect_(0), connect_(1), send_(0, 1), after(100ms), send_(0, 1), udp()},
           query_(1),
           {after(100ms), send_(0, 1), udp()},
           query_(1),
           {after(100ms), send_(0, 1), after(99ms), open(0), after(1ms), closed(0, Why::Query),
            open(1), udp()},
           query_(1)})},
    {"EachMessageStartsTheQueryTimeoutAgain",
     20000,
     1500,
     // The rest of each message comes with the next one's first 7 octets, 1400 ms later.
     {connect_(0), send_(0, 7), after(1400ms), send_(0, kFrame), reply(0), after(1400ms),
      send_(0, kFrame), reply(0), after(1499ms), open(0), after(1ms), closed(0, Why::Query)}},
};

class TcpLoopClockTest : public ::testing::TestWithParam<Case> {};

TEST_P(TcpLoopClockTest, Script) {
  const Case& c = GetParam();
  vmdns::testing::MovedClock clock;
  std::string error;
  auto listen = net::parse_listen_address("127.0.0.1:0", &error);
  ASSERT_TRUE(listen) << error;
  Server server({.listen = *listen,
                 .threads = 1,
                 .tcp_idle_timeout_ms = c.idle_ms,
                 .tcp_query_timeout_ms = c.query_ms,
                 .clock = clock.source()},
                [] { return std::make_unique<Echo>(); });
  ASSERT_TRUE(server.start(&error)) << error;
  const net::ListenAddress address = server.bound_address();
  auto counters = server.tcp_counters();

  std::map<int, std::unique_ptr<Connection>> clients;
  std::map<int, Bytes> streams;
  std::map<int, size_t> sent, replies;
  uint64_t accepted = 0, timed_out_idle = 0, timed_out_query = 0;
  uint16_t udp_id = 9000;
  int index = 0;
  for (const Step& step : c.steps) {
    SCOPED_TRACE("step " + std::to_string(index++) + ", at " +
                 std::to_string(clock.elapsed_ms()) + " ms");
    switch (step.kind) {
      case Step::Connect:
        clients[step.client] = std::make_unique<Connection>(address);
        streams[step.client] = stream_of(step.client);
        // Accepted at the clock's present time: ticked until the loop counted it.
        ++accepted;
        ASSERT_TRUE(eventually([&] {
          server.tick();
          return counters->accepted.load() >= accepted;
        }));
        break;
      case Step::Send:
        ASSERT_TRUE(clients[step.client]->send_acknowledged(
            streams[step.client].data() + sent[step.client], step.octets));
        sent[step.client] += step.octets;
        server.tick();  // read at the clock's present time
        break;
      case Step::Reply: {
        uint16_t id = static_cast<uint16_t>(step.client * 100 + ++replies[step.client]);
        ASSERT_EQ(clients[step.client]->read_message(), reply_to(id));
        break;
      }
      case Step::Udp:
        EXPECT_TRUE(udp_round_trip(address, ++udp_id));
        break;
      case Step::After:
        clock.advance(step.by);
        server.tick();
        break;
      case Step::Open:
        EXPECT_EQ(counters->timed_out_idle.load(), timed_out_idle);
        EXPECT_EQ(counters->timed_out_request.load(), timed_out_query);
        EXPECT_FALSE(clients[step.client]->closed_by_server(0ms)) << "client " << step.client;
        break;
      case Step::Closed:
        ++(step.why == Why::Idle ? timed_out_idle : timed_out_query);
        EXPECT_TRUE(clients[step.client]->closed_by_server(20s)) << "client " << step.client;
        break;
    }
  }
  EXPECT_EQ(counters->timed_out_idle.load(), timed_out_idle);
  EXPECT_EQ(counters->timed_out_request.load(), timed_out_query);
}

INSTANTIATE_TEST_SUITE_P(Table, TcpLoopClockTest, ::testing::ValuesIn(kCases));

}  // namespace
}  // namespace vmdns::server
