// Server: UDP workers and the TCP loop on loopback, driven by an echo handler written in raw
// bytes (the reply is the query with QR set and the transport in the low flags octet), so these
// tests depend on nothing but the QueryHandler interface.
//
// Behaviour checked:
//   - UDP round trips with several workers, each with its own handler; UDP and TCP share a port
//     picked by the kernel; IPv6 on [::1] when the host has it.
//   - TCP framing (RFC 1035 section 4.2.2): pipelined queries in one write answered in order
//     (RFC 7766 section 6.2.1.1), a query split across writes, a 60000-octet message, many
//     connections at once, a connection limit, the query timeout not cutting off a client that
//     does not read its replies, a zero-length message and a handler returning 0 closing the
//     connection; a client that does not read its replies neither loses them nor holds up
//     other clients. The timeouts on a clock the test moves: tcp_loop_clock_test.cc.
//   - UDP: a handler returning 0 sends nothing; an oversized datagram is dropped; on a wildcard
//     address the reply comes from the address the query was sent to.
//   - stop() is prompt, idempotent, and a server can be started again.

#include "server/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "server_end.h"
#include "testing/eventually.h"
#include "testing/moved_clock.h"

namespace vmdns::server {
namespace {

using Bytes = std::vector<uint8_t>;
using namespace std::chrono_literals;

// Any query whose ID is 0xFFFF gets "send nothing" (0) from the handler.
constexpr uint16_t kDropId = 0xFFFF;

class EchoHandler : public QueryHandler {
 public:
  size_t handle(std::span<const uint8_t> query, std::span<uint8_t> out,
                net::Transport transport) override {
    if (query.size() < 12 || query.size() > out.size()) {
      return 0;
    }
    if (query[0] == (kDropId >> 8) && query[1] == (kDropId & 0xff)) {
      return 0;
    }
    std::memcpy(out.data(), query.data(), query.size());
    out[2] |= 0x80;  // QR: this is a response (RFC 1035 section 4.1.1)
    out[3] = transport == net::Transport::Tcp ? 'T' : 'U';
    return query.size();
  }
};

struct Factory {
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
  QueryHandlerFactory get() const {
    return [calls = calls] {
      calls->fetch_add(1);
      return std::make_unique<EchoHandler>();
    };
  }
};

// A 12-octet header with `id`, then `extra` octets of filler (not a valid DNS question, which
// the echo handler does not care about).
Bytes make_query(uint16_t id, size_t extra = 17) {
  Bytes query(12 + extra);
  query[0] = static_cast<uint8_t>(id >> 8);
  query[1] = static_cast<uint8_t>(id & 0xff);
  query[5] = 1;  // QDCOUNT
  for (size_t i = 12; i < query.size(); ++i) {
    query[i] = static_cast<uint8_t>(i * 7 + id);
  }
  return query;
}

Bytes expected_reply(const Bytes& query, char transport) {
  Bytes reply = query;
  reply[2] |= 0x80;
  reply[3] = static_cast<uint8_t>(transport);
  return reply;
}

Bytes framed(const Bytes& message) {
  // Sized up front: GCC 12 warns falsely (-Warray-bounds) about inserting into a 2-octet vector.
  Bytes out(2 + message.size());
  out[0] = static_cast<uint8_t>(message.size() >> 8);
  out[1] = static_cast<uint8_t>(message.size() & 0xff);
  std::copy(message.begin(), message.end(), out.begin() + 2);
  return out;
}

net::ListenAddress address_of(const char* text) {
  std::string error;
  auto address = net::parse_listen_address(text, &error);
  EXPECT_TRUE(address.has_value()) << error;
  return address.value_or(net::ListenAddress{});
}

void set_receive_timeout(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  int get() const { return fd_; }

 private:
  int fd_;
};

Socket udp_client(const net::ListenAddress& server) {
  Socket socket(::socket(server.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0));
  EXPECT_GE(socket.get(), 0);
  set_receive_timeout(socket.get(), 20000ms);  // ends a hang; a reply comes at once
  return socket;
}

void udp_send(const Socket& socket, const net::ListenAddress& server, const Bytes& message) {
  ASSERT_EQ(sendto(socket.get(), message.data(), message.size(), 0,
                   reinterpret_cast<const sockaddr*>(&server.storage), server.length),
            static_cast<ssize_t>(message.size()))
      << strerror(errno);
}

// True when no datagram waits: asked once a later query's reply has come back, the worker has
// handled the earlier ones (one client's datagrams reach one worker socket, in order).
bool nothing_waiting(const Socket& socket) {
  uint8_t byte;
  return recv(socket.get(), &byte, 1, MSG_DONTWAIT | MSG_PEEK) < 0 && errno == EAGAIN;
}

// The next datagram, or an empty vector on timeout.
Bytes udp_receive(const Socket& socket) {
  Bytes buffer(65535);
  ssize_t n = recv(socket.get(), buffer.data(), buffer.size(), 0);
  if (n < 0) {
    return {};
  }
  buffer.resize(static_cast<size_t>(n));
  return buffer;
}

Socket tcp_connect(const net::ListenAddress& server) {
  Socket socket(::socket(server.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  EXPECT_GE(socket.get(), 0);
  EXPECT_EQ(
      connect(socket.get(), reinterpret_cast<const sockaddr*>(&server.storage), server.length), 0)
      << strerror(errno);
  set_receive_timeout(socket.get(), 20000ms);  // ends a hang; a reply comes at once
  return socket;
}

bool write_all(const Socket& socket, const uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t n = send(socket.get(), data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool write_all(const Socket& socket, const Bytes& bytes) {
  return write_all(socket, bytes.data(), bytes.size());
}

bool read_exact(const Socket& socket, uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t n = recv(socket.get(), data, size, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// One length-prefixed message, or an empty vector on EOF, error or timeout.
Bytes tcp_read_message(const Socket& socket) {
  uint8_t prefix[2];
  if (!read_exact(socket, prefix, 2)) {
    return {};
  }
  Bytes message((size_t{prefix[0]} << 8) | prefix[1]);
  if (!read_exact(socket, message.data(), message.size())) {
    return {};
  }
  return message;
}

// True when the server closed the connection (EOF or reset) within `timeout`, which only ends
// a hang: every caller expects the close.
bool closed_by_server(const Socket& socket, std::chrono::milliseconds timeout = 20000ms) {
  pollfd fd{socket.get(), POLLIN, 0};
  if (poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) {
    return false;
  }
  uint8_t byte;
  ssize_t n = recv(socket.get(), &byte, 1, MSG_DONTWAIT);
  return n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE));
}

bool ipv6_loopback_available() {
  int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return ok;
}

class ServerTest : public ::testing::Test {
 protected:
  using Clock = std::chrono::steady_clock;

  // Starts a server on `listen` and returns its bound address.
  net::ListenAddress start(ServerOptions options) {
    server_ = std::make_unique<Server>(options, factory_.get());
    std::string error;
    EXPECT_TRUE(server_->start(&error)) << error;
    EXPECT_NE(server_->bound_address().port(), 0);
    return server_->bound_address();
  }
  net::ListenAddress start(const char* listen, unsigned threads = 1) {
    return start({.listen = address_of(listen), .threads = threads});
  }
  // One worker with a query timeout of `query_timeout_ms` and an idle timeout beyond any
  // test's length, on a clock that moves only by later(): a connection that is cut off is cut
  // off by the query timeout, and never because the machine is slow.
  net::ListenAddress start_with_query_timeout(unsigned query_timeout_ms) {
    return start({.listen = address_of("127.0.0.1:0"),
                  .threads = 1,
                  .tcp_idle_timeout_ms = 20000,
                  .tcp_query_timeout_ms = query_timeout_ms,
                  .clock = clock_.source()});
  }
  // Moves the clock of a server from start_with_query_timeout() on, and waits for the TCP
  // loop's round at the new time.
  void later(Clock::duration by) {
    clock_.advance(by);
    server_->tick();
  }

  vmdns::testing::MovedClock clock_;
  Factory factory_;
  std::unique_ptr<Server> server_;
};

// A TCP client that writes `count` queries of `extra` filler octets each, from a thread of its
// own, and reads nothing until expect_replies_in_order(): the replies back up in the server,
// which has to stop reading the queries meanwhile.
class NonReadingClient {
 public:
  NonReadingClient(const net::ListenAddress& server, int count, size_t extra)
      : socket_(tcp_connect(server)), count_(count), extra_(extra), writer_([this] {
          for (int i = 0; i < count_; ++i) {
            if (!write_all(socket_, framed(query(i)))) {
              return;
            }
            ++written_;
          }
        }) {}
  ~NonReadingClient() {
    shutdown(socket_.get(), SHUT_RDWR);  // a writer still blocked in send() (a failed test)
    writer_.join();
  }
  NonReadingClient(const NonReadingClient&) = delete;
  NonReadingClient& operator=(const NonReadingClient&) = delete;

  // The client's socket: the server's end of it is test::server_end_of(fd()).
  int fd() const { return socket_.get(); }
  // Queries wholly handed to the socket so far.
  int written() const { return written_.load(); }
  // Reads every reply: each is its query's, in the order the queries were written.
  void expect_replies_in_order() {
    for (int i = 0; i < count_; ++i) {
      ASSERT_EQ(tcp_read_message(socket_), expected_reply(query(i), 'T')) << "reply " << i;
    }
  }

 private:
  Bytes query(int i) const { return make_query(static_cast<uint16_t>(i), extra_); }

  Socket socket_;
  const int count_;
  const size_t extra_;
  std::atomic<int> written_{0};
  std::thread writer_;  // last: it starts once the members it reads are set
};

// Sent again when no reply came within the receive timeout, as a resolver does: a datagram
// lost on a loaded machine costs a retry, not the test.
void expect_udp_round_trip(const net::ListenAddress& server, uint16_t id) {
  Socket client = udp_client(server);
  Bytes query = make_query(id);
  Bytes reply;
  for (int attempt = 0; attempt < 3 && reply.empty(); ++attempt) {
    udp_send(client, server, query);
    reply = udp_receive(client);
  }
  EXPECT_EQ(reply, expected_reply(query, 'U'));
}

void expect_tcp_round_trip(const net::ListenAddress& server, uint16_t id) {
  Socket client = tcp_connect(server);
  Bytes query = make_query(id);
  ASSERT_TRUE(write_all(client, framed(query)));
  EXPECT_EQ(tcp_read_message(client), expected_reply(query, 'T'));
}

TEST_F(ServerTest, UdpRoundTripWithTwoWorkers) {
  net::ListenAddress server = start("127.0.0.1:0", 2);
  // Two UDP workers and the TCP loop, each with its own handler.
  EXPECT_EQ(factory_.calls->load(), 3);
  // Several source ports, so SO_REUSEPORT spreads the queries over both workers.
  for (int client_index = 0; client_index < 8; ++client_index) {
    Socket client = udp_client(server);
    for (uint16_t i = 0; i < 16; ++i) {
      uint16_t id = static_cast<uint16_t>(client_index * 100 + i);
      Bytes query = make_query(id, i);
      udp_send(client, server, query);
      EXPECT_EQ(udp_receive(client), expected_reply(query, 'U'));
    }
  }
}

// Echoes, and tells when it is told it is idle after having answered over UDP.
class IdleHandler : public EchoHandler {
 public:
  struct Seen {
    std::mutex mutex;
    std::condition_variable changed;
    int idle_after_udp = 0;
  };
  explicit IdleHandler(std::shared_ptr<Seen> seen) : seen_(std::move(seen)) {}
  size_t handle(std::span<const uint8_t> query, std::span<uint8_t> out,
                net::Transport transport) override {
    answered_udp_ = answered_udp_ || transport == net::Transport::Udp;
    return EchoHandler::handle(query, out, transport);
  }
  void idle() override {
    if (answered_udp_) {
      std::lock_guard lock(seen_->mutex);
      ++seen_->idle_after_udp;
      seen_->changed.notify_all();
    }
  }

 private:
  std::shared_ptr<Seen> seen_;
  bool answered_udp_ = false;
};

TEST_F(ServerTest, AUdpWorkerWithNoQueryLeftTellsItsHandlerItIsIdle) {
  // So that a worker no client hashes to lets go of its snapshot (QueryHandler::idle).
  auto seen = std::make_shared<IdleHandler::Seen>();
  server_ = std::make_unique<Server>(ServerOptions{.listen = address_of("127.0.0.1:0"), .threads = 1},
                                     [seen] { return std::make_unique<IdleHandler>(seen); });
  std::string error;
  ASSERT_TRUE(server_->start(&error)) << error;
  expect_udp_round_trip(server_->bound_address(), 7);
  std::unique_lock lock(seen->mutex);
  seen->changed.wait(lock, [&] { return seen->idle_after_udp > 0; });
  EXPECT_EQ(seen->idle_after_udp, 1);  // once, then it sleeps without a timeout
}

TEST_F(ServerTest, UdpBurstIsAnsweredInBatches) {
  net::ListenAddress server = start("127.0.0.1:0", 2);
  Socket client = udp_client(server);
  constexpr int kQueries = 200;
  for (int i = 0; i < kQueries; ++i) {
    udp_send(client, server, make_query(static_cast<uint16_t>(i)));
  }
  std::vector<bool> seen(kQueries, false);
  for (int i = 0; i < kQueries; ++i) {
    Bytes reply = udp_receive(client);
    ASSERT_FALSE(reply.empty()) << "reply " << i << " missing";
    size_t id = (size_t{reply[0]} << 8) | reply[1];
    ASSERT_LT(id, seen.size());
    EXPECT_FALSE(seen[id]);
    seen[id] = true;
    EXPECT_EQ(reply, expected_reply(make_query(static_cast<uint16_t>(id)), 'U'));
  }
}

TEST_F(ServerTest, UdpAndTcpShareThePortPickedByTheKernel) {
  net::ListenAddress server = start("127.0.0.1:0");
  EXPECT_EQ(server.to_string(), "127.0.0.1:" + std::to_string(server.port()));
  expect_udp_round_trip(server, 1);
  expect_tcp_round_trip(server, 2);
}

TEST_F(ServerTest, Ipv6Loopback) {
  if (!ipv6_loopback_available()) {
    // Under CI=true a missing capability fails the run instead of hiding in a skip.
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string_view(ci) == "true") {
      FAIL() << "no IPv6 loopback on this host (CI=true: a missing capability fails the run)";
    }
    GTEST_SKIP() << "no IPv6 loopback on this host";
  }
  net::ListenAddress server = start("[::1]:0", 2);
  EXPECT_EQ(server.family(), AF_INET6);
  EXPECT_EQ(server.to_string(), "[::1]:" + std::to_string(server.port()));
  expect_udp_round_trip(server, 61);
  expect_tcp_round_trip(server, 62);
}

TEST_F(ServerTest, UdpHandlerReturningZeroSendsNothing) {
  net::ListenAddress server = start("127.0.0.1:0");
  Socket client = udp_client(server);
  udp_send(client, server, make_query(kDropId));
  // The worker goes on answering, and the first reply back is the later query's.
  Bytes query = make_query(7);
  udp_send(client, server, query);
  EXPECT_EQ(udp_receive(client), expected_reply(query, 'U'));
  EXPECT_TRUE(nothing_waiting(client));
}

TEST_F(ServerTest, UdpOversizedDatagramIsDropped) {
  net::ListenAddress server = start("127.0.0.1:0");
  Socket client = udp_client(server);
  udp_send(client, server, make_query(8, 5000));
  Bytes query = make_query(9, 4000);  // 4012 octets: fits the 4096-octet slot
  udp_send(client, server, query);
  EXPECT_EQ(udp_receive(client), expected_reply(query, 'U'));
  EXPECT_TRUE(nothing_waiting(client));
}

// On 0.0.0.0 the reply must come from the address the client asked (here 127.0.0.2), not the
// one the routing table would pick (127.0.0.1): a connected UDP socket, like most stub
// resolvers, only accepts replies from the address it sent to. The traffic stays on loopback.
TEST_F(ServerTest, WildcardUdpRepliesFromTheQueriedAddress) {
  net::ListenAddress server = start("0.0.0.0:0");
  net::ListenAddress target = address_of("127.0.0.2:0");
  target.set_port(server.port());
  Socket client = udp_client(target);
  ASSERT_EQ(
      connect(client.get(), reinterpret_cast<const sockaddr*>(&target.storage), target.length), 0);
  Bytes query = make_query(10);
  ASSERT_EQ(send(client.get(), query.data(), query.size(), 0), static_cast<ssize_t>(query.size()));
  EXPECT_EQ(udp_receive(client), expected_reply(query, 'U'));
}

// The per-packet debug messages format addresses and errors; run those paths once.
TEST_F(ServerTest, DebugLoggingOfDroppedPackets) {
  spdlog::level::level_enum saved = spdlog::get_level();
  spdlog::set_level(spdlog::level::debug);
  {
    net::ListenAddress server = start("127.0.0.1:0");
    Socket client = udp_client(server);
    udp_send(client, server, make_query(11, 5000));
    Bytes query = make_query(12);
    udp_send(client, server, query);
    EXPECT_EQ(udp_receive(client), expected_reply(query, 'U'));
    EXPECT_TRUE(nothing_waiting(client));
    Socket tcp = tcp_connect(server);
    ASSERT_TRUE(write_all(tcp, Bytes{0, 0}));
    EXPECT_TRUE(closed_by_server(tcp));
    server_->stop();
  }
  spdlog::set_level(saved);
}

TEST_F(ServerTest, TcpPipelinedQueriesInOneWriteAreAnsweredInOrder) {
  net::ListenAddress server = start("127.0.0.1:0");
  Socket client = tcp_connect(server);
  Bytes first = make_query(21, 30);
  Bytes second = make_query(22, 5);
  Bytes both = framed(first);
  Bytes tail = framed(second);
  both.insert(both.end(), tail.begin(), tail.end());
  ASSERT_TRUE(write_all(client, both));
  EXPECT_EQ(tcp_read_message(client), expected_reply(first, 'T'));
  EXPECT_EQ(tcp_read_message(client), expected_reply(second, 'T'));
}

TEST_F(ServerTest, TcpQuerySplitAcrossWrites) {
  net::ListenAddress server = start("127.0.0.1:0");
  Socket client = tcp_connect(server);
  Bytes query = make_query(23, 40);
  Bytes wire = framed(query);
  // The length prefix itself split, then the message split.
  for (size_t cut : {size_t{1}, size_t{9}}) {
    ASSERT_TRUE(write_all(client, wire.data(), cut));
    ASSERT_TRUE(testing::eventually([&] { return test::acknowledged(client.get()); }));
    ASSERT_TRUE(write_all(client, wire.data() + cut, wire.size() - cut));
    EXPECT_EQ(tcp_read_message(client), expected_reply(query, 'T'));
  }
}

TEST_F(ServerTest, TcpLargestMessages) {
  net::ListenAddress server = start("127.0.0.1:0");
  Socket client = tcp_connect(server);
  Bytes query = make_query(24, 65535 - 12);
  Bytes wire = framed(query);
  size_t half = wire.size() / 2;
  ASSERT_TRUE(write_all(client, wire.data(), half));
  ASSERT_TRUE(testing::eventually([&] { return test::acknowledged(client.get()); }));
  ASSERT_TRUE(write_all(client, wire.data() + half, wire.size() - half));
  EXPECT_EQ(tcp_read_message(client), expected_reply(query, 'T'));
  // And a small one after it on the same connection.
  Bytes small = make_query(25);
  ASSERT_TRUE(write_all(client, framed(small)));
  EXPECT_EQ(tcp_read_message(client), expected_reply(small, 'T'));
}

TEST_F(ServerTest, TcpManyConnectionsAtOnce) {
  net::ListenAddress server = start("127.0.0.1:0");
  std::vector<Socket> clients;
  std::vector<Bytes> queries;
  for (uint16_t i = 0; i < 32; ++i) {
    clients.push_back(tcp_connect(server));
    queries.push_back(make_query(static_cast<uint16_t>(100 + i), i));
    ASSERT_TRUE(write_all(clients.back(), framed(queries.back())));
  }
  for (size_t i = clients.size(); i-- > 0;) {
    EXPECT_EQ(tcp_read_message(clients[i]), expected_reply(queries[i], 'T'));
  }
}

// The client writes far more than the server may buffer for it before reading anything: the
// server stops reading that connection while the replies back up, then resumes, and every
// reply arrives, in order. Meanwhile another client is answered at once.
TEST_F(ServerTest, TcpClientThatDoesNotReadLosesNothingAndBlocksNoOne) {
  net::ListenAddress server = start_with_query_timeout(2000);  // its clock never moves
  NonReadingClient slow(server, 96, 30000);
  // The slow client has written every query, or the server has stopped taking them.
  int server_fd = -1;
  ASSERT_TRUE(
      testing::eventually([&] { return (server_fd = test::server_end_of(slow.fd())) >= 0; }));
  ASSERT_TRUE(
      testing::eventually([&] { return slow.written() == 96 || test::cannot_send(server_fd); }));

  // Answered while the slow client has read nothing yet: it blocks no one.
  expect_tcp_round_trip(server, 999);
  expect_udp_round_trip(server, 998);

  slow.expect_replies_in_order();
}

// While a client does not read its replies, the server does not read its queries either, so
// part of a message may wait in the socket: that is no slow client, and the query timeout does
// not cut it off.
TEST_F(ServerTest, TcpQueryTimeoutWaitsForAClientThatDoesNotRead) {
  net::ListenAddress server = start_with_query_timeout(200);
  // Odd-sized queries, so that messages straddle the server's reads.
  NonReadingClient slow(server, 300, 30001);
  // Backed up: more than the sockets hold, so the server cannot send its replies and has
  // stopped reading the queries. A round of the loop that finds a whole query's worth unread
  // (30,015 octets; its input buffer has room for that beside any part of a query it holds)
  // while it still reads answers one query at least, so after 8 such rounds its output
  // (256 KiB) is full for sure. Then four query timeouts go by on its clock.
  int server_fd = -1;
  ASSERT_TRUE(
      testing::eventually([&] { return (server_fd = test::server_end_of(slow.fd())) >= 0; }));
  for (int round = 0; round < 8; ++round) {
    ASSERT_TRUE(testing::eventually(
        [&] { return test::unread(server_fd) >= 30015 && test::cannot_send(server_fd); }));
    server_->tick();
  }
  later(800ms);
  slow.expect_replies_in_order();
}

TEST_F(ServerTest, TcpConnectionLimit) {
  net::ListenAddress server =
      start({.listen = address_of("127.0.0.1:0"), .threads = 1, .max_tcp_connections = 2});
  Socket first = tcp_connect(server);
  Socket second = tcp_connect(server);
  // A round trip on each makes sure both are accepted before the third arrives.
  for (const Socket* client : {&first, &second}) {
    Bytes query = make_query(31);
    ASSERT_TRUE(write_all(*client, framed(query)));
    ASSERT_EQ(tcp_read_message(*client), expected_reply(query, 'T'));
  }
  Socket third = tcp_connect(server);
  EXPECT_TRUE(closed_by_server(third));
  // Closing one makes room again.
  Bytes query = make_query(32);
  ASSERT_TRUE(write_all(first, framed(query)));
  EXPECT_EQ(tcp_read_message(first), expected_reply(query, 'T'));
  { Socket gone = std::move(first); }
  // Once the loop has seen the close, a new connection is served: wait for that, not a time.
  Bytes again = make_query(33);
  EXPECT_TRUE(testing::eventually([&] {
    Socket client = tcp_connect(server);
    return write_all(client, framed(again)) &&
           tcp_read_message(client) == expected_reply(again, 'T');
  }));
}

TEST_F(ServerTest, TcpHandlerReturningZeroClosesAfterEarlierReplies) {
  net::ListenAddress server = start("127.0.0.1:0");
  Socket client = tcp_connect(server);
  Bytes answered = make_query(51);
  Bytes wire = framed(answered);
  Bytes dropped = framed(make_query(kDropId));
  Bytes never = framed(make_query(52));
  wire.insert(wire.end(), dropped.begin(), dropped.end());
  wire.insert(wire.end(), never.begin(), never.end());
  ASSERT_TRUE(write_all(client, wire));
  EXPECT_EQ(tcp_read_message(client), expected_reply(answered, 'T'));
  EXPECT_TRUE(closed_by_server(client));
}

TEST_F(ServerTest, TcpZeroLengthMessageCloses) {
  net::ListenAddress server = start("127.0.0.1:0");
  Socket client = tcp_connect(server);
  ASSERT_TRUE(write_all(client, Bytes{0, 0}));
  EXPECT_TRUE(closed_by_server(client));
}

TEST_F(ServerTest, TcpHalfCloseStillGetsItsAnswers) {
  net::ListenAddress server = start("127.0.0.1:0");
  Socket client = tcp_connect(server);
  Bytes first = make_query(53);
  Bytes second = make_query(54);
  Bytes wire = framed(first);
  Bytes tail = framed(second);
  wire.insert(wire.end(), tail.begin(), tail.end());
  ASSERT_TRUE(write_all(client, wire));
  shutdown(client.get(), SHUT_WR);
  EXPECT_EQ(tcp_read_message(client), expected_reply(first, 'T'));
  EXPECT_EQ(tcp_read_message(client), expected_reply(second, 'T'));
  EXPECT_TRUE(closed_by_server(client));
}

TEST_F(ServerTest, StopWhileIdleIsPromptAndTheServerCanStartAgain) {
  // The TCP loop's clock never moves: had stop() waited for the idle connection's timeout, it
  // would never return.
  const auto frozen = std::chrono::steady_clock::time_point{} + 1000s;
  Server server(
      {.listen = address_of("127.0.0.1:0"), .threads = 2, .clock = [frozen] { return frozen; }},
      factory_.get());
  for (int round = 0; round < 2; ++round) {
    std::string error;
    ASSERT_TRUE(server.start(&error)) << error;
    expect_udp_round_trip(server.bound_address(), 71);
    expect_tcp_round_trip(server.bound_address(), 72);
    Socket idle_tcp = tcp_connect(server.bound_address());
    server.stop();
    EXPECT_TRUE(closed_by_server(idle_tcp));
    server.stop();  // idempotent
  }
  EXPECT_EQ(factory_.calls->load(), 6);
}

TEST_F(ServerTest, StartTwiceIsAnError) {
  net::ListenAddress server = start("127.0.0.1:0");
  std::string error;
  EXPECT_FALSE(server_->start(&error));
  EXPECT_NE(error.find("already running"), std::string::npos) << error;
  expect_udp_round_trip(server, 73);
}

TEST_F(ServerTest, StopUnderLoad) {
  net::ListenAddress server = start("127.0.0.1:0", 2);
  std::atomic<bool> done{false};
  std::atomic<int> answered{0};
  std::thread flood([&] {
    Socket client = udp_client(server);
    Bytes query = make_query(81);
    uint8_t reply[512];
    while (!done.load()) {
      sendto(client.get(), query.data(), query.size(), 0,
             reinterpret_cast<const sockaddr*>(&server.storage), server.length);
      if (recv(client.get(), reply, sizeof(reply), MSG_DONTWAIT) > 0) {
        answered.fetch_add(1);
      }
    }
  });
  // Stopped in the midst of the flood: once the workers are answering it.
  EXPECT_TRUE(testing::eventually([&] { return answered.load() >= 100; }));
  server_->stop();  // returns under the flood (a hang is the test's timeout)
  done = true;
  flood.join();
}

// Each returns (a hang is the test's timeout).
TEST_F(ServerTest, RequestStopThenDestructorJoins) {
  {
    Server server({.listen = address_of("127.0.0.1:0"), .threads = 2}, factory_.get());
    ASSERT_TRUE(server.start(nullptr));
    server.request_stop();
  }
  {
    Server server({.listen = address_of("127.0.0.1:0"), .threads = 1}, factory_.get());
    ASSERT_TRUE(server.start(nullptr));
    // The destructor alone stops it.
  }
}

TEST_F(ServerTest, AnAddressInUseFailsToStart) {
  net::ListenAddress taken = start("127.0.0.1:0");
  Server second({.listen = taken}, factory_.get());
  std::string error;
  EXPECT_FALSE(second.start(&error));
  EXPECT_NE(error.find("Address already in use"), std::string::npos) << error;
  expect_udp_round_trip(taken, 91);
}

TEST_F(ServerTest, FactoryWithoutHandlerFailsToStart) {
  Server server({.listen = address_of("127.0.0.1:0")}, [] { return nullptr; });
  std::string error;
  EXPECT_FALSE(server.start(&error));
  EXPECT_NE(error.find("no handler"), std::string::npos) << error;
}

TEST_F(ServerTest, ZeroThreadsFailsToStart) {
  Server server({.listen = address_of("127.0.0.1:0"), .threads = 0}, factory_.get());
  std::string error;
  EXPECT_FALSE(server.start(&error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace vmdns::server
