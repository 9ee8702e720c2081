// A streamed reply's stall timeout (stream_pump.h) on a clock the test moves
// (ServerOptions::clock): each case is a script of clients asking for an endless stream, reading
// some of it or nothing, and of the clock moving on, with after each move which streams still
// run and which were given up. No assertion depends on how fast the machine is: the clock moves
// only once the server's socket can take no more (nothing it could still write would be stamped
// later), the pump and the loop run one round after each move (Server::tick()), and a give-up is
// read from the stream's own finished(false) and from the socket.
//
// Behaviour checked:
//   - a client that reads nothing is given up the idle timeout after the socket last took
//     octets, not a millisecond before, and its connection is closed;
//   - reading starts the timeout again;
//   - each stream has its own: one given up leaves another, read from since, running.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/server.h"
#include "server_end.h"
#include "testing/eventually.h"
#include "testing/moved_clock.h"

namespace vmdns::server {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::eventually;

// What the test sees of one stream: how many messages it made, and how it ended.
struct StreamState {
  std::atomic<int> made{0};
  std::atomic<int> finished{0};
  std::atomic<bool> complete{false};
};

// Messages of 60,000 filler octets, without end.
class Endless : public ReplyStream {
 public:
  explicit Endless(std::shared_ptr<StreamState> state) : state_(std::move(state)) {}
  size_t next(std::span<uint8_t> out) override {
    constexpr size_t kSize = 60000;
    std::memset(out.data(), 0x5a, kSize);
    ++state_->made;
    return kSize;
  }
  void finished(bool complete) override {
    state_->complete = complete;
    ++state_->finished;
  }

 private:
  std::shared_ptr<StreamState> state_;
};

struct Streams {
  std::mutex mutex;
  std::vector<std::shared_ptr<StreamState>> all;  // in the order the queries came
  size_t size() {
    std::lock_guard lock(mutex);
    return all.size();
  }
  std::shared_ptr<StreamState> at(size_t i) {
    std::lock_guard lock(mutex);
    return all.at(i);
  }
};

// Every query over TCP is answered with an endless stream.
class StreamEverything : public QueryHandler {
 public:
  explicit StreamEverything(Streams* streams) : streams_(streams) {}
  size_t handle(std::span<const uint8_t>, std::span<uint8_t>, net::Transport) override { return 0; }
  size_t handle_deferrable(std::span<const uint8_t> query, std::span<uint8_t>,
                           const net::ReplyRoute&) override {
    return query.size() >= 12 ? kStream : 0;
  }
  std::unique_ptr<ReplyStream> take_stream() override {
    auto state = std::make_shared<StreamState>();
    {
      std::lock_guard lock(streams_->mutex);
      streams_->all.push_back(state);
    }
    return std::make_unique<Endless>(state);
  }

 private:
  Streams* streams_;
};

class Client {
 public:
  explicit Client(const net::ListenAddress& server)
      : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    // A small receive buffer: the server's socket fills soon after the client stops reading.
    int size = 4096;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    EXPECT_EQ(connect(fd_, reinterpret_cast<const sockaddr*>(&server.storage), server.length), 0)
        << strerror(errno);
  }
  ~Client() { close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool ask() {
    uint8_t query[2 + 12] = {0, 12, 0x12, 0x34, 0, 0, 0, 1};
    return ::send(fd_, query, sizeof(query), MSG_NOSIGNAL) == sizeof(query);
  }
  int fd() const { return fd_; }
  // Reads what has come until `enough()`; false when the connection ends first.
  template <typename F>
  bool read_until(F enough) {
    std::vector<uint8_t> buffer(1 << 16);
    while (!enough()) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20000) <= 0) {
        return false;
      }
      ssize_t n = recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        return false;
      }
    }
    return true;
  }
  // Reads whatever the server sent until its close (EOF or reset); false when none comes.
  bool closed_by_server() {
    std::vector<uint8_t> buffer(1 << 16);
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20000) <= 0) {
        return false;
      }
      ssize_t n = recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno == ECONNRESET)) {
        return true;
      }
    }
  }

 private:
  int fd_;
};

struct Step {
  enum Kind { Ask, Full, After, Read, Running, GivenUp } kind;
  int client = 0;
  Clock::duration by{};  // After
};

Step ask(int client) {
  return {Step::Ask, client};
}
Step full_(int client) {
  return {Step::Full, client};
}
Step after(Clock::duration by) {
  return {.kind = Step::After, .by = by};
}
Step read_(int client) {
  return {Step::Read, client};
}
Step running(int client) {
  return {Step::Running, client};
}
Step given_up(int client) {
  return {Step::GivenUp, client};
}

struct Case {
  const char* name;
  unsigned idle_ms;
  std::vector<Step> steps;
};

// gtest prints a case by its name: ctest lists it by that, not by a dump of its bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

const Case kCases[] = {
    {"AClientThatReadsNothingIsGivenUp",
     1000,
     {ask(0), full_(0), after(999ms), running(0), after(1ms), given_up(0)}},
    {"ReadingStartsItAgain",
     1000,
     {ask(0), full_(0), after(600ms), read_(0), full_(0), after(999ms), running(0), after(1ms),
      given_up(0)}},
    // The second client reads at 500 ms: its timeout starts again, the first's does not.
    {"EachStreamItsOwn",
     1000,
     {ask(0), full_(0), ask(1), full_(1), after(500ms), read_(1), full_(1), after(500ms),
      given_up(0), running(1), after(499ms), running(1), after(1ms), given_up(1)}},
};

class StreamPumpClockTest : public ::testing::TestWithParam<Case> {};

TEST_P(StreamPumpClockTest, Script) {
  const Case& c = GetParam();
  vmdns::testing::MovedClock clock;
  std::string error;
  auto listen = net::parse_listen_address("127.0.0.1:0", &error);
  ASSERT_TRUE(listen) << error;
  Streams streams;
  Server server({.listen = *listen,
                 .threads = 1,
                 .tcp_idle_timeout_ms = c.idle_ms,
                 .clock = clock.source()},
                [&] { return std::make_unique<StreamEverything>(&streams); });
  ASSERT_TRUE(server.start(&error)) << error;

  std::map<int, std::unique_ptr<Client>> clients;
  std::map<int, int> server_ends;
  int index = 0;
  for (const Step& step : c.steps) {
    SCOPED_TRACE("step " + std::to_string(index++) + ", at " +
                 std::to_string(clock.elapsed_ms()) + " ms");
    switch (step.kind) {
      case Step::Ask: {
        size_t before = streams.size();
        clients[step.client] = std::make_unique<Client>(server.bound_address());
        ASSERT_TRUE(clients[step.client]->ask());
        ASSERT_TRUE(eventually([&] { return streams.size() == before + 1; }));
        ASSERT_EQ(static_cast<int>(before), step.client) << "clients ask in their order";
        server_ends[step.client] = test::server_end_of(clients[step.client]->fd());
        ASSERT_GE(server_ends[step.client], 0);
        break;
      }
      case Step::Full:
        ASSERT_TRUE(eventually([&] { return test::cannot_send(server_ends[step.client]); }));
        server.tick();  // the pump's round that found it full has ended
        break;
      case Step::After:
        clock.advance(step.by);
        server.tick();
        break;
      case Step::Read: {
        // Until the socket took another message whole: the pump has written since.
        auto stream = streams.at(step.client);
        int made = stream->made.load();
        ASSERT_TRUE(clients[step.client]->read_until([&] { return stream->made.load() > made; }));
        break;
      }
      case Step::Running:
        EXPECT_EQ(streams.at(step.client)->finished.load(), 0) << "client " << step.client;
        break;
      case Step::GivenUp: {
        auto stream = streams.at(step.client);
        // Asserted: a stream still running would keep the read below busy for ever.
        ASSERT_EQ(stream->finished.load(), 1) << "client " << step.client;
        EXPECT_FALSE(stream->complete.load());
        EXPECT_TRUE(clients[step.client]->closed_by_server()) << "client " << step.client;
        break;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Table, StreamPumpClockTest, ::testing::ValuesIn(kCases));

}  // namespace
}  // namespace vmdns::server
