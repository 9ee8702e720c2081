// pod.<zone> in each --pods mode, as the query path answers it: tables in zone-file presentation
// format (CoreDNS's test.Case), rows ported from CoreDNS's handler_pod_{disabled,insecure,
// verified}_test.go where they exist.
//
// Behaviour checked:
//   - pod.<zone> exists (NODATA with the SOA) in every mode; below it, nothing with disabled;
//   - insecure: any well-formed dashed address under a namespace that exists and --namespaces
//     allows answers that address, A or AAAA, with --ttl, in the question's case; NODATA for
//     the other address type and every other type; NXDOMAIN for a malformed label, a namespace
//     that does not exist or is not allowed, and names below the dashed label;
//     <ns>.pod.<zone> is NODATA for every such namespace;
//   - verified: only a workload's address in its own namespace; during a live migration each
//     launcher pod's own address while it exists, and the VMI's as its status says;
//   - autopath reaches an insecure pod name from a client's search list;
//   - answering insecure pod names allocates nothing, and the answer's owner is a compression
//     pointer to the question.

#include <gtest/gtest.h>

#include <array>

#include "builder/build.h"
#include "dns/message_view.h"
#include "query/answer.h"
#include "query/server_search.h"
#include "sources/manifest_loader.h"
#include "testing/allocation_counter.h"
#include "testing/answer_case.h"
#include "testing/dns_text.h"

namespace vmdns::query {
namespace {

// The parsed form autopath() takes, as the query pipeline hands it over.
dns::ParsedQuery parsed(std::span<const uint8_t> packet) {
  dns::ParsedQuery q;
  dns::parse_query(packet, q);
  return q;
}

using dns::Rcode;
using dns::RrType;
using testing::make_query;
using testing::parse_response;
using testing::ResponseText;

constexpr const char* kManifests = R"(
apiVersion: v1
kind: Namespace
metadata: {name: podns}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: podns}
spec: {}
status: {phase: Running, podIPs: [{ip: 10.244.1.7}, {ip: "fd00::7"}]}
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: vmi-fedora, namespace: podns}
spec: {hostname: myvmi, subdomain: mysubdomain}
status:
  phase: Running
  interfaces: [{name: default, ipAddress: 10.244.0.57, ipAddresses: [10.244.0.57]}]
)";

std::string soa(uint32_t negative_ttl = 5) {
  std::string ttl = std::to_string(negative_ttl);
  return "cluster.local.\t" + ttl +
         "\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 " + ttl;
}

std::shared_ptr<const zone::Snapshot> snapshot_of(rules::PodMode pods,
                                                  std::vector<std::string> namespaces = {}) {
  return testing::snapshot_from(kManifests, [&](rules::ZoneConfig& config) {
    config.pods = pods;
    config.ttl = 7;
    config.namespaces = namespaces;
    config.client_search = true;
  });
}

using Case = testing::AnswerCase;

// Each row over UDP and TCP.
void check(const zone::Snapshot& snapshot, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    for (net::Transport transport : {net::Transport::Udp, net::Transport::Tcp}) {
      testing::expect_answer(&snapshot, c, transport);
    }
  }
}

// CoreDNS answers the bare pod.<zone> NODATA in every mode (parseRequest: "return NODATA for
// apex queries"); names below it depend on the mode.
TEST(PodAnswerTest, PodZoneExistsInEveryMode) {
  for (rules::PodMode mode :
       {rules::PodMode::Disabled, rules::PodMode::Insecure, rules::PodMode::Verified}) {
    SCOPED_TRACE(static_cast<int>(mode));
    auto snapshot = snapshot_of(mode);
    check(*snapshot, {
                         {"pod.cluster.local.", RrType::A, Rcode::NoError, {}, {soa()}},
                         {"POD.cluster.local.", RrType::AAAA, Rcode::NoError, {}, {soa()}},
                         {"pod.cluster.local.", RrType::SOA, Rcode::NoError, {}, {soa()}},
                         {"pod.cluster.local.", RrType::TXT, Rcode::NoError, {}, {soa()}},
                     });
  }
}

TEST(PodAnswerTest, DisabledHasNothingBelowPodZone) {
  auto snapshot = snapshot_of(rules::PodMode::Disabled);
  check(*snapshot, {
                       // CoreDNS handler_pod_disabled_test.go.
                       {"10-240-0-1.podns.pod.cluster.local.", RrType::A, Rcode::NxDomain, {},
                        {soa()}},
                       {"10-244-1-7.podns.pod.cluster.local.", RrType::A, Rcode::NxDomain, {},
                        {soa()}},
                       {"podns.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
                   });
}

TEST(PodAnswerTest, InsecureAnswersTheAddressInTheName) {
  auto snapshot = snapshot_of(rules::PodMode::Insecure);
  const std::string a = "\t7\tIN\tA\t";
  const std::string aaaa = "\t7\tIN\tAAAA\t";
  check(*snapshot,
        {
            // CoreDNS handler_pod_insecure_test.go: any address, known or not.
            {"10-240-0-1.podns.pod.cluster.local.", RrType::A, Rcode::NoError,
             {"10-240-0-1.podns.pod.cluster.local." + a + "10.240.0.1"}, {}},
            {"172-0-0-2.podns.pod.cluster.local.", RrType::A, Rcode::NoError,
             {"172-0-0-2.podns.pod.cluster.local." + a + "172.0.0.2"}, {}},
            {"blah.podns.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
            {"blah.podns.pod.cluster.local.", RrType::AAAA, Rcode::NxDomain, {}, {soa()}},
            {"blah.podns.pod.cluster.local.", RrType::HINFO, Rcode::NxDomain, {}, {soa()}},
            {"blah.pod-nons.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
            // A workload's own address, in any namespace that exists.
            {"10-244-1-7.other.pod.cluster.local.", RrType::A, Rcode::NoError,
             {"10-244-1-7.other.pod.cluster.local." + a + "10.244.1.7"}, {}},
            // The question's case is echoed (RFC 4343); hex in either case.
            {"10-1-2-3.PodNS.Pod.Cluster.Local.", RrType::A, Rcode::NoError,
             {"10-1-2-3.PodNS.Pod.Cluster.Local." + a + "10.1.2.3"}, {}},
            {"FD00--5.podns.pod.cluster.local.", RrType::AAAA, Rcode::NoError,
             {"FD00--5.podns.pod.cluster.local." + aaaa + "fd00::5"}, {}},
            // IPv6 as vmdns and CoreDNS write endpoint names, and as they read them.
            {"fd00--0.podns.pod.cluster.local.", RrType::AAAA, Rcode::NoError,
             {"fd00--0.podns.pod.cluster.local." + aaaa + "fd00::"}, {}},
            {"fd00--.podns.pod.cluster.local.", RrType::AAAA, Rcode::NoError,
             {"fd00--.podns.pod.cluster.local." + aaaa + "fd00::"}, {}},
            {"0--1.podns.pod.cluster.local.", RrType::AAAA, Rcode::NoError,
             {"0--1.podns.pod.cluster.local." + aaaa + "::1"}, {}},
            // IPv4-mapped IPv6 is an IPv4 address: A, as CoreDNS (Go's To4).
            {"0--ffff-a01-203.podns.pod.cluster.local.", RrType::A, Rcode::NoError,
             {"0--ffff-a01-203.podns.pod.cluster.local." + a + "10.1.2.3"}, {}},
            // The other address type and every other type: NODATA.
            {"10-1-2-3.podns.pod.cluster.local.", RrType::AAAA, Rcode::NoError, {}, {soa()}},
            {"fd00--5.podns.pod.cluster.local.", RrType::A, Rcode::NoError, {}, {soa()}},
            {"10-1-2-3.podns.pod.cluster.local.", RrType::TXT, Rcode::NoError, {}, {soa()}},
            {"10-1-2-3.podns.pod.cluster.local.", RrType::SRV, Rcode::NoError, {}, {soa()}},
            {"10-1-2-3.podns.pod.cluster.local.", RrType::PTR, Rcode::NoError, {}, {soa()}},
            // RFC 8482: ANY gets the one set.
            {"10-1-2-3.podns.pod.cluster.local.", RrType::ANY, Rcode::NoError,
             {"10-1-2-3.podns.pod.cluster.local." + a + "10.1.2.3"}, {}},
            // Malformed labels (dashed_address_test.cc has every rule).
            {"010-1-2-3.podns.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
            {"256-1-2-3.podns.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
            {"10-1-2.podns.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
            {"fd00---5.podns.pod.cluster.local.", RrType::AAAA, Rcode::NxDomain, {}, {soa()}},
            // A namespace that does not exist.
            {"10-1-2-3.nons.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
            // Names below the dashed label do not exist (CoreDNS answers them: README).
            {"x.10-1-2-3.podns.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
            {"_http._tcp.10-1-2-3.podns.pod.cluster.local.", RrType::SRV, Rcode::NxDomain, {},
             {soa()}},
            // <ns>.pod.<zone>: NODATA for a namespace that exists, with or without workloads.
            {"podns.pod.cluster.local.", RrType::A, Rcode::NoError, {}, {soa()}},
            {"other.pod.cluster.local.", RrType::A, Rcode::NoError, {}, {soa()}},
            {"nons.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
        });
}

TEST(PodAnswerTest, InsecureOnlyUnderAllowedNamespaces) {
  // CoreDNS namespaceExposed: the `namespaces` option, and the namespace must exist.
  auto snapshot = snapshot_of(rules::PodMode::Insecure, {"podns", "absent"});
  check(*snapshot,
        {
            {"10-1-2-3.podns.pod.cluster.local.", RrType::A, Rcode::NoError,
             {"10-1-2-3.podns.pod.cluster.local.\t7\tIN\tA\t10.1.2.3"}, {}},
            {"10-1-2-3.other.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
            {"other.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
            {"10-1-2-3.absent.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
        });
}

TEST(PodAnswerTest, VerifiedAnswersOnlyWorkloadAddresses) {
  auto snapshot = snapshot_of(rules::PodMode::Verified);
  check(*snapshot,
        {
            {"10-244-1-7.podns.pod.cluster.local.", RrType::A, Rcode::NoError,
             {"10-244-1-7.podns.pod.cluster.local.\t7\tIN\tA\t10.244.1.7"}, {}},
            {"fd00--7.podns.pod.cluster.local.", RrType::AAAA, Rcode::NoError,
             {"fd00--7.podns.pod.cluster.local.\t7\tIN\tAAAA\tfd00::7"}, {}},
            {"10-244-0-57.podns.pod.cluster.local.", RrType::A, Rcode::NoError,
             {"10-244-0-57.podns.pod.cluster.local.\t7\tIN\tA\t10.244.0.57"}, {}},
            {"10-240-0-1.podns.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
            {"10-244-1-7.other.pod.cluster.local.", RrType::A, Rcode::NxDomain, {}, {soa()}},
            {"podns.pod.cluster.local.", RrType::A, Rcode::NoError, {}, {soa()}},
        });
}

// A live migration of VMI shop/db from virt-launcher-db-aaaaa (10.244.1.7) to
// virt-launcher-db-bbbbb (10.244.2.9). A name under pod.<zone> names a pod's own address, not
// the VM: the target pod's answers while that pod exists, as CoreDNS's podWithIP answers it. The
// VMI's claim follows status.interfaces, so that once the source pod is gone and the status
// moved, the source's address has no name left (it may be another pod's next).
TEST(PodAnswerTest, VerifiedDuringALiveMigration) {
  auto launcher = [](const std::string& suffix, const std::string& ip) {
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: virt-launcher-db-" + suffix +
           ", namespace: shop, labels: {kubevirt.io: virt-launcher}}\nspec: {}\nstatus: {phase: "
           "Running, podIPs: [{ip: " + ip + "}]}\n---\n";
  };
  auto vmi = [](const std::string& node, const std::string& state, const std::string& ip) {
    return "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: db, "
           "namespace: shop}\nspec: {}\nstatus: {phase: Running, nodeName: " + node +
           ", migrationState: {sourceNode: node-a, targetNode: node-b, sourcePod: "
           "virt-launcher-db-aaaaa, targetPod: virt-launcher-db-bbbbb" + state +
           "}, interfaces: [{name: default, ipAddress: " + ip + "}]}\n";
  };
  const std::string source = "10-244-1-7.shop.pod.cluster.local.";
  const std::string target = "10-244-2-9.shop.pod.cluster.local.";
  auto yes = [](const std::string& name, const std::string& ip) {
    return Case{name, RrType::A, Rcode::NoError, {name + "\t7\tIN\tA\t" + ip}, {}};
  };
  auto no = [](const std::string& name) {
    return Case{name, RrType::A, Rcode::NxDomain, {}, {soa()}};
  };
  struct Step {
    const char* step;
    std::string manifests;
    std::vector<Case> cases;
  };
  const std::vector<Step> steps = {
      {"the target pod running, the guest on the source",
       launcher("aaaaa", "10.244.1.7") + launcher("bbbbb", "10.244.2.9") +
           vmi("node-a", "", "10.244.1.7"),
       {yes(source, "10.244.1.7"), yes(target, "10.244.2.9")}},
      {"completed, the source pod gone, the status still the source's",
       launcher("bbbbb", "10.244.2.9") + vmi("node-b", ", completed: true", "10.244.1.7"),
       {yes(source, "10.244.1.7"), yes(target, "10.244.2.9")}},
      {"completed, the status moved to the target",
       launcher("bbbbb", "10.244.2.9") + vmi("node-b", ", completed: true", "10.244.2.9"),
       {no(source), yes(target, "10.244.2.9")}},
      {"failed, the target pod deleted",
       launcher("aaaaa", "10.244.1.7") + vmi("node-a", ", failed: true", "10.244.1.7"),
       {yes(source, "10.244.1.7"), no(target)}},
  };
  for (const Step& step : steps) {
    SCOPED_TRACE(step.step);
    auto snapshot = testing::snapshot_from(step.manifests, [](rules::ZoneConfig& config) {
      config.pods = rules::PodMode::Verified;
      config.ttl = 7;
    });
    check(*snapshot, step.cases);
  }
}

// A client whose search list ends in cluster.local finds <dashed-ip>.<ns>.pod through it, as
// CoreDNS's autopath finds any name its kubernetes plugin answers.
TEST(PodAnswerTest, AutopathReachesInsecurePodNames) {
  auto snapshot = snapshot_of(rules::PodMode::Insecure);
  const zone::ClientSearch* vmi = snapshot->clients().find(std::array<uint8_t, 4>{10, 244, 0, 57});
  ASSERT_NE(vmi, nullptr);
  std::string first = vmi->search.front().to_text();
  auto query = make_query({.name = "10-1-2-3.podns.pod." + first});
  std::array<uint8_t, 65535> out{};
  Result nx = answer(snapshot.get(), query, out, net::Transport::Udp);
  ASSERT_EQ(nx.rcode, Rcode::NxDomain);
  SearchStep step = autopath(*snapshot, *vmi, parsed(query), nx, out, net::Transport::Udp, 5);
  ASSERT_EQ(step.kind, SearchStep::Kind::Answered);
  auto r = parse_response(std::vector<uint8_t>(out.begin(), out.begin() + step.result.length));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->answer.size(), 2u);
  EXPECT_EQ(r->answer[1], "10-1-2-3.podns.pod.cluster.local.\t7\tIN\tA\t10.1.2.3");
}

// The one name family made at query time allocates nothing either, and is written like every
// answer: its owner a compression pointer to the question (RFC 1035 section 4.1.4).
TEST(PodAnswerTest, InsecureAnswersAllocateNothingAndCompressTheOwner) {
  auto snapshot = snapshot_of(rules::PodMode::Insecure);
  std::vector<std::vector<uint8_t>> queries = {
      make_query({.name = "10-1-2-3.podns.pod.cluster.local"}),
      make_query({.name = "fd00--5.podns.pod.cluster.local", .type = RrType::AAAA, .edns = true}),
      make_query({.name = "fd00--5.podns.pod.cluster.local", .type = RrType::A}),
      make_query({.name = "010-1-2-3.podns.pod.cluster.local"}),
      make_query({.name = "10-1-2-3.nons.pod.cluster.local"}),
      make_query({.name = "x.10-1-2-3.podns.pod.cluster.local"}),
  };
  std::array<uint8_t, 65535> out{};
  Rcode rcodes[6] = {};
  size_t before = vmdns::testing::allocations();
  for (size_t i = 0; i < queries.size(); ++i) {
    rcodes[i] = answer(snapshot.get(), queries[i], out, net::Transport::Tcp).rcode;
  }
  size_t after = vmdns::testing::allocations();
  EXPECT_EQ(after, before);
  EXPECT_EQ(rcodes[0], Rcode::NoError);
  EXPECT_EQ(rcodes[1], Rcode::NoError);
  EXPECT_EQ(rcodes[2], Rcode::NoError);
  EXPECT_EQ(rcodes[3], Rcode::NxDomain);
  EXPECT_EQ(rcodes[4], Rcode::NxDomain);
  EXPECT_EQ(rcodes[5], Rcode::NxDomain);

  // Header, question (name, type, class), then the answer: 0xC00C, A, IN, TTL 7, 4, 10.1.2.3.
  Result result = answer(snapshot.get(), queries[0], out, net::Transport::Udp);
  size_t answer_at = queries[0].size();
  ASSERT_EQ(result.length, answer_at + 16);
  const std::array<uint8_t, 16> expected = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 7, 0, 4, 10, 1, 2, 3};
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), out.begin() + answer_at));
}

}  // namespace
}  // namespace vmdns::query
