// The --vm-zone rules, one row per rule: KubeSecondaryDNS's names for VMIs on secondary networks
// (github.com/kubevirt/kubesecondarydns: pkg/zonemgr builds <interface>.<vmi>.<namespace>.vm
// from status.interfaces, pkg/controllers leaves out the pod network), plus what vmdns adds:
// IPv6, every address of an interface, <vmi>.<namespace>.<zone>, and PTRs.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/zone/zone_fixture.h"

namespace vmdns::zone {
namespace {

// "owner ttl IN TYPE rdata" with single spaces -> the tab-separated line zone_text writes.
std::string rr(const std::string& spaced) {
  std::string out = spaced;
  size_t at = 0;
  for (int field = 0; field < 4; ++field) {
    at = out.find(' ', at);
    out[at] = '\t';
  }
  return out + "\n";
}

// A running VMI with spec.networks `networks` (omitted when empty) and status.interfaces
// `interfaces`, both in YAML flow style.
std::string vmi(const std::string& name, const std::string& ns, const std::string& networks,
                const std::string& interfaces, const std::string& phase = "Running") {
  return "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: " + name +
         ", namespace: " + ns + "}\nspec: {domain: {}" +
         (networks.empty() ? "" : ", networks: " + networks) + "}\nstatus: {phase: " + phase +
         ", interfaces: " + interfaces + "}\n---\n";
}

// The KubeSecondaryDNS README's example: vmi-sec on the ptp-conf network as nic1, 10.10.0.5.
const std::string kReadmeExample =
    vmi("vmi-sec", "secondary-test", "[{name: nic1, multus: {networkName: ptp-conf}}]",
        "[{name: nic1, interfaceName: eth0, ipAddress: 10.10.0.5, ipAddresses: [10.10.0.5]}]");

const std::string kPodAndSecondary =
    vmi("web", "shop",
        "[{name: default, pod: {}}, {name: nic1, multus: {networkName: a}}, {name: nic2, multus: "
        "{networkName: b}}]",
        "[{name: default, ipAddress: 10.244.0.5}, {name: nic1, ipAddresses: [10.10.0.5, "
        "\"fd10::5\", \"fe80::5\"]}, {name: nic2, ipAddresses: [10.20.0.5]}]");

struct Case {
  const char* rule;
  std::string manifests;
  Configure configure;
  std::vector<std::string> present;  // rr() lines that must be there
  std::vector<std::string> absent;   // owner names ("x.vm.") or rr() lines
};

Configure vm_zone(const char* zone, const std::vector<const char*>& reverse = {}) {
  return [zone, reverse](ZoneConfig& c) {
    c.vm_zone = *dns::Name::from_text(zone);
    for (const char* z : reverse) {
      c.reverse_zones.push_back(*dns::Name::from_text(z));
    }
  };
}

std::vector<Case> cases() {
  return {
      {"KubeSecondaryDNS README: nic1.vmi-sec.secondary-test.vm A 10.10.0.5, TTL 3600",
       kReadmeExample,
       vm_zone("vm"),
       {rr("nic1.vmi-sec.secondary-test.vm. 3600 IN A 10.10.0.5"),
        rr("vmi-sec.secondary-test.vm. 3600 IN A 10.10.0.5")},
       {}},
      {"apex: SOA with the cluster zone's timers and negative TTL, NS ns.<zone> and its address",
       kReadmeExample,
       vm_zone("vm"),
       {rr("vm. 5 IN SOA ns.vm. hostmaster.vm. 1 7200 1800 86400 5"), rr("vm. 3600 IN NS ns.vm."),
        rr("ns.vm. 3600 IN A 10.96.0.10")},
       {}},
      {"a zone with a domain, as KubeSecondaryDNS's DOMAIN makes vm.<DOMAIN>",
       kReadmeExample,
       vm_zone("vm.example.com"),
       {rr("nic1.vmi-sec.secondary-test.vm.example.com. 3600 IN A 10.10.0.5")},
       {}},
      {"--vm-zone-ttl sets every record's TTL but the SOA's (the negative TTL)",
       kReadmeExample,
       [](ZoneConfig& c) {
         c.vm_zone = *dns::Name::from_text("vm");
         c.vm_zone_ttl = 30;
       },
       {rr("nic1.vmi-sec.secondary-test.vm. 30 IN A 10.10.0.5"), rr("vm. 30 IN NS ns.vm."),
        rr("vm. 5 IN SOA ns.vm. hostmaster.vm. 1 7200 1800 86400 5")},
       {}},
      {"without --vm-zone there is no vm zone",
       kReadmeExample,
       nullptr,
       {},
       {"vm.", "nic1.vmi-sec.secondary-test.vm."}},
      {"the pod network (pod: {}) is left out; every address of a NIC, IPv6 too, link-local not",
       kPodAndSecondary,
       vm_zone("vm"),
       {rr("nic1.web.shop.vm. 3600 IN A 10.10.0.5"), rr("nic1.web.shop.vm. 3600 IN AAAA fd10::5"),
        rr("nic2.web.shop.vm. 3600 IN A 10.20.0.5")},
       {"default.web.shop.vm.", rr("nic1.web.shop.vm. 3600 IN AAAA fe80::5")}},
      {"<vmi>.<ns>: the addresses of the first secondary interface only",
       kPodAndSecondary,
       vm_zone("vm"),
       {rr("web.shop.vm. 3600 IN A 10.10.0.5"), rr("web.shop.vm. 3600 IN AAAA fd10::5")},
       {rr("web.shop.vm. 3600 IN A 10.20.0.5"), rr("web.shop.vm. 3600 IN A 10.244.0.5")}},
      {"<vmi>.<ns>: a secondary interface without an address yet is passed over",
       vmi("web", "shop",
           "[{name: nic1, multus: {networkName: a}}, {name: nic2, multus: "
           "{networkName: b}}]",
           "[{name: nic1}, {name: nic2, ipAddress: 10.20.0.5}]"),
       vm_zone("vm"),
       {rr("web.shop.vm. 3600 IN A 10.20.0.5"), rr("nic2.web.shop.vm. 3600 IN A 10.20.0.5")},
       {"nic1.web.shop.vm."}},
      {"a Multus default network is the pod network, left out as well",
       vmi("web", "shop",
           "[{name: main, multus: {networkName: ovn, default: true}}, {name: nic1, multus: "
           "{networkName: a}}]",
           "[{name: main, ipAddress: 10.244.0.5}, {name: nic1, ipAddress: 10.10.0.5}]"),
       vm_zone("vm"),
       {rr("nic1.web.shop.vm. 3600 IN A 10.10.0.5"), rr("web.shop.vm. 3600 IN A 10.10.0.5")},
       {"main.web.shop.vm."}},
      {"no spec.networks: KubeVirt attaches the pod network as \"default\"",
       vmi("web", "shop", "", "[{name: default, ipAddress: 10.244.0.5}]"),
       vm_zone("vm"),
       {},
       {"default.web.shop.vm.", "web.shop.vm.", "shop.vm."}},
      {"interfaces without a name (reported by the guest agent only) have no name",
       vmi("web", "shop", "[{name: default, pod: {}}]",
           "[{name: default, ipAddress: 10.244.0.5}, {interfaceName: eth1, ipAddress: 10.30.0.5}]"),
       vm_zone("vm"),
       {},
       {"web.shop.vm.", rr("web.shop.vm. 3600 IN A 10.30.0.5")}},
      {"an interface name that is not a DNS-1123 label is skipped; the others are published",
       vmi("web", "shop",
           "[{name: nic_1, multus: {networkName: a}}, {name: nic2, multus: "
           "{networkName: b}}]",
           "[{name: nic_1, ipAddress: 10.10.0.5}, {name: nic2, ipAddress: 10.20.0.5}]"),
       vm_zone("vm"),
       {rr("nic2.web.shop.vm. 3600 IN A 10.20.0.5"), rr("web.shop.vm. 3600 IN A 10.20.0.5")},
       {rr("web.shop.vm. 3600 IN A 10.10.0.5")}},
      {"a VMI name with a dot cannot be one label: no names",
       vmi("web.v2", "shop", "[{name: nic1, multus: {networkName: a}}]",
           "[{name: nic1, ipAddress: 10.10.0.5}]"),
       vm_zone("vm"),
       {},
       {"nic1.web.v2.shop.vm.", "v2.shop.vm."}},
      {"a Failed VMI has no names: its addresses may be someone else's by now",
       vmi("web", "shop", "[{name: nic1, multus: {networkName: a}}]",
           "[{name: nic1, ipAddress: 10.10.0.5}]", "Failed"),
       vm_zone("vm"),
       {},
       {"nic1.web.shop.vm.", "web.shop.vm."}},
      {"--namespaces: VMIs elsewhere have no names",
       kReadmeExample,
       [](ZoneConfig& c) {
         c.vm_zone = *dns::Name::from_text("vm");
         c.namespaces = {"shop"};
       },
       {},
       {"nic1.vmi-sec.secondary-test.vm."}},
      {"PTR for each address of each interface, to the interface's name, with the vm TTL",
       kPodAndSecondary,
       vm_zone("vm", {"10.in-addr.arpa", "d.f.ip6.arpa"}),
       {rr("5.0.10.10.in-addr.arpa. 3600 IN PTR nic1.web.shop.vm."),
        rr("5.0.20.10.in-addr.arpa. 3600 IN PTR nic2.web.shop.vm."),
        rr("5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.d.f.ip6.arpa. 3600 IN PTR "
           "nic1.web.shop.vm.")},
       // The pod network's address is not ours to name here; <vmi>.<ns> is an alias.
       {"5.0.244.10.in-addr.arpa.", rr("5.0.10.10.in-addr.arpa. 3600 IN PTR web.shop.vm.")}},
      {"the cluster zone keeps the first interface's addresses",
       kPodAndSecondary + "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
                          "spec: {clusterIP: None, selector: {vm.kubevirt.io/name: web}}\n",
       vm_zone("vm"),
       {rr("web.shop.svc.cluster.local. 5 IN A 10.244.0.5")},
       {rr("web.shop.svc.cluster.local. 5 IN A 10.10.0.5")}},
  };
}

TEST(VmZoneRulesTest, Table) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.rule);
    std::string text = zones_text(c.manifests, c.configure);
    for (const std::string& line : c.present) {
      EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "in:\n" << text;
    }
    for (const std::string& absent : c.absent) {
      // Whole lines only: "\n" before, so that a.b. is not found inside x.a.b.
      std::string needle = "\n" + (absent.find('\t') == std::string::npos ? absent + "\t" : absent);
      EXPECT_EQ(text.find(needle), std::string::npos) << "unexpected: " << absent << " in:\n"
                                                      << text;
    }
  }
}

// A migration moves the VMI to another node; with a static IPAM its address stays, with DHCP
// or a new IP pool it changes. The next snapshot has the new address and PTR, and nothing of
// the old one.
TEST(VmZoneRulesTest, MigrationReplacesTheAddress) {
  auto before = zones_text(vmi("web", "shop", "[{name: nic1, multus: {networkName: a}}]",
                               "[{name: nic1, ipAddress: 10.10.0.5}]"),
                           vm_zone("vm", {"10.in-addr.arpa"}));
  auto after = zones_text(vmi("web", "shop", "[{name: nic1, multus: {networkName: a}}]",
                              "[{name: nic1, ipAddress: 10.10.7.9}]"),
                          vm_zone("vm", {"10.in-addr.arpa"}));
  EXPECT_NE(before.find(rr("nic1.web.shop.vm. 3600 IN A 10.10.0.5")), std::string::npos);
  EXPECT_NE(after.find(rr("nic1.web.shop.vm. 3600 IN A 10.10.7.9")), std::string::npos);
  EXPECT_NE(after.find(rr("9.7.10.10.in-addr.arpa. 3600 IN PTR nic1.web.shop.vm.")),
            std::string::npos);
  EXPECT_EQ(after.find("10.10.0.5"), std::string::npos) << after;
  EXPECT_EQ(after.find("5.0.10.10.in-addr.arpa."), std::string::npos) << after;
}

}  // namespace
}  // namespace vmdns::zone
