// The record rules, one row per rule: manifests in, zone-file lines out.
// Rules from the Kubernetes DNS-Based Service Discovery specification (schema 1.1.0) and
// KubeVirt's DNS page (a VMI's hostname.subdomain under the headless Service of that name).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/rules/zone_fixture.h"

namespace vmdns::rules {
namespace {

// A running, ready VMI with one interface.
std::string vmi(const std::string& name, const std::string& extra_spec, const std::string& ip,
                const std::string& ns = "default", const std::string& labels = "expose: me",
                const std::string& status_extra = "") {
  std::string out =
      "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata:\n  name: " + name +
      "\n  namespace: " + ns + "\n  labels: {" + labels + "}\nspec:\n" + extra_spec +
      "  domain: {}\nstatus:\n  phase: Running\n" + status_extra;
  if (!ip.empty()) {
    out += "  interfaces:\n  - name: default\n    ipAddress: " + ip + "\n    ipAddresses: [" +
           ip + "]\n";
  }
  return out + "---\n";
}

std::string headless(const std::string& name, const std::string& selector = "expose: me",
                     const std::string& ns = "default", const std::string& extra = "") {
  return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\nspec:\n  clusterIP: None\n  selector: {" + selector + "}\n" + extra + "---\n";
}

// The cluster zone alone, without the "; zone" line that opens it.
std::string zone_text(const std::string& manifests) {
  std::string text = zones_text(manifests);
  return text.substr(text.find('\n') + 1);
}

struct Case {
  const char* rule;
  std::string manifests;
  std::vector<std::string> present;  // "owner TYPE rdata" that must be in the zone
  std::vector<std::string> absent;   // owner names that must not be in the zone
};

std::string row(const std::string& owner, const std::string& type, const std::string& rdata) {
  return owner + ".cluster.local.\t5\tIN\t" + type + "\t" + rdata + "\n";
}

const std::string kLong70 =
    "vm-with-a-very-long-name-for-the-dns-tests-that-goes-past-63-chars-x-x";

std::vector<Case> cases() {
  return {
      {"page example: hostname.subdomain -> the VMI's IP",
       vmi("vmi-fedora", "  hostname: myvmi\n  subdomain: mysubdomain\n", "10.244.0.57") +
           headless("mysubdomain"),
       {row("myvmi.mysubdomain.default.svc", "A", "10.244.0.57"),
        row("mysubdomain.default.svc", "A", "10.244.0.57")},
       {"vmi-fedora.mysubdomain.default.svc.cluster.local."}},
      {"a running VirtualMachine without its VMI is a plan: no address, no records",
       "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: vm-plan}\nspec:\n"
       "  runStrategy: Always\n  template:\n    metadata: {labels: {expose: me}}\n"
       "    spec: {hostname: planned, subdomain: mysubdomain}\n---\n" +
           headless("mysubdomain"),
       {},
       {"planned.mysubdomain.default.svc.cluster.local.", "mysubdomain.default.svc.cluster.local.",
        "vm-plan.mysubdomain.default.svc.cluster.local."}},
      {"no spec.hostname: the VMI name is the hostname",
       vmi("vmi-no-hostname", "  subdomain: mysubdomain\n", "10.244.0.58") +
           headless("mysubdomain"),
       {row("vmi-no-hostname.mysubdomain.default.svc", "A", "10.244.0.58")},
       {}},
      {"dotted VMI name: cut at the first dot (SanitizeHostname)",
       vmi("web.prod", "  subdomain: mysubdomain\n", "10.244.0.59") + headless("mysubdomain"),
       {row("web.mysubdomain.default.svc", "A", "10.244.0.59")},
       {"web.prod.mysubdomain.default.svc.cluster.local."}},
      {"70-character VMI name: hostname truncated to 63",
       vmi(kLong70, "  subdomain: mysubdomain\n", "10.244.0.60") + headless("mysubdomain"),
       {row(kLong70.substr(0, 63) + ".mysubdomain.default.svc", "A", "10.244.0.60")},
       {}},
      {"a 63-character cut ending in '-' is no hostname: no pod could carry it",
       vmi("a-very-long-virtual-machine-instance-name-that-goes-past-sixty-three-c",
           "  subdomain: mysubdomain\n", "10.244.0.68") +
           headless("mysubdomain"),
       {row("mysubdomain.default.svc", "A", "10.244.0.68")},
       {"a-very-long-virtual-machine-instance-name-that-goes-past-sixty-.mysubdomain.default.svc."
        "cluster.local."}},
      // The id label's hash part is the first 8 hex digits of `printf %s NAME | sha1sum`.
      {"virtctl expose: selector on vmi.kubevirt.io/id (SHA-1 form past 63 characters)",
       vmi(kLong70, "  subdomain: exposed\n", "10.244.0.61", "default", "app: x") +
           headless("exposed",
                    "vmi.kubevirt.io/id: " + kLong70.substr(0, 54) + "-" + "d20b2d83",
                    "default"),
       {row("exposed.default.svc", "A", "10.244.0.61"),
        row(kLong70.substr(0, 63) + ".exposed.default.svc", "A", "10.244.0.61")},
       {}},
      {"selector that does not match: no endpoints, no names",
       vmi("vmi-a", "  hostname: a\n  subdomain: other\n", "10.244.0.62") +
           headless("other", "expose: not-me"),
       {},
       {"other.default.svc.cluster.local.", "a.other.default.svc.cluster.local."}},
      {"the launcher pod's labels win over the VMI's own of the same key",
       vmi("vmi-h", "  hostname: h\n  subdomain: launcher\n", "10.244.0.69", "default",
           "kubevirt.io: other, vm.kubevirt.io/name: other") +
           headless("launcher", "kubevirt.io: virt-launcher, vm.kubevirt.io/name: h"),
       {row("h.launcher.default.svc", "A", "10.244.0.69")},
       {}},
      {"every selector pair must match, however common the others",
       vmi("vmi-i", "  hostname: i\n  subdomain: mixed\n", "10.244.0.70") +
           headless("mixed", "expose: me, tier: none"),
       {},
       {"mixed.default.svc.cluster.local.", "i.mixed.default.svc.cluster.local."}},
      {"subdomain without a Service: no hostname record",
       vmi("vmi-b", "  hostname: b\n  subdomain: nosvc\n", "10.244.0.63"),
       {},
       {"b.nosvc.default.svc.cluster.local.", "nosvc.default.svc.cluster.local."}},
      {"VMI in another namespace is not selected",
       vmi("vmi-c", "  hostname: c\n  subdomain: mysubdomain\n", "10.244.0.64", "other") +
           headless("mysubdomain"),
       {},
       {"c.mysubdomain.default.svc.cluster.local.", "c.mysubdomain.other.svc.cluster.local."}},
      {"paused VMI is not ready: not published",
       vmi("vmi-d", "  hostname: d\n  subdomain: mysubdomain\n", "10.244.0.65", "default",
           "expose: me",
           "  conditions:\n  - {type: Ready, status: \"False\"}\n  - {type: Paused, status: "
           "\"True\"}\n") +
           headless("mysubdomain"),
       {},
       {"d.mysubdomain.default.svc.cluster.local."}},
      {"publishNotReadyAddresses publishes a not-ready VMI",
       vmi("vmi-e", "  hostname: e\n  subdomain: mysubdomain\n", "10.244.0.66", "default",
           "expose: me", "  conditions:\n  - {type: Ready, status: \"False\"}\n") +
           headless("mysubdomain", "expose: me", "default", "  publishNotReadyAddresses: true\n"),
       {row("e.mysubdomain.default.svc", "A", "10.244.0.66")},
       {}},
      {"VMI without an IP yet has no endpoint",
       vmi("vmi-f", "  hostname: f\n  subdomain: mysubdomain\n", "") + headless("mysubdomain"),
       {},
       {"f.mysubdomain.default.svc.cluster.local."}},
      {"subdomain differs from the Service name: address only, no hostname (ShouldSetHostname)",
       vmi("vmi-g", "  hostname: g\n  subdomain: elsewhere\n", "10.244.0.67") +
           headless("mysubdomain"),
       {row("mysubdomain.default.svc", "A", "10.244.0.67")},
       {"g.mysubdomain.default.svc.cluster.local."}},
      {"ClusterIP Service: its cluster IPs, dual-stack",
       "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  clusterIP: 10.96.0.20\n"
       "  clusterIPs: [10.96.0.20, \"fd00::20\"]\n  selector: {app: web}\n---\n",
       {row("web.default.svc", "A", "10.96.0.20"), row("web.default.svc", "AAAA", "fd00::20")},
       {}},
      {"Pod with hostname and subdomain under a headless Service",
       "apiVersion: v1\nkind: Pod\nmetadata: {name: p1, labels: {app: db}}\nspec: {hostname: "
       "db-0, subdomain: db}\nstatus:\n  phase: Running\n  podIPs: [{ip: 10.244.1.5}]\n"
       "  conditions: [{type: Ready, status: \"True\"}]\n---\n" +
           headless("db", "app: db"),
       {row("db-0.db.default.svc", "A", "10.244.1.5"), row("db.default.svc", "A", "10.244.1.5")},
       {}},
      {"EndpointSlices, when present, are the endpoints (ready absent = ready)",
       headless("sliced", "app: none") +
           "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: sliced-1\n"
           "  labels: {kubernetes.io/service-name: sliced}\naddressType: IPv4\nendpoints:\n"
           "- addresses: [10.244.2.1]\n  hostname: one\n- addresses: [10.244.2.2]\n"
           "  conditions: {ready: false}\n  hostname: two\n---\n",
       {row("one.sliced.default.svc", "A", "10.244.2.1")},
       {"two.sliced.default.svc.cluster.local."}},
      {"ExternalName: a CNAME to spec.externalName",
       "apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec:\n  type: ExternalName\n"
       "  externalName: db.example.com\n---\n",
       {row("ext.default.svc", "CNAME", "db.example.com.")},
       {}},
      {"IPv6 VMI address: AAAA",
       vmi("vmi-h", "  hostname: h\n  subdomain: mysubdomain\n", "fd10::57") +
           headless("mysubdomain"),
       {row("h.mysubdomain.default.svc", "AAAA", "fd10::57")},
       {}},
      {"apex: SOA timers, NS ns.dns.<zone> with its address",
       "",
       {row("ns.dns", "A", "10.96.0.10"), "cluster.local.\t5\tIN\tNS\tns.dns.cluster.local.\n"},
       {}},
  };
}

TEST(RecordRulesTest, Table) {
  for (Case c : cases()) {
    SCOPED_TRACE(c.rule);
    std::string text = zone_text(c.manifests);
    for (const std::string& line : c.present) {
      EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "in:\n" << text;
    }
    for (const std::string& owner : c.absent) {
      EXPECT_EQ(text.find("\n" + owner + "\t"), std::string::npos)
          << "unexpected: " << owner << " in:\n"
          << text;
    }
  }
}

TEST(RecordRulesTest, ApexSoaComesFirstWithCoreDnsTimers) {
  std::string text = zone_text("");
  EXPECT_EQ(text.rfind(
                "cluster.local.\t5\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1 "
                "7200 1800 86400 5\n",
                0),
            0u)
      << text;
}

}  // namespace
}  // namespace vmdns::rules
