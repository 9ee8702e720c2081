// TcpTimeouts: a TCP connection's idle and query timeouts, on a clock the test sets.
//
// Behaviour checked:
//   - idle: connections expire least recently active first; activity starts the timeout again.
//   - query: runs only while part of a message has arrived and the rest is awaited; a round
//     without an answer keeps the first octet's deadline, an answer starts it again, and a
//     backed-up connection (whose client does not read) or a complete message stops it.
//   - the earliest deadline of both timeouts; forget() and clear() leave nothing to expire.

#include "server/tcp_timeouts.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace vmdns::server {
namespace {

using namespace std::chrono_literals;
using Clock = TcpTimeouts::Clock;

const Clock::time_point kStart = Clock::time_point{} + 1000s;

std::unique_ptr<TcpConnection> connection() {
  return std::make_unique<TcpConnection>(net::UniqueFd(), 1, sockaddr_storage{}, 0);
}

// The first `octets` of a message of 20 octets (after its two-octet length) have arrived.
void received(TcpConnection& c, size_t octets) {
  c.input[0] = 0;
  c.input[1] = 20;
  c.input_length = octets;
}

TEST(TcpTimeouts, IdleExpiresLeastRecentlyActiveFirst) {
  TcpTimeouts timeouts(100ms, 50ms);
  auto a = connection();
  auto b = connection();
  timeouts.active(a.get(), kStart);
  timeouts.active(b.get(), kStart + 10ms);
  timeouts.active(a.get(), kStart + 20ms);  // a query answered: a starts again
  EXPECT_EQ(timeouts.next_deadline(), kStart + 110ms);
  EXPECT_EQ(timeouts.expired(kStart + 109ms), nullptr);
  EXPECT_EQ(timeouts.expired(kStart + 110ms), b.get());
  timeouts.forget(b.get());
  EXPECT_EQ(timeouts.expired(kStart + 119ms), nullptr);
  EXPECT_EQ(timeouts.expired(kStart + 120ms), a.get());
  timeouts.forget(a.get());
  EXPECT_EQ(timeouts.next_deadline(), std::nullopt);
}

TEST(TcpTimeouts, QueryTimeoutRunsWhileTheRestOfAMessageIsAwaited) {
  TcpTimeouts timeouts(10s, 50ms);
  auto c = connection();
  timeouts.active(c.get(), kStart);

  timeouts.track_partial_message(c.get(), kStart, /*answered=*/false);
  EXPECT_EQ(timeouts.next_deadline(), kStart + 10s) << "nothing received: no query timeout";

  received(*c, 1);
  timeouts.track_partial_message(c.get(), kStart + 5ms, false);
  received(*c, 3);
  timeouts.track_partial_message(c.get(), kStart + 30ms, false);
  EXPECT_EQ(timeouts.next_deadline(), kStart + 55ms) << "from the first octet, not the last";

  timeouts.track_partial_message(c.get(), kStart + 40ms, /*answered=*/true);
  EXPECT_EQ(timeouts.next_deadline(), kStart + 90ms) << "an answer: the next message begins";

  received(*c, 22);  // whole
  timeouts.track_partial_message(c.get(), kStart + 60ms, false);
  EXPECT_EQ(timeouts.next_deadline(), kStart + 10s);

  received(*c, 1);
  timeouts.track_partial_message(c.get(), kStart + 70ms, false);
  EXPECT_EQ(timeouts.expired(kStart + 119ms), nullptr);
  EXPECT_EQ(timeouts.expired(kStart + 120ms), c.get());
  timeouts.forget(c.get());
  EXPECT_EQ(timeouts.expired(kStart + 20s), nullptr);
}

TEST(TcpTimeouts, NoQueryTimeoutWhileBackedUpOrClosing) {
  TcpTimeouts timeouts(10s, 50ms);
  auto c = connection();
  timeouts.active(c.get(), kStart);
  received(*c, 1);
  timeouts.track_partial_message(c.get(), kStart, false);
  EXPECT_EQ(timeouts.next_deadline(), kStart + 50ms);

  // The client does not read its replies: the rest of its message may wait unread in the
  // socket, so only the idle timeout applies.
  c->output.resize(TcpConnection::kMaxOutput);
  ASSERT_TRUE(c->backed_up());
  timeouts.track_partial_message(c.get(), kStart + 10ms, false);
  EXPECT_EQ(timeouts.next_deadline(), kStart + 10s);

  c->output.clear();
  c->peer_closed = true;
  timeouts.track_partial_message(c.get(), kStart + 20ms, false);
  EXPECT_EQ(timeouts.next_deadline(), kStart + 10s);
}

TEST(TcpTimeouts, ClearForgetsEveryConnection) {
  TcpTimeouts timeouts(100ms, 50ms);
  std::vector<std::unique_ptr<TcpConnection>> connections;
  for (int i = 0; i < 3; ++i) {
    connections.push_back(connection());
    timeouts.active(connections.back().get(), kStart);
    received(*connections.back(), 1);
    timeouts.track_partial_message(connections.back().get(), kStart, false);
  }
  timeouts.clear();
  EXPECT_EQ(timeouts.next_deadline(), std::nullopt);
  EXPECT_EQ(timeouts.expired(kStart + 1s), nullptr);
}

}  // namespace
}  // namespace vmdns::server
