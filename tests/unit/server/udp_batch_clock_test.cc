// The UDP worker's batch time on a clock the test moves (ServerOptions::clock): the time a
// handler is handed for a batch (which --rrl counts its seconds by, see
// tests/unit/dispatch/rate_limit_test.cc) is the injected clock's, not the machine's. A handler
// writes the time it was handed into its reply; each step of the table moves the clock and asks
// once, and the reply must carry the clock's time at that step, to the millisecond.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>

#include "server/server.h"
#include "testing/moved_clock.h"

namespace vmdns::server {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr size_t kHeader = 12;
constexpr size_t kStamp = 8;  // the batch's begin and end times since the clock's start, in ms

// Replies with the query's header and the times of its batch (begin, end) in milliseconds
// since `start`, each as 4 octets.
class BatchStamp : public QueryHandler {
 public:
  explicit BatchStamp(Clock::time_point start) : start_(start) {}

  size_t handle(std::span<const uint8_t> query, std::span<uint8_t> out, net::Transport) override {
    if (query.size() < kHeader) {
      return 0;
    }
    std::memcpy(out.data(), query.data(), kHeader);
    out[2] |= 0x80;
    put(out.subspan(kHeader), begun_);
    reply_ = out;
    return kHeader + kStamp;
  }
  void begin_batch(Clock::time_point now) override { begun_ = now; }
  // Called before the batch's replies are sent: the reply still in its slot gets the time too.
  void end_batch(Clock::time_point now) override {
    if (!reply_.empty()) {
      put(reply_.subspan(kHeader + 4), now);
      reply_ = {};
    }
  }

 private:
  void put(std::span<uint8_t> at, Clock::time_point t) const {
    auto ms = static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(t - start_).count());
    uint32_t wire = htonl(ms);
    std::memcpy(at.data(), &wire, 4);
  }

  Clock::time_point start_;
  Clock::time_point begun_{};
  std::span<uint8_t> reply_;
};

struct Step {
  Clock::duration advance;  // the clock moved before the query
  uint32_t expect_ms;       // the batch time the reply carries, since the start
};

TEST(UdpBatchClockTest, EachBatchIsTimedByTheInjectedClock) {
  testing::MovedClock clock;
  const Clock::time_point start = clock.now();
  std::string error;
  auto listen = net::parse_listen_address("127.0.0.1:0", &error);
  ASSERT_TRUE(listen) << error;
  Server server({.listen = *listen, .threads = 1, .clock = clock.source()},
                [start] { return std::make_unique<BatchStamp>(start); });
  ASSERT_TRUE(server.start(&error)) << error;

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  // Ends a hang only: every reply is expected.
  timeval bound{.tv_sec = 20, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  const auto& peer = server.bound_address();
  ASSERT_EQ(connect(fd, reinterpret_cast<const sockaddr*>(&peer.storage), peer.length), 0);

  // The machine's clock runs on between the steps; the batch time must not.
  const std::array<Step, 5> steps = {{
      {0ms, 0},
      {999ms, 999},     // the same second as the start for a limiter counting from 1000 s
      {1ms, 1000},      // the next second
      {0ms, 1000},      // a batch later, with no move: the same time
      {2500ms, 3500},
  }};
  uint16_t id = 1;
  for (const Step& step : steps) {
    clock.advance(step.advance);
    std::array<uint8_t, kHeader> query{};
    query[0] = static_cast<uint8_t>(id >> 8);
    query[1] = static_cast<uint8_t>(id);
    ASSERT_EQ(send(fd, query.data(), query.size(), 0), ssize_t(query.size()));
    std::array<uint8_t, 64> reply{};
    ssize_t n = recv(fd, reply.data(), reply.size(), 0);
    ASSERT_EQ(n, ssize_t(kHeader + kStamp)) << "step at " << clock.elapsed_ms() << " ms";
    EXPECT_EQ((reply[0] << 8) | reply[1], id);
    uint32_t begun = 0;
    uint32_t ended = 0;
    std::memcpy(&begun, reply.data() + kHeader, 4);
    std::memcpy(&ended, reply.data() + kHeader + 4, 4);
    EXPECT_EQ(ntohl(begun), step.expect_ms) << "begin_batch at " << clock.elapsed_ms() << " ms";
    EXPECT_EQ(ntohl(ended), step.expect_ms) << "end_batch at " << clock.elapsed_ms() << " ms";
    ++id;
  }
  close(fd);
}

}  // namespace
}  // namespace vmdns::server
