// query::answer against a snapshot built from manifests, as tables in zone-file presentation
// format: {qname, qtype, rcode, answer[], authority[], additional[]} (CoreDNS's test.Case).

#include "query/answer.h"

#include <gtest/gtest.h>

#include <array>

#include "sources/manifest_loader.h"
#include "testing/dns_text.h"
#include "zone/build.h"

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
  auto loaded = sources::load_manifest_text(manifests, "test.yaml");
  EXPECT_TRUE(loaded.diagnostics.empty());
  zone::ZoneConfig config;
  config.zones = {*dns::Name::from_text("cluster.local")};
  config.nameserver_addresses = {*cluster::IpAddress::parse("10.96.0.10")};
  return zone::build(loaded.state, config);
}

ResponseText ask(const zone::Snapshot* snapshot, const std::vector<uint8_t>& query,
                 Transport transport = Transport::Udp) {
  std::array<uint8_t, 65535> out{};
  Result result = answer(snapshot, query, out, transport);
  EXPECT_GT(result.length, 0u);
  auto response = parse_response(std::vector<uint8_t>(out.begin(), out.begin() + result.length));
  EXPECT_TRUE(response.has_value());
  return response.value_or(ResponseText{});
}

struct Case {
  std::string qname;
  RrType qtype;
  Rcode rcode;
  std::vector<std::string> answer;
  std::vector<std::string> authority;
  std::vector<std::string> additional = {};
  bool aa = true;
};

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
      {"cluster.local.", RrType::NS, Rcode::NoError,
       {"cluster.local.\t5\tIN\tNS\tns.dns.cluster.local."}, {}},
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
    SCOPED_TRACE(c.qname + " " + dns::rr_type_name(c.qtype));
    ResponseText r = ask(snapshot_.get(), make_query({.name = c.qname, .type = c.qtype}));
    EXPECT_EQ(r.id, 0x1234);
    EXPECT_TRUE(r.qr);
    EXPECT_TRUE(r.rd);
    EXPECT_FALSE(r.tc);
    EXPECT_FALSE(r.ra);
    EXPECT_EQ(r.rcode, c.rcode);
    EXPECT_EQ(r.aa, c.aa && c.rcode != Rcode::Refused);
    EXPECT_EQ(r.answer, c.answer);
    EXPECT_EQ(r.authority, c.authority);
    EXPECT_EQ(r.additional, c.additional);
  }
}

TEST_F(AnswerTest, EdnsIsEchoedWithOurPayloadSize) {
  // RFC 6891 section 7: a query with OPT gets an OPT back.
  ResponseText r = ask(snapshot_.get(),
                       make_query({.name = "myvmi.mysubdomain.default.svc.cluster.local",
                                   .edns = true, .udp_size = 4096}));
  EXPECT_TRUE(r.has_opt);
  EXPECT_EQ(r.opt_udp_size, kMaxUdpPayload);
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
  EXPECT_EQ(answer(snapshot_.get(), query, out, Transport::Udp).length, 0u);
  std::vector<uint8_t> runt = {0x12, 0x34, 0x01};
  EXPECT_EQ(answer(snapshot_.get(), runt, out, Transport::Udp).length, 0u);
}

TEST_F(AnswerTest, NoSnapshotYetIsServFail) {
  ResponseText r = ask(nullptr, make_query({.name = "myvmi.mysubdomain.default.svc.cluster.local"}));
  EXPECT_EQ(r.rcode, Rcode::ServFail);
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

  ResponseText udp = ask(snapshot.get(), query, Transport::Udp);
  EXPECT_TRUE(udp.tc);  // RFC 2181 section 9: the whole set did not fit in 512 octets
  EXPECT_TRUE(udp.answer.empty());

  auto edns = make_query({.name = "big.default.svc.cluster.local", .edns = true, .udp_size = 4096});
  ResponseText capped = ask(snapshot.get(), edns, Transport::Udp);
  EXPECT_TRUE(capped.tc);  // 1.6 KB does not fit in our 1232-octet cap either
  EXPECT_TRUE(capped.has_opt);

  ResponseText tcp = ask(snapshot.get(), query, Transport::Tcp);
  EXPECT_FALSE(tcp.tc);
  EXPECT_EQ(tcp.answer.size(), 100u);
}

}  // namespace
}  // namespace vmdns::query
