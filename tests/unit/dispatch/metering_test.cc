// Counting in the dispatcher: every query and reply is counted with CoreDNS's labels, from what
// the pipeline returns, in batches as the workers run it and query by query outside a batch;
// counting adds no heap allocation to the query path (ARCHITECTURE.md habits 4 and 11).

#include "dispatch/metering.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "builder/build.h"
#include "dispatch/dispatcher.h"
#include "net/reply_route.h"
#include "sources/manifest_loader.h"
#include "testing/allocation_counter.h"
#include "testing/dns_text.h"

namespace vmdns::dispatch {
namespace {

constexpr const char* kManifests = R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {clusterIP: 10.96.0.7, ports: [{name: http, port: 80}]}
)";

class MeteringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = sources::load_manifest_text(kManifests, "test.yaml");
    rules::ZoneConfig config;
    config.zones = {*dns::Name::from_text("cluster.local")};
    holder_.publish(builder::build(loaded.state, config));
  }
  zone::SnapshotHolder holder_;
  metrics::QueryMetrics metrics_;
};

TEST_F(MeteringTest, QuestionType) {
  struct Case {
    std::vector<uint8_t> query;
    uint16_t qtype;
  };
  std::vector<Case> cases = {
      {testing::make_query({.name = "web.shop.svc.cluster.local", .type = dns::RrType::SRV}), 33},
      {testing::make_query({.name = ".", .type = dns::RrType::NS}), 2},
      {{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, 0},                    // QDCOUNT 1, no question
      {{0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 0},           // QDCOUNT 0
      {{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1}, 0},  // a pointer
      {{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a', 'b'}, 0},       // truncated label
      {{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 0},              // truncated type
      {{1, 2, 3}, 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(question_type(c.query), c.qtype);
  }
}

TEST_F(MeteringTest, CountsAndAllocatesNothing) {
  Dispatcher handler(holder_, {.counters = &metrics_.add_thread()});
  std::vector<std::vector<uint8_t>> queries = {
      testing::make_query({.name = "web.shop.svc.cluster.local", .type = dns::RrType::A}),
      testing::make_query({.name = "nope.shop.svc.cluster.local", .type = dns::RrType::A}),
      testing::make_query({.name = "example.com", .type = dns::RrType::AAAA}),
      testing::make_query(
          {.name = "_http._tcp.web.shop.svc.cluster.local", .type = dns::RrType::SRV}),
  };
  net::ReplyRoute route;
  route.transport = net::Transport::Udp;
  route.peer.ss_family = AF_INET;
  std::array<uint8_t, 65535> out{};
  handler.handle_deferrable(queries[0], out, route);  // warms the worker's snapshot pointer
  size_t before = vmdns::testing::allocations();
  // Two queries on their own, then two in a batch as a UDP worker runs them: prefetched (and
  // parsed) first, answered next, counted at the end of the batch.
  for (size_t i = 0; i < 2; ++i) {
    Dispatched d = handler.dispatch(queries[i], out, route);
    EXPECT_GT(d.length, 0u);
    EXPECT_EQ(d.rcode, i == 0 ? 0 : 3);
  }
  handler.begin_batch(std::chrono::steady_clock::now());
  handler.prefetch(queries[2]);
  handler.prefetch(queries[3]);
  Dispatched refused = handler.dispatch(queries[2], out, route);
  EXPECT_EQ(refused.rcode, 5);
  EXPECT_EQ(refused.qtype, 28);
  EXPECT_EQ(refused.outcome, Outcome::Answered);
  EXPECT_GT(handler.handle_deferrable(queries[3], out, route), 0u);
  handler.end_batch(std::chrono::steady_clock::now());
  EXPECT_EQ(vmdns::testing::allocations(), before);

  metrics::Exposition text;
  metrics_.write(text, "dns://:53");
  const std::string base = R"(server="dns://:53",zone=".",view="",)";
  for (const std::string& line : {
           R"(coredns_dns_requests_total{)" + base + R"(proto="udp",family="1",type="A"} 3)",
           R"(coredns_dns_requests_total{)" + base + R"(proto="udp",family="1",type="AAAA"} 1)",
           R"(coredns_dns_requests_total{)" + base + R"(proto="udp",family="1",type="SRV"} 1)",
           R"(coredns_dns_responses_total{)" + base + R"(rcode="NOERROR",plugin="kubernetes"} 3)",
           R"(coredns_dns_responses_total{)" + base + R"(rcode="NXDOMAIN",plugin="kubernetes"} 1)",
           R"(coredns_dns_responses_total{)" + base + R"(rcode="REFUSED",plugin=""} 1)",
       }) {
    EXPECT_NE(text.text().find(line + "\n"), std::string::npos) << line << "\n" << text.text();
  }
}

}  // namespace
}  // namespace vmdns::dispatch
