// query::answer against a snapshot built from manifests, as tables in zone-file presentation
// format: {qname, qtype, rcode, answer[], authority[], additional[]} (CoreDNS's test.Case).

#include "query/answer.h"

#include <gtest/gtest.h>

#include <array>

#include "builder/build.h"
#include "dns/edns.h"
#include "sources/manifest_loader.h"
#include "testing/answer_case.h"
#include "testing/dns_text.h"

namespace vmdns::query {
namespace {

using dns::Rcode;
using dns::RrType;
using testing::make_query;
using testing::parse_response;
using testing::QuerySpec;
using testing::ResponseText;

constexpr const char* kManifests = R"(
apiVersion: kubevirt.io/v1alpha3
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
spec: {clusterIP: None, selector: {expose: me}, ports: [{name: foo, port: 1234}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {clusterIP: 10.96.0.20, clusterIPs: [10.96.0.20, "fd00::20"], selector: {app: web}}
---
apiVersion: v1
kind: Service
metadata: {name: alias, namespace: shop}
spec: {type: ExternalName, externalName: web.shop.svc.cluster.local}
---
apiVersion: v1
kind: Service
metadata: {name: outside, namespace: shop}
spec: {type: ExternalName, externalName: db.example.com}
---
apiVersion: v1
kind: Namespace
metadata: {name: empty}
)";

const std::string kSoa =
    "cluster.local.\t5\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 "
    "86400 5";

std::shared_ptr<const zone::Snapshot> snapshot_of(const std::string& manifests) {
  return testing::snapshot_from(manifests, [](rules::ZoneConfig& config) {
    config.nameserver_addresses = {*cluster::IpAddress::parse("10.96.0.10")};
  });
}

ResponseText ask(const zone::Snapshot* snapshot, const std::vector<uint8_t>& query,
                 net::Transport transport = net::Transport::Udp) {
  return testing::ask(snapshot, query, transport).reply;
}

using Case = testing::AnswerCase;

class AnswerTest : public ::testing::Test {
 protected:
  std::shared_ptr<const zone::Snapshot> snapshot_ = snapshot_of(kManifests);
};

TEST_F(AnswerTest, Table) {
  const std::vector<Case> cases = {
      // KubeVirt DNS page: <hostname>.<subdomain>.<namespace>.svc.<zone> -> the VMI's own IP.
      {"myvmi.mysubdomain.default.svc.cluster.local.", RrType::A, Rcode::NoError,
       {"myvmi.mysubdomain.default.svc.cluster.local.\t5\tIN\tA\t10.244.0.57"}, {}},
      // RFC 4343: lookup is case-insensitive and the answer echoes the question's case.
      {"MyVMI.mySubdomain.DEFAULT.svc.cluster.local.", RrType::A, Rcode::NoError,
       {"MyVMI.mySubdomain.DEFAULT.svc.cluster.local.\t5\tIN\tA\t10.244.0.57"}, {}},
      // Headless Service: one A per ready endpoint.
      {"mysubdomain.default.svc.cluster.local.", RrType::A, Rcode::NoError,
       {"mysubdomain.default.svc.cluster.local.\t5\tIN\tA\t10.244.0.57"}, {}},
      // NODATA: the name exists with another type (RFC 2308 section 2.2).
      {"myvmi.mysubdomain.default.svc.cluster.local.", RrType::AAAA, Rcode::NoError, {}, {kSoa}},
      // NXDOMAIN with the SOA (RFC 2308 section 2.1).
      {"nosuchvm.mysubdomain.default.svc.cluster.local.", RrType::A, Rcode::NxDomain, {}, {kSoa}},
      // Empty non-terminals exist (RFC 8020): svc.<zone>, <ns>.svc.<zone>.
      {"svc.cluster.local.", RrType::A, Rcode::NoError, {}, {kSoa}},
      {"default.svc.cluster.local.", RrType::A, Rcode::NoError, {}, {kSoa}},
      // A Namespace object makes its namespace exist; an unknown one does not.
      {"empty.svc.cluster.local.", RrType::A, Rcode::NoError, {}, {kSoa}},
      {"nonamespace.svc.cluster.local.", RrType::A, Rcode::NxDomain, {}, {kSoa}},
      // Apex.
      {"cluster.local.", RrType::SOA, Rcode::NoError, {kSoa}, {}},
      // The NS target's address as additional data (RFC 1035 section 3.3.11).
      {"cluster.local.", RrType::NS, Rcode::NoError,
       {"cluster.local.\t5\tIN\tNS\tns.dns.cluster.local."}, {},
       {"ns.dns.cluster.local.\t5\tIN\tA\t10.96.0.10"}},
      {"ns.dns.cluster.local.", RrType::A, Rcode::NoError,
       {"ns.dns.cluster.local.\t5\tIN\tA\t10.96.0.10"}, {}},
      // ClusterIP, dual-stack.
      {"web.shop.svc.cluster.local.", RrType::A, Rcode::NoError,
       {"web.shop.svc.cluster.local.\t5\tIN\tA\t10.96.0.20"}, {}},
      {"web.shop.svc.cluster.local.", RrType::AAAA, Rcode::NoError,
       {"web.shop.svc.cluster.local.\t5\tIN\tAAAA\tfd00::20"}, {}},
      // ExternalName: the CNAME, followed inside our zone (RFC 1034 section 4.3.2 step 3a).
      {"alias.shop.svc.cluster.local.", RrType::A, Rcode::NoError,
       {"alias.shop.svc.cluster.local.\t5\tIN\tCNAME\tweb.shop.svc.cluster.local.",
        "web.shop.svc.cluster.local.\t5\tIN\tA\t10.96.0.20"},
       {}},
      // ... and not followed out of it: the client resolves db.example.com itself.
      {"outside.shop.svc.cluster.local.", RrType::A, Rcode::NoError,
       {"outside.shop.svc.cluster.local.\t5\tIN\tCNAME\tdb.example.com."}, {}},
      {"outside.shop.svc.cluster.local.", RrType::CNAME, Rcode::NoError,
       {"outside.shop.svc.cluster.local.\t5\tIN\tCNAME\tdb.example.com."}, {}},
      // RFC 8482: ANY gets one record set, not the whole name.
      {"web.shop.svc.cluster.local.", RrType::ANY, Rcode::NoError,
       {"web.shop.svc.cluster.local.\t5\tIN\tA\t10.96.0.20"}, {}},
      // Names outside our zones: REFUSED, not authoritative (forwarding is a later feature).
      {"example.com.", RrType::A, Rcode::Refused, {}, {}, {}, false},
      // Zone transfers are not offered.
      {"cluster.local.", RrType::AXFR, Rcode::Refused, {}, {}, {}, true},
  };
  for (const Case& c : cases) {
    ResponseText r = testing::expect_answer(snapshot_.get(), c).reply;
    SCOPED_TRACE(c.qname + " " + dns::rr_type_name(c.qtype));
    EXPECT_EQ(r.id, 0x1234);
    EXPECT_TRUE(r.qr);
    EXPECT_TRUE(r.rd);
    EXPECT_FALSE(r.tc);
    EXPECT_FALSE(r.ra);
  }
}

// Before the first sync with the Kubernetes API (ZoneConfig::synced false) a name we do not know
// may exist: NXDOMAIN becomes SERVFAIL, without AA or SOA, as CoreDNS answers until its
// informers have synced. What we do know still answers, NODATA included.
TEST(AnswerBeforeSyncTest, NxDomainIsServFailUntilSynced) {
  auto loaded = sources::load_manifest_text(kManifests, "test.yaml");
  rules::ZoneConfig config;
  config.zones = {*dns::Name::from_text("cluster.local")};
  config.synced = false;
  auto snapshot = builder::build(loaded.state, config);
  ASSERT_FALSE(snapshot->synced());
  const std::vector<Case> cases = {
      {"nosuchvm.mysubdomain.default.svc.cluster.local.", RrType::A, Rcode::ServFail, {}, {}, {},
       false},
      {"nonamespace.svc.cluster.local.", RrType::A, Rcode::ServFail, {}, {}, {}, false},
      {"myvmi.mysubdomain.default.svc.cluster.local.", RrType::A, Rcode::NoError,
       {"myvmi.mysubdomain.default.svc.cluster.local.\t5\tIN\tA\t10.244.0.57"}, {}},
      {"myvmi.mysubdomain.default.svc.cluster.local.", RrType::AAAA, Rcode::NoError, {}, {kSoa}},
      {"example.com.", RrType::A, Rcode::Refused, {}, {}, {}, false},
  };
  for (const Case& c : cases) {
    testing::expect_answer(snapshot.get(), c);
  }
  config.synced = true;
  ResponseText synced = ask(builder::build(loaded.state, config).get(),
                            make_query({.name = "nosuchvm.default.svc.cluster.local."}));
  EXPECT_EQ(synced.rcode, Rcode::NxDomain);
}

TEST_F(AnswerTest, EdnsIsEchoedWithOurPayloadSize) {
  // RFC 6891 section 7: a query with OPT gets an OPT back.
  ResponseText r = ask(snapshot_.get(),
                       make_query({.name = "myvmi.mysubdomain.default.svc.cluster.local",
                                   .edns = true, .udp_size = 4096}));
  EXPECT_TRUE(r.has_opt);
  EXPECT_EQ(r.opt_udp_size, dns::kEdnsPayload);
  EXPECT_EQ(r.answer.size(), 1u);
}

TEST_F(AnswerTest, EdnsVersionAboveZeroIsBadVers) {
  // RFC 6891 section 6.1.3: BADVERS (16), carried in the OPT's extended rcode.
  ResponseText r = ask(snapshot_.get(), make_query({.name = "cluster.local", .edns = true,
                                                    .edns_version = 1}));
  EXPECT_EQ(r.rcode, Rcode::BadVers);
  EXPECT_TRUE(r.has_opt);
  EXPECT_TRUE(r.answer.empty());
}

TEST_F(AnswerTest, OpcodeOtherThanQueryIsNotImp) {
  auto query = make_query({.name = "cluster.local"});
  query[2] |= 0x10;  // opcode 2 (STATUS)
  ResponseText r = ask(snapshot_.get(), query);
  EXPECT_EQ(r.rcode, Rcode::NotImp);
}

TEST_F(AnswerTest, TwoQuestionsAreFormErr) {
  auto query = make_query({.name = "cluster.local"});
  query[5] = 2;  // QDCOUNT 2 with only one question present
  ResponseText r = ask(snapshot_.get(), query);
  EXPECT_EQ(r.rcode, Rcode::FormErr);
  EXPECT_EQ(r.id, 0x1234);
}

TEST_F(AnswerTest, ResponsesAndRuntsAreDropped) {
  std::array<uint8_t, 512> out{};
  auto query = make_query({.name = "cluster.local"});
  query[2] |= 0x80;  // QR=1: a response, never answered (RFC 1035 section 7.3)
  EXPECT_EQ(answer(snapshot_.get(), query, out, net::Transport::Udp).length, 0u);
  std::vector<uint8_t> runt = {0x12, 0x34, 0x01};
  EXPECT_EQ(answer(snapshot_.get(), runt, out, net::Transport::Udp).length, 0u);
}

TEST_F(AnswerTest, NoSnapshotYetIsServFail) {
  ResponseText r = ask(nullptr, make_query({.name = "myvmi.mysubdomain.default.svc.cluster.local"}));
  EXPECT_EQ(r.rcode, Rcode::ServFail);
}

// The specification's SRV, PTR, TXT and pod rules as the query path serves them, with reverse
// zones, verified pods and a negative TTL of 30.
constexpr const char* kSpecManifests = R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: 10.96.0.20
  clusterIPs: [10.96.0.20, "fd00::20"]
  selector: {app: web}
  ports: [{name: http, port: 80}, {name: dns, port: 53, protocol: UDP}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec: {}
status: {phase: Running, podIPs: [{ip: 10.244.1.7}], conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {clusterIP: None, selector: {app: db}, ports: [{name: pg, port: 5432}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec: {hostname: db-0, subdomain: db}
status: {phase: Running, podIPs: [{ip: "fd00:10::"}], conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Service
metadata: {name: outside, namespace: shop}
spec: {type: ExternalName, externalName: db.example.com, ports: [{name: pg, port: 5432}]}
)";

const std::string kSoa30 =
    "cluster.local.\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 "
    "86400 30";
const std::string kReverseSoa =
    "10.in-addr.arpa.\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 "
    "86400 30";
const std::string kV6ReverseSoa =
    "d.f.ip6.arpa.\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 "
    "86400 30";

std::shared_ptr<const zone::Snapshot> spec_snapshot() {
  auto loaded = sources::load_manifest_text(kSpecManifests, "test.yaml");
  EXPECT_TRUE(loaded.diagnostics.empty());
  rules::ZoneConfig config;
  config.zones = {*dns::Name::from_text("cluster.local")};
  config.reverse_zones = {*dns::Name::from_text("10.in-addr.arpa"),
                          *dns::Name::from_text("d.f.ip6.arpa")};
  config.nameserver_addresses = {*cluster::IpAddress::parse("10.96.0.10")};
  config.negative_ttl = 30;
  config.pods = rules::PodMode::Verified;
  return builder::build(loaded.state, config);
}

TEST(SpecAnswerTest, Table) {
  auto snapshot = spec_snapshot();
  const std::string kDb0V6Reverse =
      "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.d.f.ip6.arpa.";
  const std::vector<Case> cases = {
      // Spec 2.2: the schema version.
      {"dns-version.cluster.local.", RrType::TXT, Rcode::NoError,
       {"dns-version.cluster.local.\t28800\tIN\tTXT\t\"1.1.0\""}, {}},
      // Spec 2.4.1: SRV per named port; the target's A and AAAA in the additional section
      // (RFC 2782); dual-stack = 2 candidates, one record, weight 50 (CoreDNS).
      {"_http._tcp.web.shop.svc.cluster.local.", RrType::SRV, Rcode::NoError,
       {"_http._tcp.web.shop.svc.cluster.local.\t5\tIN\tSRV\t0 50 80 web.shop.svc.cluster.local."},
       {},
       {"web.shop.svc.cluster.local.\t5\tIN\tA\t10.96.0.20",
        "web.shop.svc.cluster.local.\t5\tIN\tAAAA\tfd00::20"}},
      // The bare name holds every named port (2 ports x 2 addresses: weight 25); the shared
      // target's addresses are added once (CoreDNS isDuplicate).
      {"web.shop.svc.cluster.local.", RrType::SRV, Rcode::NoError,
       {"web.shop.svc.cluster.local.\t5\tIN\tSRV\t0 25 80 web.shop.svc.cluster.local.",
        "web.shop.svc.cluster.local.\t5\tIN\tSRV\t0 25 53 web.shop.svc.cluster.local."},
       {},
       {"web.shop.svc.cluster.local.\t5\tIN\tA\t10.96.0.20",
        "web.shop.svc.cluster.local.\t5\tIN\tAAAA\tfd00::20"}},
      // A port name under the wrong protocol does not exist; _tcp is an empty non-terminal.
      {"_http._udp.web.shop.svc.cluster.local.", RrType::SRV, Rcode::NxDomain, {}, {kSoa30}},
      {"_tcp.web.shop.svc.cluster.local.", RrType::SRV, Rcode::NoError, {}, {kSoa30}},
      // Spec 2.4.2: headless SRV to the endpoint's hostname, with its AAAA as additional data.
      {"_pg._tcp.db.shop.svc.cluster.local.", RrType::SRV, Rcode::NoError,
       {"_pg._tcp.db.shop.svc.cluster.local.\t5\tIN\tSRV\t0 100 5432 db-0.db.shop.svc.cluster.local."},
       {},
       {"db-0.db.shop.svc.cluster.local.\t5\tIN\tAAAA\tfd00:10::"}},
      // CoreDNS: endpoint names under a ClusterIP Service; the dashed address when no hostname.
      {"10-244-1-7.web.shop.svc.cluster.local.", RrType::A, Rcode::NoError,
       {"10-244-1-7.web.shop.svc.cluster.local.\t5\tIN\tA\t10.244.1.7"}, {}},
      // Wildcards are not supported: '*' is an ordinary label (spec 2.1 / CoreDNS without the
      // deprecated wildcard queries).
      {"*.shop.svc.cluster.local.", RrType::A, Rcode::NxDomain, {}, {kSoa30}},
      {"*.web.shop.svc.cluster.local.", RrType::A, Rcode::NxDomain, {}, {kSoa30}},
      // ExternalName: SRV at the alias is its CNAME (RFC 1034 section 4.3.2: a CNAME owner has
      // no other data), not followed out of our zone; names below it do not exist.
      {"outside.shop.svc.cluster.local.", RrType::SRV, Rcode::NoError,
       {"outside.shop.svc.cluster.local.\t5\tIN\tCNAME\tdb.example.com."}, {}},
      {"_pg._tcp.outside.shop.svc.cluster.local.", RrType::SRV, Rcode::NxDomain, {}, {kSoa30}},
      {"x.outside.shop.svc.cluster.local.", RrType::A, Rcode::NxDomain, {}, {kSoa30}},
      // Pods verified: the dashed address in the Pod's namespace only.
      {"10-244-1-7.shop.pod.cluster.local.", RrType::A, Rcode::NoError,
       {"10-244-1-7.shop.pod.cluster.local.\t5\tIN\tA\t10.244.1.7"}, {}},
      {"fd00-10--0.shop.pod.cluster.local.", RrType::AAAA, Rcode::NoError,
       {"fd00-10--0.shop.pod.cluster.local.\t5\tIN\tAAAA\tfd00:10::"}, {}},
      {"10-244-1-7.default.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {kSoa30}},
      {"10-244-1-8.shop.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {kSoa30}},
      // Spec 2.5: PTR for a cluster IP and for an endpoint, IPv4 and IPv6.
      {"20.0.96.10.in-addr.arpa.", RrType::PTR, Rcode::NoError,
       {"20.0.96.10.in-addr.arpa.\t5\tIN\tPTR\tweb.shop.svc.cluster.local."}, {}},
      {"7.1.244.10.in-addr.arpa.", RrType::PTR, Rcode::NoError,
       {"7.1.244.10.in-addr.arpa.\t5\tIN\tPTR\t10-244-1-7.web.shop.svc.cluster.local."}, {}},
      {kDb0V6Reverse, RrType::PTR, Rcode::NoError,
       {kDb0V6Reverse + "\t5\tIN\tPTR\tdb-0.db.shop.svc.cluster.local."}, {}},
      // A reverse zone's negative answers carry its own SOA (RFC 2308 section 3).
      {"99.0.96.10.in-addr.arpa.", RrType::PTR, Rcode::NxDomain, {}, {kReverseSoa}},
      {"20.0.96.10.in-addr.arpa.", RrType::A, Rcode::NoError, {}, {kReverseSoa}},
      {"1.0.0.d.f.ip6.arpa.", RrType::PTR, Rcode::NxDomain, {}, {kV6ReverseSoa}},
      {"10.in-addr.arpa.", RrType::NS, Rcode::NoError,
       {"10.in-addr.arpa.\t5\tIN\tNS\tns.dns.cluster.local."}, {},
       {"ns.dns.cluster.local.\t5\tIN\tA\t10.96.0.10"}},
      // Outside every reverse zone we serve: REFUSED, like any other foreign name.
      {"1.0.168.192.in-addr.arpa.", RrType::PTR, Rcode::Refused, {}, {}, {}, false},
      // Negative TTL: the SOA in negative answers carries it; positive answers keep --ttl.
      {"nosuch.cluster.local.", RrType::A, Rcode::NxDomain, {}, {kSoa30}},
      // Pods are under pod.<zone>, which exists in every mode.
      {"pod.cluster.local.", RrType::A, Rcode::NoError, {}, {kSoa30}},
  };
  for (const Case& c : cases) {
    testing::expect_answer(snapshot.get(), c);
  }
}

TEST(SpecAnswerTest, PodsDisabledByDefault) {
  // CoreDNS `pods disabled`: nothing under pod.<zone>; pod.<zone> itself exists (NODATA), as
  // in every mode (pod_answer_test.cc).
  auto snapshot = snapshot_of(kSpecManifests);
  for (const char* name : {"shop.pod.cluster.local.", "10-244-1-7.shop.pod.cluster.local."}) {
    SCOPED_TRACE(name);
    ResponseText r = ask(snapshot.get(), make_query({.name = name}));
    EXPECT_EQ(r.rcode, Rcode::NxDomain);
  }
  ResponseText r = ask(snapshot.get(), make_query({.name = "pod.cluster.local."}));
  EXPECT_EQ(r.rcode, Rcode::NoError);
  EXPECT_TRUE(r.answer.empty());
  EXPECT_EQ(r.authority, std::vector<std::string>{kSoa});
}

TEST(AnswerTruncationTest, LargeAnswerSetsTcOverUdpAndFitsOverTcp) {
  // 100 ready VMIs behind one headless Service: 100 A records, ~1.6 KB.
  std::string manifests =
      "apiVersion: v1\nkind: Service\nmetadata: {name: big}\n"
      "spec: {clusterIP: None, selector: {app: big}}\n";
  for (int i = 0; i < 100; ++i) {
    manifests += "---\napiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: "
                 "vm-" + std::to_string(i) +
                 ", labels: {app: big}}\nspec: {}\nstatus: {phase: Running, interfaces: [{name: "
                 "default, ipAddress: 10.1.0." +
                 std::to_string(i) + "}]}\n";
  }
  auto snapshot = snapshot_of(manifests);
  auto query = make_query({.name = "big.default.svc.cluster.local"});

  ResponseText udp = ask(snapshot.get(), query, net::Transport::Udp);
  EXPECT_TRUE(udp.tc);  // RFC 2181 section 9: the whole set did not fit in 512 octets
  EXPECT_TRUE(udp.answer.empty());

  auto edns = make_query({.name = "big.default.svc.cluster.local", .edns = true, .udp_size = 4096});
  ResponseText capped = ask(snapshot.get(), edns, net::Transport::Udp);
  EXPECT_TRUE(capped.tc);  // 1.6 KB does not fit in our 1232-octet cap either
  EXPECT_TRUE(capped.has_opt);

  ResponseText tcp = ask(snapshot.get(), query, net::Transport::Tcp);
  EXPECT_FALSE(tcp.tc);
  EXPECT_EQ(tcp.answer.size(), 100u);
}

}  // namespace
}  // namespace vmdns::query
