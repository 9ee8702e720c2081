// --loadbalance: query::answer's rotation, CoreDNS's loadbalance round_robin.
//
// Behaviour checked (a table of rotations and the order of the answer): rotation 0 keeps the
// stored order; rotations 1, 2, 3... start each address set one record further on, wrapping,
// so that every record comes first in turn and the set is always whole; a set of one record and
// the types loadbalance leaves alone (SRV, PTR) keep their order; the rotation costs no
// allocation (answer_alloc_test.cc covers the rest of the path).

#include <gtest/gtest.h>

#include <array>

#include "builder/build.h"
#include "query/answer.h"
#include "sources/manifest_loader.h"
#include "testing/allocation_counter.h"
#include "testing/dns_text.h"

namespace vmdns::query {
namespace {

using testing::make_query;
using testing::parse_response;

std::shared_ptr<const zone::Snapshot> three_vmis() {
  std::string manifests =
      "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
      "spec: {clusterIP: None, selector: {app: web}, ports: [{name: http, port: 80}]}\n";
  for (int i = 1; i <= 3; ++i) {
    manifests += "---\napiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: "
                 "{name: vm-" + std::to_string(i) +
                 ", labels: {app: web}}\nspec: {}\nstatus: {phase: Running, interfaces: [{name: "
                 "default, ipAddress: 10.1.0." + std::to_string(i) + "}]}\n";
  }
  auto loaded = sources::load_manifest_text(manifests, "test.yaml");
  EXPECT_TRUE(loaded.diagnostics.empty());
  rules::ZoneConfig config;
  config.zones = {*dns::Name::from_text("cluster.local")};
  return builder::build(loaded.state, config);
}

// The rdatas of the answer section, in order.
std::vector<std::string> order(const zone::Snapshot* snapshot, const char* name, dns::RrType type,
                               uint32_t rotation) {
  std::array<uint8_t, 65535> out{};
  Result result = answer(snapshot, make_query({.name = name, .type = type}), out,
                         net::Transport::Tcp, rotation);
  auto reply = parse_response(std::vector<uint8_t>(out.data(), out.data() + result.length));
  std::vector<std::string> rdatas;
  for (const std::string& record : reply->answer) {
    rdatas.push_back(record.substr(record.rfind('\t') + 1));
  }
  return rdatas;
}

TEST(AnswerRotation, Table) {
  auto snapshot = three_vmis();
  const char* web = "web.default.svc.cluster.local";
  struct Case {
    uint32_t rotation;
    std::vector<std::string> a;
  };
  const Case cases[] = {
      {0, {"10.1.0.1", "10.1.0.2", "10.1.0.3"}},
      {1, {"10.1.0.2", "10.1.0.3", "10.1.0.1"}},
      {2, {"10.1.0.3", "10.1.0.1", "10.1.0.2"}},
      {3, {"10.1.0.1", "10.1.0.2", "10.1.0.3"}},
      {4, {"10.1.0.2", "10.1.0.3", "10.1.0.1"}},
      {UINT32_MAX, {"10.1.0.1", "10.1.0.2", "10.1.0.3"}},  // 4294967295 % 3 == 0
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.rotation);
    EXPECT_EQ(order(snapshot.get(), web, dns::RrType::A, c.rotation), c.a);
  }
  // SRV keeps its order; a single record has nothing to rotate.
  auto srv = order(snapshot.get(), web, dns::RrType::SRV, 0);
  EXPECT_EQ(order(snapshot.get(), web, dns::RrType::SRV, 1), srv);
  auto one = order(snapshot.get(), "10-1-0-1.web.default.svc.cluster.local", dns::RrType::A, 0);
  EXPECT_EQ(one, std::vector<std::string>{"10.1.0.1"});
  EXPECT_EQ(srv.size(), 3u);
  EXPECT_EQ(order(snapshot.get(), "10-1-0-1.web.default.svc.cluster.local", dns::RrType::A, 2),
            one);
}

TEST(AnswerRotation, DoesNotAllocate) {
  auto snapshot = three_vmis();
  auto query = make_query({.name = "web.default.svc.cluster.local"});
  std::array<uint8_t, 512> out{};
  size_t before = vmdns::testing::allocations_on_this_thread();
  size_t total = 0;
  for (uint32_t rotation = 1; rotation < 10; ++rotation) {
    total += answer(snapshot.get(), query, out, net::Transport::Udp, rotation).length;
  }
  EXPECT_EQ(vmdns::testing::allocations_on_this_thread() - before, 0u);
  EXPECT_GT(total, 0u);
}

}  // namespace
}  // namespace vmdns::query
