// The dispatcher with server-side search on, without a forwarder: the client is found by
// the address in its reply route, over UDP and TCP, IPv4 and IPv4-mapped IPv6.
//
// Behaviour checked:
//   - --autopath: the page's VMI asking web.<its first search entry> gets the CNAME to
//     web.default.svc and its address; an address vmdns does not know gets the NXDOMAIN;
//   - --expand-short-names without an upstream: myvmi.mysubdomain. is answered at once with the
//     CNAME into the VMI's namespace; for an unknown address it stays REFUSED;
//   - with both flags off, the VMI gets the plain answers;
//   - --fallthrough without a forwarder: our NXDOMAIN (AA) for a reverse name we do not have,
//     autopath still answers through a fallthrough zone, and gives the NXDOMAIN back when it
//     finds nothing;
//   - none of this allocates.

#include "dispatch/dispatcher.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "builder/build.h"
#include "sources/manifest_loader.h"
#include "testing/allocation_counter.h"
#include "testing/dns_text.h"

namespace vmdns::dispatch {
namespace {

using dns::Rcode;
using vmdns::testing::make_query;
using vmdns::testing::parse_response;

constexpr const char* kManifests = R"(
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: vmi-fedora, labels: {expose: me}}
spec: {hostname: myvmi, subdomain: mysubdomain}
status:
  phase: Running
  interfaces: [{name: default, ipAddress: 10.244.0.57, ipAddresses: [10.244.0.57]}]
---
apiVersion: v1
kind: Service
metadata: {name: mysubdomain}
spec: {clusterIP: None, selector: {expose: me}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: 10.96.0.20}
)";

net::ReplyRoute route_from(const char* address, net::Transport transport, bool mapped) {
  net::ReplyRoute route;
  route.transport = transport;
  if (mapped) {
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, (std::string("::ffff:") + address).c_str(), &v6.sin6_addr);
    std::memcpy(&route.peer, &v6, sizeof(v6));
    route.peer_length = sizeof(v6);
  } else {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    inet_pton(AF_INET, address, &v4.sin_addr);
    std::memcpy(&route.peer, &v4, sizeof(v4));
    route.peer_length = sizeof(v4);
  }
  return route;
}

class HandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = sources::load_manifest_text(kManifests, "test.yaml");
    rules::ZoneConfig config;
    config.zones = {*dns::Name::from_text("cluster.local")};
    config.client_search = true;
    holder_.publish(builder::build(loaded.state, config));
  }

  vmdns::testing::ResponseText ask(Dispatcher& handler, const char* name,
                                   const net::ReplyRoute& route) {
    auto query = make_query({.name = name});
    size_t length = handler.handle_deferrable(query, out_, route);
    EXPECT_NE(length, server::QueryHandler::kDeferred);
    auto r = parse_response(std::vector<uint8_t>(out_.begin(), out_.begin() + length));
    EXPECT_TRUE(r.has_value());
    return r.value_or(vmdns::testing::ResponseText{});
  }

  zone::SnapshotHolder holder_;
  std::array<uint8_t, 65535> out_{};
};

TEST_F(HandlerTest, KnownClientsOverUdpAndTcp) {
  Dispatcher handler(holder_, {.search = {.autopath = true, .expand_short_names = true}});
  const std::vector<std::string> web = {
      "web.mysubdomain.default.svc.cluster.local.\t5\tIN\tCNAME\tweb.default.svc.cluster.local.",
      "web.default.svc.cluster.local.\t5\tIN\tA\t10.96.0.20"};
  const std::vector<std::string> myvmi = {
      "myvmi.mysubdomain.\t5\tIN\tCNAME\tmyvmi.mysubdomain.default.svc.cluster.local.",
      "myvmi.mysubdomain.default.svc.cluster.local.\t5\tIN\tA\t10.244.0.57"};
  for (auto transport : {net::Transport::Udp, net::Transport::Tcp}) {
    for (bool mapped : {false, true}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(transport)) + (mapped ? " mapped" : ""));
      auto vmi = route_from("10.244.0.57", transport, mapped);
      auto stranger = route_from("10.244.9.9", transport, mapped);
      EXPECT_EQ(ask(handler, "web.mysubdomain.default.svc.cluster.local", vmi).answer, web);
      EXPECT_EQ(ask(handler, "web.mysubdomain.default.svc.cluster.local", stranger).rcode,
                Rcode::NxDomain);
      EXPECT_EQ(ask(handler, "myvmi.mysubdomain", vmi).answer, myvmi);
      EXPECT_EQ(ask(handler, "myvmi.mysubdomain", stranger).rcode, Rcode::Refused);
    }
  }
}

TEST_F(HandlerTest, OffByDefault) {
  Dispatcher handler(holder_);
  auto vmi = route_from("10.244.0.57", net::Transport::Udp, false);
  EXPECT_EQ(ask(handler, "web.mysubdomain.default.svc.cluster.local", vmi).rcode,
            Rcode::NxDomain);
  EXPECT_EQ(ask(handler, "myvmi.mysubdomain", vmi).rcode, Rcode::Refused);
}

TEST(HandlerFallthroughTest, WithoutForwarderOurNxDomainStays) {
  auto loaded = sources::load_manifest_text(kManifests, "test.yaml");
  rules::ZoneConfig config;
  config.zones = {*dns::Name::from_text("cluster.local")};
  config.reverse_zones = {*dns::Name::from_text("in-addr.arpa")};
  config.fallthrough = {*dns::Name::from_text("in-addr.arpa"),
                        *dns::Name::from_text("cluster.local")};
  config.client_search = true;
  zone::SnapshotHolder holder;
  holder.publish(builder::build(loaded.state, config));
  Dispatcher handler(holder, {.search = {.autopath = true}});
  std::array<uint8_t, 65535> out{};
  auto ask = [&](const char* name, dns::RrType type, const char* from) {
    auto query = make_query({.name = name, .type = type});
    size_t length =
        handler.handle_deferrable(query, out, route_from(from, net::Transport::Udp, false));
    EXPECT_NE(length, server::QueryHandler::kDeferred);
    return parse_response(std::vector<uint8_t>(out.begin(), out.begin() + length))
        .value_or(vmdns::testing::ResponseText{});
  };
  for (const char* from : {"10.244.0.57", "10.244.9.9"}) {
    SCOPED_TRACE(from);
    auto reverse = ask("8.8.8.8.in-addr.arpa", dns::RrType::PTR, from);
    EXPECT_EQ(reverse.rcode, Rcode::NxDomain);
    EXPECT_TRUE(reverse.aa);
    EXPECT_EQ(reverse.authority.size(), 1u);
    auto ours = ask("20.0.96.10.in-addr.arpa", dns::RrType::PTR, from);
    EXPECT_EQ(ours.answer, std::vector<std::string>{
                               "20.0.96.10.in-addr.arpa.\t5\tIN\tPTR\tweb.default.svc.cluster.local."});
    EXPECT_EQ(ask("nosuch.mysubdomain.default.svc.cluster.local", dns::RrType::A, from).rcode,
              Rcode::NxDomain);
  }
  // The VMI's autopath walk starts from a fallthrough NXDOMAIN like from any other.
  EXPECT_EQ(ask("web.mysubdomain.default.svc.cluster.local", dns::RrType::A, "10.244.0.57")
                .answer.size(),
            2u);
}

TEST_F(HandlerTest, AllocatesNothing) {
  Dispatcher handler(holder_, {.search = {.autopath = true, .expand_short_names = true}});
  auto vmi = route_from("10.244.0.57", net::Transport::Udp, true);
  auto web = make_query({.name = "web.mysubdomain.default.svc.cluster.local", .edns = true});
  auto myvmi = make_query({.name = "myvmi.mysubdomain"});
  handler.handle_deferrable(web, out_, vmi);  // takes the published snapshot
  size_t before = vmdns::testing::allocations();
  size_t a = handler.handle_deferrable(web, out_, vmi);
  size_t b = handler.handle_deferrable(myvmi, out_, vmi);
  EXPECT_EQ(vmdns::testing::allocations(), before);
  EXPECT_GT(a, 12u);
  EXPECT_GT(b, 12u);
}

}  // namespace
}  // namespace vmdns::dispatch
