// Server-side search against a snapshot built from manifests, as tables in zone-file
// presentation format. The clients are the page's VMI (10.244.0.57, subdomain mysubdomain: its
// guest searches mysubdomain.default.svc, default.svc, svc, cluster.local) and, with --pods
// verified, a Pod in namespace shop (10.244.1.9: shop.svc, svc, cluster.local).
//
// Behaviour checked:
//   - autopath: <x>.<first entry> that is NXDOMAIN is answered with a CNAME to the first later
//     entry where <x> exists, then its records (or its NODATA with the SOA); the client's case
//     of <x> is kept; the CNAME's TTL is the one given; AA is set (the asked name is ours);
//   - when every entry is NXDOMAIN in our zones, the walk reaches <x> itself: outside our zones
//     that is Forward with <x>; inside them and absent, the client's NXDOMAIN (Unchanged);
//   - no walk for a name that exists, for a name not below the first entry, for an NXDOMAIN
//     below another entry, or for a name that is the first entry itself;
//   - short names: <name>.<ns>.svc.<zone> when it exists and the name has two labels or more;
//     none for one label, a name in our zones, or a name that does not exist there;
//   - the client index: VMIs always, Pods only with --pods verified, a VMI before a Pod on the
//     same address, IPv4-mapped IPv6 addresses found as IPv4, unknown addresses not found;
//     during a live migration, the launcher pod that runs the guest is the guest's client;
//   - nothing on these paths allocates.

#include "query/server_search.h"

#include <gtest/gtest.h>

#include <array>

#include "builder/build.h"
#include "sources/manifest_loader.h"
#include "testing/allocation_counter.h"
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
using Kind = SearchStep::Kind;
using testing::make_query;
using testing::parse_response;

constexpr const char* kManifests = R"(
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: vmi-fedora, labels: {expose: me}}
spec: {hostname: myvmi, subdomain: mysubdomain}
status:
  phase: Running
  interfaces: [{name: default, ipAddress: 10.244.0.57, ipAddresses: [10.244.0.57, "fd00::57"]}]
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
---
apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {type: ExternalName, externalName: www.example.test}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {clusterIP: 10.96.0.30}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop}
spec: {}
status: {phase: Running, podIPs: [{ip: 10.244.1.9}]}
---
apiVersion: v1
kind: Pod
metadata: {name: launcher, namespace: other}
spec: {}
status: {phase: Running, podIPs: [{ip: 10.244.0.57}]}
)";

const std::string kSoa =
    "cluster.local.\t5\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 "
    "86400 5";

std::shared_ptr<const zone::Snapshot> snapshot_of(rules::PodMode pods) {
  auto loaded = sources::load_manifest_text(kManifests, "test.yaml");
  EXPECT_TRUE(loaded.diagnostics.empty());
  rules::ZoneConfig config;
  config.zones = {*dns::Name::from_text("cluster.local")};
  config.pods = pods;
  config.client_search = true;
  return builder::build(loaded.state, config);
}

std::array<uint8_t, 4> v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return {a, b, c, d};
}

class ServerSearchTest : public ::testing::Test {
 protected:
  std::shared_ptr<const zone::Snapshot> snapshot_ = snapshot_of(rules::PodMode::Verified);
  const zone::ClientSearch& vmi_ = *snapshot_->clients().find(v4(10, 244, 0, 57));
  const zone::ClientSearch& pod_ = *snapshot_->clients().find(v4(10, 244, 1, 9));
};

struct Case {
  const zone::ClientSearch* client;
  std::string qname;
  RrType qtype;
  Kind kind;
  Rcode rcode;
  std::vector<std::string> answer;
  std::vector<std::string> authority;
  std::string forward = "";
};

TEST_F(ServerSearchTest, AutopathTable) {
  const std::string vmi_first = ".mysubdomain.default.svc.cluster.local.";
  const std::vector<Case> cases = {
      // The guest's `web`: its first try is web.mysubdomain..., answered for web.default.svc.
      {&vmi_,
       "web" + vmi_first,
       RrType::A,
       Kind::Answered,
       Rcode::NoError,
       {"web" + vmi_first + "\t7\tIN\tCNAME\tweb.default.svc.cluster.local.",
        "web.default.svc.cluster.local.\t5\tIN\tA\t10.96.0.20"},
       {}},
      // The client's spelling of <x> is kept in the target.
      {&vmi_,
       "WeB" + vmi_first,
       RrType::A,
       Kind::Answered,
       Rcode::NoError,
       {"WeB" + vmi_first + "\t7\tIN\tCNAME\tWeB.default.svc.cluster.local.",
        "WeB.default.svc.cluster.local.\t5\tIN\tA\t10.96.0.20"},
       {}},
      // NODATA at the target: the CNAME, then the SOA.
      {&vmi_,
       "web" + vmi_first,
       RrType::AAAA,
       Kind::Answered,
       Rcode::NoError,
       {"web" + vmi_first + "\t7\tIN\tCNAME\tweb.default.svc.cluster.local."},
       {kSoa}},
      // Found further down the list: db.shop under svc.cluster.local.
      {&vmi_,
       "db.shop" + vmi_first,
       RrType::A,
       Kind::Answered,
       Rcode::NoError,
       {"db.shop" + vmi_first + "\t7\tIN\tCNAME\tdb.shop.svc.cluster.local.",
        "db.shop.svc.cluster.local.\t5\tIN\tA\t10.96.0.30"},
       {}},
      // Nowhere in our zones: the walk ends at <x> itself, outside them.
      {&vmi_,
       "www.example.test" + vmi_first,
       RrType::A,
       Kind::Forward,
       Rcode::NxDomain,
       {},
       {kSoa},
       "www.example.test."},
      // <x> itself in our zones and absent: the client's own NXDOMAIN.
      {&vmi_,
       "nothere.cluster.local" + vmi_first,
       RrType::A,
       Kind::Unchanged,
       Rcode::NxDomain,
       {},
       {kSoa}},
      // No walk: the name exists, or is not below the first entry, or is the entry itself.
      {&vmi_,
       "myvmi" + vmi_first,
       RrType::A,
       Kind::Unchanged,
       Rcode::NoError,
       {"myvmi" + vmi_first + "\t5\tIN\tA\t10.244.0.57"},
       {}},
      {&vmi_,
       "nothere.default.svc.cluster.local.",
       RrType::A,
       Kind::Unchanged,
       Rcode::NxDomain,
       {},
       {kSoa}},
      // A Pod of namespace shop: web is not in shop, db is.
      {&pod_,
       "db.shop.svc.cluster.local.",
       RrType::A,
       Kind::Unchanged,
       Rcode::NoError,
       {"db.shop.svc.cluster.local.\t5\tIN\tA\t10.96.0.30"},
       {}},
      {&pod_,
       "web.default.shop.svc.cluster.local.",
       RrType::A,
       Kind::Answered,
       Rcode::NoError,
       {"web.default.shop.svc.cluster.local.\t7\tIN\tCNAME\tweb.default.svc.cluster.local.",
        "web.default.svc.cluster.local.\t5\tIN\tA\t10.96.0.20"},
       {}},
      {&pod_,
       "www.example.test.shop.svc.cluster.local.",
       RrType::AAAA,
       Kind::Forward,
       Rcode::NxDomain,
       {},
       {kSoa},
       "www.example.test."},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.qname + " " + dns::rr_type_name(c.qtype));
    auto query = make_query({.name = c.qname, .type = c.qtype});
    std::array<uint8_t, 65535> out{};
    Result first = answer(snapshot_.get(), query, out, net::Transport::Udp);
    SearchStep step =
        autopath(*snapshot_, *c.client, parsed(query), first, out, net::Transport::Udp, 7);
    EXPECT_EQ(step.kind, c.kind);
    if (c.kind == Kind::Forward) {
      EXPECT_EQ(step.name.to_text(), c.forward);
      continue;
    }
    auto r = parse_response(std::vector<uint8_t>(out.begin(), out.begin() + step.result.length));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->question, c.qname + " " + dns::rr_type_name(c.qtype));
    EXPECT_EQ(r->rcode, c.rcode);
    EXPECT_EQ(step.result.rcode, c.rcode);
    EXPECT_TRUE(r->aa);
    EXPECT_EQ(r->answer, c.answer);
    EXPECT_EQ(r->authority, c.authority);
  }
}

TEST_F(ServerSearchTest, AnExternalNameFoundLeadsOutOfOurZones) {
  // The caller forwards the ExternalName's target, as for the ExternalName asked directly.
  const std::string asked = "ext.mysubdomain.default.svc.cluster.local.";
  auto query = make_query({.name = asked});
  std::array<uint8_t, 65535> out{};
  Result first = answer(snapshot_.get(), query, out, net::Transport::Udp);
  SearchStep step = autopath(*snapshot_, vmi_, parsed(query), first, out, net::Transport::Udp, 5);
  EXPECT_EQ(step.kind, Kind::Answered);
  EXPECT_EQ(step.result.outcome, Outcome::AliasOutOfZone);
  auto r = parse_response(std::vector<uint8_t>(out.begin(), out.begin() + step.result.length));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->answer,
            (std::vector<std::string>{asked + "\t5\tIN\tCNAME\text.default.svc.cluster.local.",
                                      "ext.default.svc.cluster.local.\t5\tIN\tCNAME\t"
                                      "www.example.test."}));
}

TEST_F(ServerSearchTest, ShortNames) {
  auto expand = [&](const zone::ClientSearch& client, const char* name) {
    auto expansion = expand_short_name(*snapshot_, client, *dns::Name::from_text(name));
    return expansion ? expansion->to_text() : std::string("-");
  };
  EXPECT_EQ(expand(vmi_, "myvmi.mysubdomain"), "myvmi.mysubdomain.default.svc.cluster.local.");
  EXPECT_EQ(expand(vmi_, "MyVmi.MySubdomain"), "MyVmi.MySubdomain.default.svc.cluster.local.");
  EXPECT_EQ(expand(pod_, "myvmi.mysubdomain"), "-");  // not in the Pod's namespace
  EXPECT_EQ(expand(pod_, "db.x"), "-");
  EXPECT_EQ(expand(vmi_, "web"), "-");  // one label: the search list's job
  EXPECT_EQ(expand(vmi_, "nothere.mysubdomain"), "-");
  EXPECT_EQ(expand(vmi_, "web.default.svc.cluster.local"), "-");  // ours already

  // The answer given for it: a CNAME from the short name, not authoritative for it.
  auto query = make_query({.name = "myvmi.mysubdomain"});
  std::array<uint8_t, 65535> out{};
  Result result =
      answer_alias(snapshot_.get(), query, out, net::Transport::Udp,
                   {*dns::Name::from_text("myvmi.mysubdomain.default.svc.cluster.local"), 5});
  auto r = parse_response(std::vector<uint8_t>(out.begin(), out.begin() + result.length));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->aa);
  EXPECT_EQ(r->answer, (std::vector<std::string>{
                           "myvmi.mysubdomain.\t5\tIN\tCNAME\tmyvmi.mysubdomain.default.svc."
                           "cluster.local.",
                           "myvmi.mysubdomain.default.svc.cluster.local.\t5\tIN\tA\t10.244.0.57"}));
}

TEST(ClientSearchIndexTest, WhoIsKnown) {
  auto verified = snapshot_of(rules::PodMode::Verified);
  auto insecure = snapshot_of(rules::PodMode::Insecure);
  auto search_of = [](const zone::ClientSearch* client) {
    std::string out;
    for (const dns::Name& name : client ? client->search : std::vector<dns::Name>{}) {
      out += name.to_text() + " ";
    }
    return client ? out + "| " + client->namespace_domain.to_text() : std::string("unknown");
  };
  const std::string vmi =
      "mysubdomain.default.svc.cluster.local. default.svc.cluster.local. svc.cluster.local. "
      "cluster.local. | default.svc.cluster.local.";
  // The VMI wins its address over the Pod of namespace other that claims it too.
  EXPECT_EQ(search_of(verified->clients().find(v4(10, 244, 0, 57))), vmi);
  EXPECT_EQ(search_of(verified->clients().find(v4(10, 244, 1, 9))),
            "shop.svc.cluster.local. svc.cluster.local. cluster.local. | shop.svc.cluster.local.");
  EXPECT_EQ(search_of(insecure->clients().find(v4(10, 244, 1, 9))), "unknown");
  EXPECT_EQ(search_of(insecure->clients().find(v4(10, 244, 0, 57))), vmi);
  std::array<uint8_t, 16> mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 244, 0, 57};
  EXPECT_EQ(search_of(verified->clients().find(mapped)), vmi);
  std::array<uint8_t, 16> v6 = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x57};
  EXPECT_EQ(search_of(verified->clients().find(v6)), vmi);
  EXPECT_EQ(search_of(verified->clients().find(v4(10, 244, 0, 58))), "unknown");
  EXPECT_EQ(verified->clients().client_count(), 3u);
}

// A live migration of VMI shop/db (subdomain sub) from its launcher pod virt-launcher-db-aaaaa
// (10.244.1.7, node-a) to virt-launcher-db-bbbbb (10.244.2.9, node-b). After the handoff the
// guest asks from the target pod's address, which status.interfaces reports only later: that
// address is searched with the guest's list as soon as migrationState says the target runs it,
// with or without --pods verified; before the handoff, and after a failed migration, it is only
// the target pod's own (its list with --pods verified, else unknown).
TEST(ClientSearchIndexTest, MigrationTimeline) {
  const std::string guest =
      "sub.shop.svc.cluster.local. shop.svc.cluster.local. svc.cluster.local. cluster.local. | "
      "shop.svc.cluster.local.";
  const std::string pod =
      "shop.svc.cluster.local. svc.cluster.local. cluster.local. | shop.svc.cluster.local.";
  const std::string unknown = "unknown";
  auto launcher = [](const std::string& suffix, const std::string& phase, const std::string& ip) {
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: virt-launcher-db-" + suffix +
           ", namespace: shop, labels: {kubevirt.io: virt-launcher, vm.kubevirt.io/name: db}}\n"
           "spec: {hostname: db, subdomain: sub}\nstatus: {phase: " +
           phase + (ip.empty() ? "" : ", podIPs: [{ip: " + ip + "}]") + "}\n---\n";
  };
  auto vmi = [](const std::string& node, const std::string& migration, const std::string& ip) {
    return "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: db, "
           "namespace: shop}\nspec: {hostname: db, subdomain: sub}\nstatus: {phase: Running, "
           "nodeName: " +
           node +
           (migration.empty() ? ""
                              : ", migrationState: {sourceNode: node-a, targetNode: node-b, "
                                "sourcePod: virt-launcher-db-aaaaa, targetPod: "
                                "virt-launcher-db-bbbbb" +
                                    migration + "}") +
           ", interfaces: [{name: default, ipAddress: " + ip + "}]}\n";
  };
  struct Step {
    const char* step;
    std::string manifests;
    std::string source_verified, target_verified;  // the search of 10.244.1.7 and 10.244.2.9
    std::string target_insecure;                   // 10.244.2.9 without --pods verified
  };
  const std::string source = launcher("aaaaa", "Running", "10.244.1.7");
  const std::vector<Step> steps = {
      {"no migration", source + vmi("node-a", "", "10.244.1.7"), guest, unknown, unknown},
      {"started, the target pod without an address yet",
       source + launcher("bbbbb", "Pending", "") + vmi("node-a", " ", "10.244.1.7"), guest, unknown,
       unknown},
      {"the target pod running, the guest still on the source",
       source + launcher("bbbbb", "Running", "10.244.2.9") + vmi("node-a", " ", "10.244.1.7"),
       guest, pod, unknown},
      {"handoff: status.nodeName is the target's, the interfaces still the source's",
       source + launcher("bbbbb", "Running", "10.244.2.9") + vmi("node-b", " ", "10.244.1.7"),
       guest, guest, guest},
      {"completed, the source pod still there",
       source + launcher("bbbbb", "Running", "10.244.2.9") +
           vmi("node-b", ", completed: true", "10.244.1.7"),
       guest, guest, guest},
      {"completed, the interfaces the target's, the source pod gone",
       launcher("bbbbb", "Running", "10.244.2.9") +
           vmi("node-b", ", completed: true", "10.244.2.9"),
       unknown, guest, guest},
      {"failed: the guest stays on the source",
       source + launcher("bbbbb", "Running", "10.244.2.9") +
           vmi("node-a", ", failed: true", "10.244.1.7"),
       guest, pod, unknown},
      {"the target pod failed after the handoff: the guest's no more, the pod's own still",
       source + launcher("bbbbb", "Failed", "10.244.2.9") + vmi("node-b", " ", "10.244.1.7"), guest,
       pod, unknown},
  };
  auto search_of = [](const zone::ClientSearch* client) {
    std::string out;
    for (const dns::Name& name : client ? client->search : std::vector<dns::Name>{}) {
      out += name.to_text() + " ";
    }
    return client ? out + "| " + client->namespace_domain.to_text() : std::string("unknown");
  };
  for (const Step& step : steps) {
    SCOPED_TRACE(step.step);
    auto loaded = sources::load_manifest_text(step.manifests, "test.yaml");
    for (const auto& d : loaded.diagnostics) {
      EXPECT_NE(d.severity, cluster::Severity::Error) << d.to_string();
    }
    for (rules::PodMode mode : {rules::PodMode::Verified, rules::PodMode::Insecure}) {
      rules::ZoneConfig config;
      config.zones = {*dns::Name::from_text("cluster.local")};
      config.pods = mode;
      config.client_search = true;
      auto snapshot = builder::build(loaded.state, config);
      bool verified = mode == rules::PodMode::Verified;
      EXPECT_EQ(search_of(snapshot->clients().find(v4(10, 244, 2, 9))),
                verified ? step.target_verified : step.target_insecure)
          << (verified ? "verified" : "insecure");
      if (verified) {
        EXPECT_EQ(search_of(snapshot->clients().find(v4(10, 244, 1, 7))), step.source_verified);
      }
    }
  }
}

TEST(ServerSearchAllocationTest, WalksAndLookupsAllocateNothing) {
  auto snapshot = snapshot_of(rules::PodMode::Verified);
  std::vector<std::vector<uint8_t>> queries = {
      make_query({.name = "web.mysubdomain.default.svc.cluster.local", .edns = true}),
      make_query({.name = "db.shop.mysubdomain.default.svc.cluster.local"}),
      make_query({.name = "www.example.test.mysubdomain.default.svc.cluster.local"}),
      make_query({.name = "nothere.cluster.local.mysubdomain.default.svc.cluster.local"}),
  };
  auto short_name = *dns::Name::from_text("myvmi.mysubdomain");
  std::array<uint8_t, 65535> out{};
  auto address = v4(10, 244, 0, 57);
  size_t before = vmdns::testing::allocations();
  size_t answered = 0;
  for (const auto& query : queries) {
    const zone::ClientSearch* client = snapshot->clients().find(address);
    Result first = answer(snapshot.get(), query, out, net::Transport::Udp);
    SearchStep step =
        autopath(*snapshot, *client, parsed(query), first, out, net::Transport::Udp, 5);
    answered += step.kind == Kind::Answered ? 1 : 0;
  }
  bool expanded =
      expand_short_name(*snapshot, *snapshot->clients().find(address), short_name).has_value();
  size_t after = vmdns::testing::allocations();
  EXPECT_EQ(after, before);
  EXPECT_EQ(answered, 2u);
  EXPECT_TRUE(expanded);
}

}  // namespace
}  // namespace vmdns::query
