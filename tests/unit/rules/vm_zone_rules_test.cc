// The --vm-zone rules, one row per rule: KubeSecondaryDNS's names for VMIs on secondary networks
// (github.com/kubevirt/kubesecondarydns: pkg/zonemgr builds <interface>.<vmi>.<namespace>.vm
// from status.interfaces and the default record <vmi>.<namespace>.vm, pkg/controllers leaves
// out the pod network), plus what vmdns adds: IPv6, every address of an interface, and PTRs.
// The Table rows run without --vm-zone-pod-network (KubeSecondaryDNS's behaviour, unchanged);
// the PodNetwork rows with it: the pod network's interface named, <vmi>.<ns> its addresses,
// its PTRs beside the cluster zone's.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sources/manifest_loader.h"
#include "unit/rules/zone_fixture.h"

namespace vmdns::rules {
namespace {

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

// Two secondary interfaces, as in KubeSecondaryDNS's tests, and their usual status.
const std::string kTwoNics =
    "[{name: nic1, multus: {networkName: a}}, {name: nic2, multus: {networkName: b}}]";
const std::string kNic1Nic2 =
    "[{name: nic1, ipAddress: 1.2.3.4}, {name: nic2, ipAddress: 5.6.7.8}]";

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

// --vm-zone ZONE --vm-zone-pod-network, with reverse zones for 10/8 and fd00::/8.
Configure pod_network(const char* zone = "vm") {
  return [zone](ZoneConfig& c) {
    vm_zone(zone, {"10.in-addr.arpa", "d.f.ip6.arpa"})(c);
    c.vm_zone_pod_network = true;
  };
}

// A headless Service `web` and the VMI `web` under it (hostname web, subdomain web) on the pod
// network: the cluster zone's PTR web.web.shop.svc.cluster.local for its address.
const std::string kHeadlessWeb =
    "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
    "spec: {clusterIP: None, selector: {vm.kubevirt.io/name: web}}\n---\n"
    "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: web, "
    "namespace: shop}\nspec: {hostname: web, subdomain: web, domain: {}, networks: [{name: "
    "default, pod: {}}]}\nstatus: {phase: Running, interfaces: [{name: default, ipAddress: "
    "10.244.1.7}]}\n";

// A VMI on the pod network alone, dual-stack, as KubeVirt's masquerade binding reports it.
std::string pod_only(const std::string& name, const std::string& addresses,
                     const std::string& network = "default") {
  return vmi(name, "shop", "[{name: " + network + ", pod: {}}]",
             "[{name: " + network + ", ipAddresses: " + addresses + "}]");
}

std::vector<Case> pod_network_cases() {
  return {
      {"--vm-zone-pod-network: a VM on the pod network alone gets <vmi>.<ns> and "
       "<iface>.<vmi>.<ns>, A and AAAA",
       pod_only("db", "[10.244.1.7, \"fd00:10:244::7\"]"),
       pod_network(),
       {rr("db.shop.vm. 3600 IN A 10.244.1.7"), rr("db.shop.vm. 3600 IN AAAA fd00:10:244::7"),
        rr("default.db.shop.vm. 3600 IN A 10.244.1.7"),
        rr("default.db.shop.vm. 3600 IN AAAA fd00:10:244::7")},
       {}},
      {"--vm-zone-pod-network: the PTRs name the interface, as for a secondary interface",
       pod_only("db", "[10.244.1.7, \"fd00:10:244::7\"]"),
       pod_network(),
       {rr("7.1.244.10.in-addr.arpa. 3600 IN PTR default.db.shop.vm."),
        rr("7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa. 3600 IN PTR "
           "default.db.shop.vm.")},
       {rr("7.1.244.10.in-addr.arpa. 3600 IN PTR db.shop.vm.")}},
      {"--vm-zone-pod-network: <vmi>.<ns> answers the pod network, secondaries keep their names",
       kPodAndSecondary,
       pod_network(),
       {rr("web.shop.vm. 3600 IN A 10.244.0.5"), rr("default.web.shop.vm. 3600 IN A 10.244.0.5"),
        rr("nic1.web.shop.vm. 3600 IN A 10.10.0.5"), rr("nic1.web.shop.vm. 3600 IN AAAA fd10::5"),
        rr("nic2.web.shop.vm. 3600 IN A 10.20.0.5"),
        rr("5.0.10.10.in-addr.arpa. 3600 IN PTR nic1.web.shop.vm."),
        rr("5.0.244.10.in-addr.arpa. 3600 IN PTR default.web.shop.vm.")},
       // No AAAA: the pod network has no IPv6 address, and nic1's is not routed by the cluster.
       {rr("web.shop.vm. 3600 IN A 10.10.0.5"), rr("web.shop.vm. 3600 IN AAAA fd10::5")}},
      {"--vm-zone-pod-network: a Multus default network is the pod network, by its own name",
       vmi("web", "shop",
           "[{name: main, multus: {networkName: ovn, default: true}}, {name: nic1, multus: "
           "{networkName: a}}]",
           "[{name: main, ipAddress: 10.244.0.5}, {name: nic1, ipAddress: 10.10.0.5}]"),
       pod_network(),
       {rr("main.web.shop.vm. 3600 IN A 10.244.0.5"), rr("web.shop.vm. 3600 IN A 10.244.0.5"),
        rr("nic1.web.shop.vm. 3600 IN A 10.10.0.5")},
       {rr("web.shop.vm. 3600 IN A 10.10.0.5")}},
      {"--vm-zone-pod-network: no spec.networks, the pod network KubeVirt attaches as default",
       vmi("web", "shop", "", "[{name: default, ipAddress: 10.244.0.5}]"),
       pod_network(),
       {rr("web.shop.vm. 3600 IN A 10.244.0.5"), rr("default.web.shop.vm. 3600 IN A 10.244.0.5")},
       {}},
      {"--vm-zone-pod-network: the pod network without an address yet: no name, not a secondary's",
       vmi("web", "shop", "[{name: default, pod: {}}, {name: nic1, multus: {networkName: a}}]",
           "[{name: default}, {name: nic1, ipAddress: 10.10.0.5}]"),
       pod_network(),
       {rr("nic1.web.shop.vm. 3600 IN A 10.10.0.5")},
       {"web.shop.vm.", "default.web.shop.vm."}},
      {"--vm-zone-pod-network: a VMI without the pod network keeps KubeSecondaryDNS's default",
       kReadmeExample,
       pod_network(),
       {rr("vmi-sec.secondary-test.vm. 3600 IN A 10.10.0.5"),
        rr("nic1.vmi-sec.secondary-test.vm. 3600 IN A 10.10.0.5")},
       {}},
      {"--vm-zone-pod-network: an interface name that is not a label has no name; <vmi>.<ns> has "
       "its address",
       pod_only("db", "[10.244.1.7]", "Pod_Net"),
       pod_network(),
       {rr("db.shop.vm. 3600 IN A 10.244.1.7")},
       {"7.1.244.10.in-addr.arpa.", "Pod_Net.db.shop.vm.", "pod_net.db.shop.vm."}},
      {"--vm-zone-pod-network: a Failed VMI has no names",
       vmi("db", "shop", "[{name: default, pod: {}}]", "[{name: default, ipAddress: 10.244.1.7}]",
           "Failed"),
       pod_network(),
       {},
       {"db.shop.vm.", "default.db.shop.vm.", "7.1.244.10.in-addr.arpa."}},
      {"--vm-zone-pod-network, an address with a cluster-zone PTR: the Service's first, both kept, "
       "the set at the cluster zone's TTL",
       kHeadlessWeb,
       pod_network(),
       {rr("7.1.244.10.in-addr.arpa. 5 IN PTR web.web.shop.svc.cluster.local.") +
        rr("7.1.244.10.in-addr.arpa. 5 IN PTR default.web.shop.vm.")},
       {}},
      {"without --vm-zone-pod-network the cluster zone's PTR is the address's only one",
       kHeadlessWeb,
       vm_zone("vm", {"10.in-addr.arpa"}),
       {rr("7.1.244.10.in-addr.arpa. 5 IN PTR web.web.shop.svc.cluster.local.")},
       {rr("7.1.244.10.in-addr.arpa. 5 IN PTR default.web.shop.vm."), "web.shop.vm.",
        "default.web.shop.vm."}},
      {"--vm-zone-pod-network: the cluster zone is the same as without it",
       kHeadlessWeb,
       pod_network(),
       {rr("web.shop.svc.cluster.local. 5 IN A 10.244.1.7"),
        rr("web.web.shop.svc.cluster.local. 5 IN A 10.244.1.7")},
       {}},
      // KubeVirt reports the pod network's address of the launcher pod that runs the guest in
      // status.interfaces, which it moves to the target's at the end of a live migration: the
      // names follow status, whatever launcher pods exist meanwhile.
      {"--vm-zone-pod-network during a migration: the address status reports (the source's)",
       "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: db, "
       "namespace: shop}\nspec: {domain: {}, networks: [{name: default, pod: {}}]}\nstatus: "
       "{phase: Running, nodeName: node-a, migrationState: {sourceNode: node-a, targetNode: "
       "node-b, targetPod: virt-launcher-db-bbbbb}, interfaces: [{name: default, ipAddress: "
       "10.244.1.7}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: virt-launcher-db-bbbbb, "
       "namespace: shop, labels: {kubevirt.io: virt-launcher, vm.kubevirt.io/name: db}}\n"
       "spec: {nodeName: node-b}\nstatus: {phase: Running, podIP: 10.244.2.9}\n",
       pod_network(),
       {rr("db.shop.vm. 3600 IN A 10.244.1.7"), rr("default.db.shop.vm. 3600 IN A 10.244.1.7")},
       {rr("db.shop.vm. 3600 IN A 10.244.2.9"), "9.2.244.10.in-addr.arpa."}},
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
      // KubeSecondaryDNS's zone file cache tests, rewritten as rows here (its domain "vm"; nic1
      // 1.2.3.4, nic2 5.6.7.8, nic3 9.10.11.12, nic4 13.14.15.16). Its default record for a VM is
      // the IPv4 address of the interface whose record sorts first.
      {"KubeSecondaryDNS, single VMI: a record per interface, the default from nic1",
       vmi("vmi1", "ns1", kTwoNics, kNic1Nic2),
       vm_zone("vm"),
       {rr("nic1.vmi1.ns1.vm. 3600 IN A 1.2.3.4"), rr("nic2.vmi1.ns1.vm. 3600 IN A 5.6.7.8"),
        rr("vmi1.ns1.vm. 3600 IN A 1.2.3.4")},
       {rr("vmi1.ns1.vm. 3600 IN A 5.6.7.8")}},
      {"KubeSecondaryDNS, several VMIs: each its own records and default",
       vmi("vmi1", "ns1", kTwoNics, kNic1Nic2) + vmi("vmi2", "ns1", kTwoNics, kNic1Nic2) +
           vmi("vmi1", "ns2",
               "[{name: nic3, multus: {networkName: c}}, {name: nic4, multus: "
               "{networkName: d}}]",
               "[{name: nic3, ipAddress: 9.10.11.12}, {name: nic4, ipAddress: 13.14.15.16}]"),
       vm_zone("vm"),
       {rr("nic2.vmi2.ns1.vm. 3600 IN A 5.6.7.8"), rr("vmi2.ns1.vm. 3600 IN A 1.2.3.4"),
        rr("nic3.vmi1.ns2.vm. 3600 IN A 9.10.11.12"), rr("nic4.vmi1.ns2.vm. 3600 IN A 13.14.15.16"),
        rr("vmi1.ns2.vm. 3600 IN A 9.10.11.12"), rr("vmi1.ns1.vm. 3600 IN A 1.2.3.4")},
       {rr("vmi1.ns2.vm. 3600 IN A 13.14.15.16")}},
      {"KubeSecondaryDNS, interface order changed: the default stays nic1's",
       vmi("vmi1", "ns1", kTwoNics,
           "[{name: nic2, ipAddress: 5.6.7.8}, {name: nic1, ipAddress: 1.2.3.4}]"),
       vm_zone("vm"),
       {rr("vmi1.ns1.vm. 3600 IN A 1.2.3.4"), rr("nic2.vmi1.ns1.vm. 3600 IN A 5.6.7.8")},
       {rr("vmi1.ns1.vm. 3600 IN A 5.6.7.8")}},
      {"KubeSecondaryDNS, IPv4 and IPv6: its A records; vmdns adds AAAA, the default's from nic1",
       vmi("vmi1", "ns1", kTwoNics,
           "[{name: nic2, ipAddresses: [5.6.7.8, \"fd00::2\"]}, {name: nic1, ipAddresses: "
           "[1.2.3.4, \"fd00::1\"]}]"),
       vm_zone("vm"),
       {rr("nic1.vmi1.ns1.vm. 3600 IN A 1.2.3.4"), rr("nic2.vmi1.ns1.vm. 3600 IN A 5.6.7.8"),
        rr("vmi1.ns1.vm. 3600 IN A 1.2.3.4"), rr("nic2.vmi1.ns1.vm. 3600 IN AAAA fd00::2"),
        rr("vmi1.ns1.vm. 3600 IN AAAA fd00::1")},
       {rr("vmi1.ns1.vm. 3600 IN A 5.6.7.8"), rr("vmi1.ns1.vm. 3600 IN AAAA fd00::2")}},
      {"KubeSecondaryDNS, IPv6 only: it publishes nothing; vmdns AAAA only, no A",
       vmi("vmi1", "ns1", kTwoNics,
           "[{name: nic1, ipAddress: \"fd00::1\"}, {name: nic2, ipAddress: \"fd00::2\"}]"),
       vm_zone("vm"),
       {rr("vmi1.ns1.vm. 3600 IN AAAA fd00::1"), rr("nic2.vmi1.ns1.vm. 3600 IN AAAA fd00::2")},
       {rr("vmi1.ns1.vm. 3600 IN AAAA fd00::2")}},
      {"KubeSecondaryDNS, an interface without a name: no record, never the default",
       vmi("vmi1", "ns1", kTwoNics, "[{ipAddress: 9.10.11.12}, {name: nic2, ipAddress: 5.6.7.8}]"),
       vm_zone("vm"),
       {rr("vmi1.ns1.vm. 3600 IN A 5.6.7.8"), rr("nic2.vmi1.ns1.vm. 3600 IN A 5.6.7.8")},
       {rr("vmi1.ns1.vm. 3600 IN A 9.10.11.12")}},
      {"A and AAAA may come from different interfaces: each the first by name with one",
       vmi("vmi1", "ns1", kTwoNics,
           "[{name: nic2, ipAddresses: [5.6.7.8, 5.6.7.9]}, {name: nic1, ipAddress: "
           "\"fd00::1\"}]"),
       vm_zone("vm"),
       {rr("vmi1.ns1.vm. 3600 IN A 5.6.7.8"), rr("vmi1.ns1.vm. 3600 IN A 5.6.7.9"),
        rr("vmi1.ns1.vm. 3600 IN AAAA fd00::1")},
       {}},
      {"names compare as KubeSecondaryDNS's records sort: nic1 before nic10, net-2 before net",
       vmi("a", "ns1",
           "[{name: nic10, multus: {networkName: a}}, {name: nic1, multus: {networkName: b}}]",
           "[{name: nic10, ipAddress: 10.0.0.10}, {name: nic1, ipAddress: 10.0.0.1}]") +
           vmi("b", "ns1",
               "[{name: net, multus: {networkName: a}}, {name: net-2, multus: {networkName: b}}]",
               "[{name: net, ipAddress: 10.0.1.1}, {name: net-2, ipAddress: 10.0.1.2}]"),
       vm_zone("vm"),
       {rr("a.ns1.vm. 3600 IN A 10.0.0.1"), rr("b.ns1.vm. 3600 IN A 10.0.1.2")},
       {rr("a.ns1.vm. 3600 IN A 10.0.0.10"), rr("b.ns1.vm. 3600 IN A 10.0.1.1")}},
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

void check(const Case& c) {
  SCOPED_TRACE(c.rule);
  std::string text = zones_text(c.manifests, c.configure);
  for (const std::string& line : c.present) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "in:\n" << text;
  }
  for (const std::string& absent : c.absent) {
    // Whole lines only: "\n" before, so that a.b. is not found inside x.a.b.
    std::string needle = "\n" + (absent.find('\t') == std::string::npos ? absent + "\t" : absent);
    EXPECT_EQ(text.find(needle), std::string::npos) << "unexpected: " << absent << " in:\n" << text;
  }
}

TEST(VmZoneRulesTest, Table) {
  for (const Case& c : cases()) {
    check(c);
  }
}

TEST(VmZoneRulesTest, PodNetwork) {
  for (const Case& c : pod_network_cases()) {
    check(c);
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

// KubeSecondaryDNS, VMI removed: its names go with it, the other VMI's stay.
TEST(VmZoneRulesTest, RemovedVmiTakesItsNames) {
  std::string kept = vmi("vmi2", "ns1", kTwoNics, kNic1Nic2);
  auto before = zones_text(vmi("vmi1", "ns1", kTwoNics, kNic1Nic2) + kept, vm_zone("vm"));
  auto after = zones_text(kept, vm_zone("vm"));
  EXPECT_NE(before.find(rr("vmi1.ns1.vm. 3600 IN A 1.2.3.4")), std::string::npos) << before;
  EXPECT_EQ(after.find("vmi1.ns1.vm."), std::string::npos) << after;
  EXPECT_NE(after.find(rr("vmi2.ns1.vm. 3600 IN A 1.2.3.4")), std::string::npos) << after;
}

// The same interfaces in another order are the same VMI (the first entry, whose addresses are
// the VMI's, stays first): the store sees no change and the zones are the same.
TEST(VmZoneRulesTest, InterfaceOrderIsNoChange) {
  const std::string networks =
      "[{name: default, pod: {}}, {name: nic1, multus: {networkName: a}}, {name: nic2, multus: "
      "{networkName: b}}, {name: nic3, multus: {networkName: c}}]";
  std::string one = vmi("vmi1", "ns1", networks,
                        "[{name: default, ipAddress: 10.244.0.5}, {name: nic1, ipAddress: "
                        "1.2.3.4}, {name: nic2, ipAddress: 5.6.7.8}, {ipAddress: 9.9.9.9}]");
  std::string other = vmi("vmi1", "ns1", networks,
                          "[{name: default, ipAddress: 10.244.0.5}, {ipAddress: 9.9.9.9}, {name: "
                          "nic2, ipAddress: 5.6.7.8}, {name: nic1, ipAddress: 1.2.3.4}]");
  auto a = sources::load_manifest_text(one, "t.yaml");
  auto b = sources::load_manifest_text(other, "t.yaml");
  ASSERT_EQ(a.state.vmis.size(), 1u);
  EXPECT_EQ(a.state.vmis, b.state.vmis);
  EXPECT_EQ(zones_text(one, vm_zone("vm")), zones_text(other, vm_zone("vm")));
  // A first entry that changes is a change: the VMI's own addresses are that entry's.
  auto c = sources::load_manifest_text(
      vmi("vmi1", "ns1", networks,
          "[{name: nic1, ipAddress: 1.2.3.4}, {name: default, ipAddress: 10.244.0.5}]"),
      "t.yaml");
  EXPECT_NE(a.state.vmis, c.state.vmis);
}

}  // namespace
}  // namespace vmdns::rules
