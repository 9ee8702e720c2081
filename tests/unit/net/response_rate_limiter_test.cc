// ResponseRateLimiter (--rrl): per client /24 or /56, per second, with slip; shared by threads.

#include "net/response_rate_limiter.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "unit/net/socket_address.h"

namespace vmdns::net {
namespace {

sockaddr_storage address(const char* text) {
  return socket_address(text);
}

// The verdicts for `count` responses to `client` in second `second`, as a string: S, T, -.
std::string verdicts(ResponseRateLimiter& limiter, const char* client, int count, uint64_t second) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    switch (limiter.check(address(client), second)) {
      case RateVerdict::Send:
        out += 'S';
        break;
      case RateVerdict::Slip:
        out += 'T';
        break;
      case RateVerdict::Drop:
        out += '-';
        break;
    }
  }
  return out;
}

TEST(ResponseRateLimiter, Table) {
  struct Case {
    const char* what;
    RateLimit limit;
    const char* client;
    int count;
    const char* expected;
  };
  const Case cases[] = {
      {"off", {0, 2}, "192.0.2.1", 6, "SSSSSS"},
      {"rate 3, slip 2: every 2nd over it truncated", {3, 2}, "192.0.2.1", 9, "SSS-T-T-T"},
      {"slip 1: all over it truncated", {2, 1}, "192.0.2.1", 5, "SSTTT"},
      {"slip 0: all over it dropped", {2, 0}, "192.0.2.1", 5, "SS---"},
      {"slip 3", {1, 3}, "2001:db8::1", 8, "S--T--T-"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ResponseRateLimiter limiter(c.limit);
    EXPECT_EQ(verdicts(limiter, c.client, c.count, 100), c.expected);
  }
}

TEST(ResponseRateLimiter, CountsPerNetworkAndPerSecond) {
  ResponseRateLimiter limiter({.responses_per_second = 2, .slip = 0});
  EXPECT_EQ(verdicts(limiter, "192.0.2.1", 3, 7), "SS-");
  // The same /24: the same budget.
  EXPECT_EQ(verdicts(limiter, "192.0.2.200", 1, 7), "-");
  EXPECT_EQ(verdicts(limiter, "::ffff:192.0.2.9", 1, 7), "-");
  // Another /24, and IPv6: their own budgets.
  EXPECT_EQ(verdicts(limiter, "192.0.3.1", 3, 7), "SS-");
  EXPECT_EQ(verdicts(limiter, "2001:db8:0:100::1", 2, 7), "SS");
  // The same /56.
  EXPECT_EQ(verdicts(limiter, "2001:db8:0:1ff::2", 1, 7), "-");
  EXPECT_EQ(verdicts(limiter, "2001:db8:0:200::1", 1, 7), "S");
  // The next second starts afresh.
  EXPECT_EQ(verdicts(limiter, "192.0.2.1", 3, 8), "SS-");
}

TEST(ResponseRateLimiter, ThreadsShareTheBudget) {
  ResponseRateLimiter limiter({.responses_per_second = 1000, .slip = 0});
  std::atomic<int> sent{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (limiter.check(address("198.51.100.7"), 5) == RateVerdict::Send) {
          sent.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(sent.load(), 1000);
}

}  // namespace
}  // namespace vmdns::net
