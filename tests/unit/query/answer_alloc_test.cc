// query::answer allocates nothing (ARCHITECTURE.md habit 4), also on the paths the specification's
// rules added: SRV with additional addresses (deduplicated targets), PTR in a reverse zone, and
// a reverse zone's NXDOMAIN. Allocations are counted by tests/testing/allocation_counter.

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "builder/build.h"
#include "query/answer.h"
#include "sources/manifest_loader.h"
#include "testing/allocation_counter.h"
#include "testing/dns_text.h"

namespace vmdns::query {
namespace {

constexpr const char* kManifests = R"(
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {clusterIP: None, selector: {app: db}, ports: [{name: pg, port: 5432}, {name: m, port: 9187}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec: {}
status: {phase: Running, podIPs: [{ip: 10.244.2.1}, {ip: "fd00::1"}], conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db-1, namespace: shop, labels: {app: db}}
spec: {}
status: {phase: Running, podIPs: [{ip: 10.244.2.2}], conditions: [{type: Ready, status: "True"}]}
)";

TEST(AnswerAllocationTest, SrvPtrAndReverseNegativeAnswersAllocateNothing) {
  auto loaded = sources::load_manifest_text(kManifests, "test.yaml");
  rules::ZoneConfig config;
  config.zones = {*dns::Name::from_text("cluster.local")};
  config.reverse_zones = {*dns::Name::from_text("10.in-addr.arpa")};
  auto snapshot = builder::build(loaded.state, config);

  std::vector<std::vector<uint8_t>> queries = {
      testing::make_query({.name = "db.shop.svc.cluster.local", .type = dns::RrType::SRV}),
      testing::make_query(
          {.name = "_pg._tcp.db.shop.svc.cluster.local", .type = dns::RrType::SRV, .edns = true}),
      testing::make_query({.name = "1.2.244.10.in-addr.arpa", .type = dns::RrType::PTR}),
      testing::make_query({.name = "9.9.9.10.in-addr.arpa", .type = dns::RrType::PTR}),
  };
  std::array<uint8_t, 65535> out{};
  size_t lengths[4] = {};
  size_t before = vmdns::testing::allocations();
  for (size_t i = 0; i < queries.size(); ++i) {
    lengths[i] = answer(snapshot.get(), queries[i], out, net::Transport::Tcp).length;
  }
  size_t after = vmdns::testing::allocations();
  EXPECT_EQ(after, before);
  for (size_t length : lengths) {
    EXPECT_GT(length, 12u);
  }
  // The bare name has 6 SRVs (3 endpoint addresses, each its own dashed name, x 2 ports);
  // each target's address is added once.
  auto r = testing::parse_response(std::vector<uint8_t>(
      out.begin(),
      out.begin() + answer(snapshot.get(), queries[0], out, net::Transport::Tcp).length));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->answer.size(), 6u);
  EXPECT_EQ(r->additional.size(), 3u);
}

// prefetch() is called on every received datagram before it is parsed for real: any bytes,
// no allocation, and no effect on the answer.
TEST(AnswerAllocationTest, PrefetchTakesAnyBytesAndAllocatesNothing) {
  auto loaded = sources::load_manifest_text(kManifests, "test.yaml");
  rules::ZoneConfig config;
  config.zones = {*dns::Name::from_text("cluster.local")};
  config.reverse_zones = {*dns::Name::from_text("10.in-addr.arpa")};
  auto snapshot = builder::build(loaded.state, config);

  std::vector<uint8_t> srv = testing::make_query(
      {.name = "_pg._tcp.DB.shop.svc.cluster.local", .type = dns::RrType::SRV, .edns = true});
  std::vector<uint8_t> pointer_loop = srv;
  pointer_loop.resize(14);
  pointer_loop[12] = 0xC0;  // a compression pointer to itself
  pointer_loop[13] = 12;
  std::vector<std::vector<uint8_t>> inputs = {
      srv,
      testing::make_query({.name = "db-0.db.shop.svc.cluster.local", .type = dns::RrType::A}),
      testing::make_query({.name = "nosuch.shop.svc.cluster.local", .type = dns::RrType::A}),
      testing::make_query({.name = "1.2.244.10.in-addr.arpa", .type = dns::RrType::PTR}),
      testing::make_query({.name = "example.org", .type = dns::RrType::A}),
      {},
      std::vector<uint8_t>(12, 0),
      std::vector<uint8_t>(srv.begin(), srv.begin() + 20),  // the name cut short
      pointer_loop,
      std::vector<uint8_t>(300, 0x3F),
  };
  std::array<uint8_t, 65535> out{};
  size_t expected = answer(snapshot.get(), srv, out, net::Transport::Udp).length;
  std::vector<uint8_t> without(out.begin(), out.begin() + expected);

  size_t before = vmdns::testing::allocations();
  for (const auto& input : inputs) {
    prefetch(snapshot.get(), input);
    prefetch(nullptr, input);
  }
  size_t after = vmdns::testing::allocations();
  EXPECT_EQ(after, before);

  size_t length = answer(snapshot.get(), srv, out, net::Transport::Udp).length;
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + length), without);
}

}  // namespace
}  // namespace vmdns::query
