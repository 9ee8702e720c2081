// --rrl in the dispatcher, on the clock of its batches: the limiter's second is the one of the
// time the worker hands begin_batch(), so a test that chooses those times decides which second
// each reply is counted in, where a client on loopback could only bound it by the time its
// burst took.
//
// Behaviour checked, for 5 replies a second with slip 2 to one client /24:
//   - the first 5 of a second are answered; past them one is dropped, the next sent truncated
//     (TC, no records), and so on;
//   - a batch later in the same second (999 ms on) shares its budget; the next second, one
//     millisecond after, starts afresh; another /24 has a budget of its own;
//   - over TCP nothing is limited;
//   - coredns_rrl_responses_exceeded_total counts each reply over the rate by what became of
//     it (action "drop" or "slip").

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "builder/build.h"
#include "dispatch/dispatcher.h"
#include "metrics/exposition.h"
#include "metrics/query_counters.h"
#include "net/reply_route.h"
#include "net/response_rate_limiter.h"
#include "sources/manifest_loader.h"
#include "testing/dns_text.h"

namespace vmdns::dispatch {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kManifests = R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {clusterIP: 10.96.0.7, ports: [{name: http, port: 80}]}
)";

// A batch: its time from the start of a second, the client, the transport, and each reply as
// A (answered), T (truncated, no records) or - (none).
struct Batch {
  std::chrono::milliseconds at;
  const char* client;
  net::Transport transport;
  int queries;
  std::string expected;
};

net::ReplyRoute route_to(const char* client, net::Transport transport) {
  net::ReplyRoute route;
  route.transport = transport;
  auto* in = reinterpret_cast<sockaddr_in*>(&route.peer);
  in->sin_family = AF_INET;
  EXPECT_EQ(inet_pton(AF_INET, client, &in->sin_addr), 1);
  route.peer_length = sizeof(sockaddr_in);
  return route;
}

TEST(RateLimit, CountsEachReplyInTheSecondOfItsBatch) {
  auto loaded = sources::load_manifest_text(kManifests, "test.yaml");
  rules::ZoneConfig config;
  config.zones = {*dns::Name::from_text("cluster.local")};
  zone::SnapshotHolder holder;
  holder.publish(builder::build(loaded.state, config));
  auto limiter = std::make_shared<net::ResponseRateLimiter>(
      net::RateLimit{.responses_per_second = 5, .slip = 2});
  metrics::QueryMetrics metrics;
  Dispatcher handler(holder, {.limiter = limiter, .counters = &metrics.add_thread()});
  const std::vector<uint8_t> query =
      testing::make_query({.name = "web.shop.svc.cluster.local", .type = dns::RrType::A});
  // Far from the clock's epoch, on a second's boundary.
  const Clock::time_point second = Clock::time_point{} + 1000s;

  const Batch batches[] = {
      {0ms, "192.0.2.1", net::Transport::Udp, 9, "AAAAA-T-T"},
      {999ms, "192.0.2.77", net::Transport::Udp, 3, "-T-"},
      {999ms, "198.51.100.1", net::Transport::Udp, 6, "AAAAA-"},
      {999ms, "192.0.2.1", net::Transport::Tcp, 3, "AAA"},
      {1000ms, "192.0.2.1", net::Transport::Udp, 7, "AAAAA-T"},
      {2500ms, "192.0.2.1", net::Transport::Udp, 2, "AA"},
  };
  std::array<uint8_t, 65535> out{};
  for (const Batch& batch : batches) {
    SCOPED_TRACE(std::string(batch.client) + " at " + std::to_string(batch.at.count()) + " ms");
    net::ReplyRoute route = route_to(batch.client, batch.transport);
    handler.begin_batch(second + batch.at);
    std::string replies;
    for (int i = 0; i < batch.queries; ++i) {
      size_t length = handler.handle_deferrable(query, out, route);
      if (length == 0) {
        replies += '-';
        continue;
      }
      auto reply = testing::parse_response({out.begin(), out.begin() + length});
      ASSERT_TRUE(reply);
      replies += reply->tc && reply->answer.empty() ? 'T' : 'A';
    }
    handler.end_batch(second + batch.at);
    EXPECT_EQ(replies, batch.expected);
  }
  metrics::Exposition out_text;
  metrics.write(out_text, "dns://:53");
  const std::string text = out_text.text();
  EXPECT_NE(text.find("coredns_rrl_responses_exceeded_total{action=\"drop\"} 6\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("coredns_rrl_responses_exceeded_total{action=\"slip\"} 4\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace vmdns::dispatch
