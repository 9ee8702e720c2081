// --fallthrough (CoreDNS's kubernetes `fallthrough ZONES`) as the answer path reports it: an
// NXDOMAIN from our data for a name at or below a fallthrough zone has the outcome Fallthrough
// (the reply holds our NXDOMAIN, which the server sends when it cannot forward); everything
// else is answered as without the flag.
//
// Behaviour checked, with kubeadm's `kubernetes cluster.local in-addr.arpa ip6.arpa
// { fallthrough in-addr.arpa ip6.arpa }`:
//   - a PTR of a cluster IP or endpoint is ours (AA, Answered); an address we do not have,
//     IPv4 or IPv6, in or near a cluster range, falls through;
//   - names that exist stay ours: the apex SOA and NS, empty non-terminals (10.in-addr.arpa
//     when 10.96.0.20 is ours), another type at a PTR name (NODATA);
//   - an SOA query for a name that does not exist falls through like any other type;
//   - cluster.local keeps its NXDOMAIN unless it is listed; `.` lists every zone; a zone below
//     a served apex (96.10.in-addr.arpa) covers only its own names;
//   - only the question's own name: an NXDOMAIN after a CNAME, or for answer_alias's target,
//     stays ours;
//   - before the first sync, SERVFAIL as without the flag;
//   - no allocation.

#include <gtest/gtest.h>

#include <array>

#include "builder/build.h"
#include "query/answer.h"
#include "sources/manifest_loader.h"
#include "testing/allocation_counter.h"
#include "testing/answer_case.h"
#include "testing/dns_text.h"

namespace vmdns::query {
namespace {

using dns::Rcode;
using dns::RrType;
using testing::make_query;
using testing::parse_response;
using testing::ResponseText;

constexpr const char* kManifests = R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {clusterIP: 10.96.0.20, clusterIPs: [10.96.0.20, "fd00::20"], selector: {app: web}}
---
apiVersion: v1
kind: Service
metadata: {name: gone, namespace: shop}
spec: {type: ExternalName, externalName: nosuch.shop.svc.cluster.local}
)";

const std::string kV4Soa =
    "in-addr.arpa.\t5\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 "
    "86400 5";
const std::string kV6Soa =
    "ip6.arpa.\t5\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5";
const std::string kSoa =
    "cluster.local.\t5\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 "
    "86400 5";
const std::string kWebV6Reverse =
    "0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.";

std::shared_ptr<const zone::Snapshot> snapshot_of(std::vector<std::string> fallthrough,
                                                  bool synced = true) {
  return testing::snapshot_from(kManifests, [&](rules::ZoneConfig& config) {
    config.reverse_zones = {*dns::Name::from_text("in-addr.arpa"),
                            *dns::Name::from_text("ip6.arpa")};
    for (const std::string& name : fallthrough) {
      config.fallthrough.push_back(*dns::Name::from_text(name));
    }
    config.nameserver_addresses = {*cluster::IpAddress::parse("10.96.0.10")};
    config.synced = synced;
  });
}

struct Case {
  std::string qname;
  RrType qtype;
  Rcode rcode;
  Outcome outcome;
  std::vector<std::string> answer;
  std::vector<std::string> authority;
  std::vector<std::string> additional = {};
};

void check(const zone::Snapshot* snapshot, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    // The answer path's outcome decides what the forwarder may do; what is sent when nothing
    // can be asked is our own authoritative answer.
    testing::Answered answered = testing::expect_answer(
        snapshot, {c.qname, c.qtype, c.rcode, c.answer, c.authority, c.additional,
                   c.outcome != Outcome::OutOfZone && c.rcode != Rcode::ServFail});
    EXPECT_EQ(answered.result.outcome, c.outcome) << c.qname;
    EXPECT_EQ(answered.result.rcode, c.rcode) << c.qname;
  }
}

TEST(FallthroughTest, KubeadmReverseZones) {
  auto snapshot = snapshot_of({"in-addr.arpa", "ip6.arpa"});
  check(snapshot.get(),
        {
            {"20.0.96.10.in-addr.arpa.", RrType::PTR, Rcode::NoError, Outcome::Answered,
             {"20.0.96.10.in-addr.arpa.\t5\tIN\tPTR\tweb.shop.svc.cluster.local."}, {}},
            {kWebV6Reverse, RrType::PTR, Rcode::NoError, Outcome::Answered,
             {kWebV6Reverse + "\t5\tIN\tPTR\tweb.shop.svc.cluster.local."}, {}},
            // Addresses no Service or workload of ours has: outside, and inside a cluster range.
            {"8.8.8.8.in-addr.arpa.", RrType::PTR, Rcode::NxDomain, Outcome::Fallthrough, {},
             {kV4Soa}},
            {"21.0.96.10.in-addr.arpa.", RrType::PTR, Rcode::NxDomain, Outcome::Fallthrough, {},
             {kV4Soa}},
            {"1.0.168.192.in-addr.arpa.", RrType::PTR, Rcode::NxDomain, Outcome::Fallthrough, {},
             {kV4Soa}},
            {"168.192.in-addr.arpa.", RrType::PTR, Rcode::NxDomain, Outcome::Fallthrough, {},
             {kV4Soa}},
            {"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
             RrType::PTR, Rcode::NxDomain, Outcome::Fallthrough, {}, {kV6Soa}},
            // Not a name an address has: still not ours to deny.
            {"x.in-addr.arpa.", RrType::A, Rcode::NxDomain, Outcome::Fallthrough, {}, {kV4Soa}},
            // An SOA query for a name that does not exist, like any other type.
            {"8.8.8.8.in-addr.arpa.", RrType::SOA, Rcode::NxDomain, Outcome::Fallthrough, {},
             {kV4Soa}},
            // Names that exist stay ours: the apex, empty non-terminals above our PTRs
            // (RFC 8020), and other types at a PTR name (NODATA).
            {"in-addr.arpa.", RrType::SOA, Rcode::NoError, Outcome::Answered, {kV4Soa}, {}},
            {"in-addr.arpa.", RrType::NS, Rcode::NoError, Outcome::Answered,
             {"in-addr.arpa.\t5\tIN\tNS\tns.dns.cluster.local."}, {},
             {"ns.dns.cluster.local.\t5\tIN\tA\t10.96.0.10"}},
            {"10.in-addr.arpa.", RrType::PTR, Rcode::NoError, Outcome::Answered, {}, {kV4Soa}},
            {"0.96.10.in-addr.arpa.", RrType::PTR, Rcode::NoError, Outcome::Answered, {},
             {kV4Soa}},
            {"20.0.96.10.in-addr.arpa.", RrType::A, Rcode::NoError, Outcome::Answered, {},
             {kV4Soa}},
            // The cluster zone is not listed: its NXDOMAIN is ours.
            {"nosuch.shop.svc.cluster.local.", RrType::A, Rcode::NxDomain, Outcome::Answered, {},
             {kSoa}},
            {"example.com.", RrType::A, Rcode::Refused, Outcome::OutOfZone, {}, {}},
        });
}

TEST(FallthroughTest, WhichZonesFallThrough) {
  // --fallthrough cluster.local: the cluster zone's NXDOMAINs too, and only them.
  check(snapshot_of({"cluster.local"}).get(),
        {
            {"nosuch.shop.svc.cluster.local.", RrType::A, Rcode::NxDomain, Outcome::Fallthrough,
             {}, {kSoa}},
            {"web.shop.svc.cluster.local.", RrType::TXT, Rcode::NoError, Outcome::Answered, {},
             {kSoa}},
            {"8.8.8.8.in-addr.arpa.", RrType::PTR, Rcode::NxDomain, Outcome::Answered, {},
             {kV4Soa}},
            // After a CNAME the NXDOMAIN is the target's, a name the upstream would not be
            // asked: ours (RFC 6604).
            {"gone.shop.svc.cluster.local.", RrType::A, Rcode::NxDomain, Outcome::Answered,
             {"gone.shop.svc.cluster.local.\t5\tIN\tCNAME\tnosuch.shop.svc.cluster.local."},
             {kSoa}},
        });
  // `.` (CoreDNS's bare `fallthrough`): every zone.
  check(snapshot_of({"."}).get(),
        {
            {"nosuch.shop.svc.cluster.local.", RrType::A, Rcode::NxDomain, Outcome::Fallthrough,
             {}, {kSoa}},
            {"8.8.8.8.in-addr.arpa.", RrType::PTR, Rcode::NxDomain, Outcome::Fallthrough, {},
             {kV4Soa}},
        });
  // A zone below a served apex: its names only.
  check(snapshot_of({"96.10.in-addr.arpa"}).get(),
        {
            {"21.0.96.10.in-addr.arpa.", RrType::PTR, Rcode::NxDomain, Outcome::Fallthrough, {},
             {kV4Soa}},
            {"96.10.in-addr.arpa.", RrType::A, Rcode::NoError, Outcome::Answered, {}, {kV4Soa}},
            {"8.8.8.8.in-addr.arpa.", RrType::PTR, Rcode::NxDomain, Outcome::Answered, {},
             {kV4Soa}},
            {"97.10.in-addr.arpa.", RrType::PTR, Rcode::NxDomain, Outcome::Answered, {},
             {kV4Soa}},
        });
  // None (--fallthrough none): every NXDOMAIN is ours, as before the flag.
  check(snapshot_of({}).get(),
        {
            {"8.8.8.8.in-addr.arpa.", RrType::PTR, Rcode::NxDomain, Outcome::Answered, {},
             {kV4Soa}},
        });
  // A zone that names none of ours changes nothing.
  check(snapshot_of({"example.com", "arpa.example"}).get(),
        {
            {"8.8.8.8.in-addr.arpa.", RrType::PTR, Rcode::NxDomain, Outcome::Answered, {},
             {kV4Soa}},
        });
}

// Before the first sync an address we do not know may be a Service's: SERVFAIL, so that the
// client asks again rather than caching the upstream's NXDOMAIN for a cluster address.
TEST(FallthroughTest, BeforeSyncIsServFail) {
  check(snapshot_of({"in-addr.arpa"}, /*synced=*/false).get(),
        {
            {"8.8.8.8.in-addr.arpa.", RrType::PTR, Rcode::ServFail, Outcome::Answered, {}, {}},
            {"20.0.96.10.in-addr.arpa.", RrType::PTR, Rcode::NoError, Outcome::Answered,
             {"20.0.96.10.in-addr.arpa.\t5\tIN\tPTR\tweb.shop.svc.cluster.local."}, {}},
        });
}

// answer_alias speaks for the target, a name the client did not ask: never Fallthrough.
TEST(FallthroughTest, AliasTargetIsNeverFallthrough) {
  auto snapshot = snapshot_of({"."});
  std::array<uint8_t, 65535> out{};
  auto query = make_query({.name = "web.default.svc.cluster.local"});
  Result result = answer_alias(snapshot.get(), query, out, net::Transport::Udp,
                               {*dns::Name::from_text("nosuch.shop.svc.cluster.local"), 5});
  EXPECT_EQ(result.rcode, Rcode::NxDomain);
  EXPECT_EQ(result.outcome, Outcome::Answered);
}

TEST(FallthroughTest, AllocatesNothing) {
  auto whole = snapshot_of({"in-addr.arpa", "ip6.arpa"});
  auto below = snapshot_of({"96.10.in-addr.arpa"});
  auto query = make_query({.name = "21.0.96.10.in-addr.arpa", .type = RrType::PTR});
  std::array<uint8_t, 65535> out{};
  size_t before = vmdns::testing::allocations();
  Result a = answer(whole.get(), query, out, net::Transport::Udp);
  Result b = answer(below.get(), query, out, net::Transport::Tcp);
  EXPECT_EQ(vmdns::testing::allocations(), before);
  EXPECT_EQ(a.outcome, Outcome::Fallthrough);
  EXPECT_EQ(b.outcome, Outcome::Fallthrough);
}

}  // namespace
}  // namespace vmdns::query
