// The Kubernetes DNS-Based Service Discovery specification (schema 1.1.0) rules beyond the
// A/AAAA basics, one row per rule, each citing the specification section or the CoreDNS
// (plugin/kubernetes) behaviour it follows: manifests and a ZoneConfig in, zone lines out.

#include <gtest/gtest.h>

#include <string>

#include "unit/rules/zone_fixture.h"

namespace vmdns::rules {
namespace {

std::string service(const std::string& name, const std::string& ns, const std::string& spec) {
  return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: " + ns +
         "}\nspec: " + spec + "\n---\n";
}

std::string pod(const std::string& name, const std::string& ns, const std::string& labels,
                const std::string& ips, const std::string& spec = "{}", bool ready = true,
                const std::string& phase = "Running") {
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: " + ns +
         ", labels: {" + labels + "}}\nspec: " + spec + "\nstatus: {phase: " + phase +
         ", podIPs: [" + ips + "], conditions: [{type: Ready, status: \"" +
         (ready ? "True" : "False") + "\"}]}\n---\n";
}

std::string vmi(const std::string& name, const std::string& ns, const std::string& labels,
                const std::string& ip) {
  return "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: " + name +
         ", namespace: " + ns + ", labels: {" + labels +
         "}}\nspec: {domain: {}}\nstatus: {phase: Running, interfaces: [{name: default, "
         "ipAddress: \"" +
         ip + "\"}]}\n---\n";
}

// n ready Pods app=<app> at 10.244.<net>.1 .. 10.244.<net>.n.
std::string pods(const std::string& app, int net, int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) {
    out += pod(app + "-" + std::to_string(i), "shop", "app: " + app,
               "{ip: 10.244." + std::to_string(net) + "." + std::to_string(i) + "}");
  }
  return out;
}

const std::string kWeb =
    service("web", "shop",
            "{clusterIP: 10.96.0.20, selector: {app: web}, ports: [{name: http, port: 80}]}") +
    pod("web-1", "shop", "app: web", "{ip: 10.244.1.7}");

struct Case {
  const char* rule;
  std::string manifests;
  Configure configure;
  std::vector<std::string> present;  // rr() lines that must be there
  std::vector<std::string> absent;   // owner names ("x.cluster.local.") or rr() lines
};

std::vector<Case> cases() {
  auto reverse = [](std::vector<const char*> zones) {
    return [zones](ZoneConfig& c) {
      for (const char* z : zones) {
        c.reverse_zones.push_back(*dns::Name::from_text(z));
      }
    };
  };
  return {
      {"spec 2.2: dns-version TXT 1.1.0 with TTL 28800",
       "",
       nullptr,
       {rr("dns-version.cluster.local. 28800 IN TXT \"1.1.0\"")},
       {}},
      // SRV weights as CoreDNS's plugin.SRV: floor(100 / candidates), at least 1.
      {"spec 2.4.1: ClusterIP SRV per named port, 1 candidate: weight 100",
       kWeb,
       nullptr,
       {rr("_http._tcp.web.shop.svc.cluster.local. 5 IN SRV 0 100 80 web.shop.svc.cluster.local."),
        rr("web.shop.svc.cluster.local. 5 IN SRV 0 100 80 web.shop.svc.cluster.local.")},
       {}},
      {"spec 2.4.1: 3 named ports, bare name holds 3 candidates: weight 33; proto lowercased",
       service("web", "shop",
               "{clusterIP: 10.96.0.20, ports: [{name: http, port: 80}, {name: dns, port: 53, "
               "protocol: UDP}, {name: diameter, port: 3868, protocol: SCTP}]}"),
       nullptr,
       {rr("_http._tcp.web.shop.svc.cluster.local. 5 IN SRV 0 100 80 web.shop.svc.cluster.local."),
        rr("_dns._udp.web.shop.svc.cluster.local. 5 IN SRV 0 100 53 web.shop.svc.cluster.local."),
        rr("_diameter._sctp.web.shop.svc.cluster.local. 5 IN SRV 0 100 3868 "
           "web.shop.svc.cluster.local."),
        rr("web.shop.svc.cluster.local. 5 IN SRV 0 33 80 web.shop.svc.cluster.local."),
        rr("web.shop.svc.cluster.local. 5 IN SRV 0 33 53 web.shop.svc.cluster.local."),
        rr("web.shop.svc.cluster.local. 5 IN SRV 0 33 3868 web.shop.svc.cluster.local.")},
       {}},
      {"CoreDNS: dual-stack ClusterIP counts 2 candidates, one record (same target and port)",
       service("web", "shop",
               "{clusterIP: 10.96.0.20, clusterIPs: [10.96.0.20, \"fd00::20\"], ports: [{name: "
               "http, port: 80}]}"),
       nullptr,
       {rr("_http._tcp.web.shop.svc.cluster.local. 5 IN SRV 0 50 80 web.shop.svc.cluster.local.")},
       {}},
      {"spec 2.4.1: an unnamed port has no _port._proto name; CoreDNS answers it at the bare "
       "name",
       service("web", "shop", "{clusterIP: 10.96.0.20, ports: [{port: 80}]}"),
       nullptr,
       {rr("web.shop.svc.cluster.local. 5 IN A 10.96.0.20"),
        rr("web.shop.svc.cluster.local. 5 IN SRV 0 100 80 web.shop.svc.cluster.local.")},
       {"_._tcp.web.shop.svc.cluster.local."}},
      {"spec 2.4.2: headless, 3 ready endpoints: SRV weight 33 to each endpoint name",
       service("db", "shop",
               "{clusterIP: None, selector: {app: db}, ports: [{name: pg, port: "
               "5432}]}") +
           pods("db", 2, 3),
       nullptr,
       {rr("_pg._tcp.db.shop.svc.cluster.local. 5 IN SRV 0 33 5432 "
           "10-244-2-1.db.shop.svc.cluster.local."),
        rr("_pg._tcp.db.shop.svc.cluster.local. 5 IN SRV 0 33 5432 "
           "10-244-2-3.db.shop.svc.cluster.local."),
        rr("db.shop.svc.cluster.local. 5 IN SRV 0 33 5432 10-244-2-2.db.shop.svc.cluster.local."),
        rr("10-244-2-2.db.shop.svc.cluster.local. 5 IN A 10.244.2.2")},
       {}},
      {"spec 2.4.2: headless, 7 endpoints x 2 ports: 14 per port, 7 (floor 100/14) at the bare "
       "name",
       service("db", "shop",
               "{clusterIP: None, selector: {app: db}, ports: [{name: pg, port: "
               "5432}, {name: metrics, port: 9187}]}") +
           pods("db", 2, 7),
       nullptr,
       {rr("_pg._tcp.db.shop.svc.cluster.local. 5 IN SRV 0 14 5432 "
           "10-244-2-7.db.shop.svc.cluster.local."),
        rr("_metrics._tcp.db.shop.svc.cluster.local. 5 IN SRV 0 14 9187 "
           "10-244-2-1.db.shop.svc.cluster.local."),
        rr("db.shop.svc.cluster.local. 5 IN SRV 0 7 9187 10-244-2-4.db.shop.svc.cluster.local.")},
       {}},
      {"CoreDNS: weight is at least 1 (150 candidates)",
       service("db", "shop",
               "{clusterIP: None, selector: {app: db}, ports: [{name: pg, port: "
               "5432}]}") +
           pods("db", 3, 150),
       nullptr,
       {rr("_pg._tcp.db.shop.svc.cluster.local. 5 IN SRV 0 1 5432 "
           "10-244-3-150.db.shop.svc.cluster.local.")},
       {}},
      {"spec 2.4.2: a hostname names the endpoint; the others are dashed",
       service("db", "shop",
               "{clusterIP: None, selector: {app: db}, ports: [{name: pg, port: "
               "5432}]}") +
           pod("db-0", "shop", "app: db", "{ip: 10.244.2.1}", "{hostname: db-0, subdomain: db}") +
           pod("db-1", "shop", "app: db", "{ip: \"fd00:10::\"}"),
       nullptr,
       {rr("db-0.db.shop.svc.cluster.local. 5 IN A 10.244.2.1"),
        rr("fd00-10--0.db.shop.svc.cluster.local. 5 IN AAAA fd00:10::"),
        rr("db.shop.svc.cluster.local. 5 IN SRV 0 50 5432 db-0.db.shop.svc.cluster.local."),
        rr("db.shop.svc.cluster.local. 5 IN SRV 0 50 5432 fd00-10--0.db.shop.svc.cluster.local.")},
       {"10-244-2-1.db.shop.svc.cluster.local."}},
      {"CoreDNS: endpoint names resolve under a ClusterIP Service; its own name keeps the cluster "
       "IP",
       kWeb + pod("web-2", "shop", "app: web", "{ip: \"::2\"}"),
       nullptr,
       {rr("10-244-1-7.web.shop.svc.cluster.local. 5 IN A 10.244.1.7"),
        rr("0--2.web.shop.svc.cluster.local. 5 IN AAAA ::2"),
        rr("web.shop.svc.cluster.local. 5 IN A 10.96.0.20")},
       {rr("web.shop.svc.cluster.local. 5 IN A 10.244.1.7"),
        rr("web.shop.svc.cluster.local. 5 IN SRV 0 100 80 "
           "10-244-1-7.web.shop.svc.cluster.local.")}},
      {"spec 2.4.2: only ready endpoints are named",
       kWeb + pod("web-2", "shop", "app: web", "{ip: 10.244.1.8}", "{}", false),
       nullptr,
       {},
       {"10-244-1-8.web.shop.svc.cluster.local."}},
      {"CoreDNS endpoint_pod_names: a Pod and a VMI are named after themselves",
       kWeb + vmi("vm-1", "shop", "app: web", "10.244.1.9") +
           vmi("web.prod", "shop", "app: web", "10.244.1.10"),
       [](ZoneConfig& c) { c.endpoint_pod_names = true; },
       {rr("web-1.web.shop.svc.cluster.local. 5 IN A 10.244.1.7"),
        rr("vm-1.web.shop.svc.cluster.local. 5 IN A 10.244.1.9"),
        // "web.prod" is not a DNS label: the dashed address, as in CoreDNS.
        rr("10-244-1-10.web.shop.svc.cluster.local. 5 IN A 10.244.1.10")},
       {"10-244-1-7.web.shop.svc.cluster.local."}},
      {"CoreDNS ignore empty_service: a ClusterIP Service without ready endpoints has no name",
       service("idle", "shop",
               "{clusterIP: 10.96.0.30, selector: {app: idle}, ports: [{name: "
               "http, port: 80}]}") +
           kWeb + service("ext", "shop", "{type: ExternalName, externalName: db.example.com}"),
       [](ZoneConfig& c) { c.ignore_empty_service = true; },
       {rr("web.shop.svc.cluster.local. 5 IN A 10.96.0.20"),
        rr("ext.shop.svc.cluster.local. 5 IN CNAME db.example.com.")},
       {"idle.shop.svc.cluster.local.", "_http._tcp.idle.shop.svc.cluster.local."}},
      {"without ignore empty_service, the empty Service keeps its cluster IP",
       service("idle", "shop", "{clusterIP: 10.96.0.30, selector: {app: idle}}"),
       nullptr,
       {rr("idle.shop.svc.cluster.local. 5 IN A 10.96.0.30")},
       {}},
      {"CoreDNS namespaces: objects elsewhere are ignored, their namespace does not exist",
       kWeb + service("db", "other", "{clusterIP: 10.96.0.40}") +
           "apiVersion: v1\nkind: Namespace\nmetadata: {name: hidden}\n---\n",
       [](ZoneConfig& c) { c.namespaces = {"shop"}; },
       {rr("web.shop.svc.cluster.local. 5 IN A 10.96.0.20")},
       {"db.other.svc.cluster.local.", "other.svc.cluster.local.", "hidden.svc.cluster.local."}},
      {"CoreDNS pods disabled (default): nothing under pod.<zone>",
       kWeb,
       nullptr,
       {},
       {"10-244-1-7.shop.pod.cluster.local."}},
      {"CoreDNS pods verified: a workload's address in its own namespace only",
       kWeb + vmi("vm-1", "shop", "app: vm", "fd00::") +
           "apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n---\n" +
           pod("done", "shop", "app: x", "{ip: 10.244.1.99}", "{}", false, "Succeeded"),
       [](ZoneConfig& c) { c.pods = PodMode::Verified; },
       {rr("10-244-1-7.shop.pod.cluster.local. 5 IN A 10.244.1.7"),
        rr("fd00--0.shop.pod.cluster.local. 5 IN AAAA fd00::")},
       {"10-244-1-7.other.pod.cluster.local.", "10-244-1-99.shop.pod.cluster.local."}},
      {"pods insecure: any address, made at query time; the zone text names the namespaces",
       kWeb + "apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n---\n",
       [](ZoneConfig& c) { c.pods = PodMode::Insecure; },
       {"; <dashed-ip>.other.pod.cluster.local.\t5\tIN\tA/AAAA\tthe address written in the "
        "name (--pods insecure, made at query time)\n",
        "; <dashed-ip>.shop.pod.cluster.local.\t5\tIN\tA/AAAA\tthe address written in the "
        "name (--pods insecure, made at query time)\n"},
       {"10-244-1-7.shop.pod.cluster.local.", "10-244-1-7.other.pod.cluster.local."}},
      {"negative TTL: the SOA minimum and the SOA's own TTL; answers keep --ttl",
       kWeb,
       [](ZoneConfig& c) { c.negative_ttl = 30; },
       {rr("cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 "
           "86400 30"),
        rr("web.shop.svc.cluster.local. 5 IN A 10.96.0.20")},
       {}},
      {"ExternalName: only the CNAME; nothing below it, no SRV",
       service("ext", "shop",
               "{type: ExternalName, externalName: db.example.com, ports: [{name: "
               "pg, port: 5432}]}"),
       nullptr,
       {rr("ext.shop.svc.cluster.local. 5 IN CNAME db.example.com.")},
       {"_pg._tcp.ext.shop.svc.cluster.local.",
        rr("ext.shop.svc.cluster.local. 5 IN SRV 0 100 5432 db.example.com.")}},
      // Reverse zones (spec 2.5 PTR records; CoreDNS answers them for the server block's
      // reverse zones).
      {"spec 2.5: PTR for a cluster IP and a ready endpoint; SOA and NS at the reverse apex",
       kWeb,
       reverse({"10.in-addr.arpa"}),
       {rr("20.0.96.10.in-addr.arpa. 5 IN PTR web.shop.svc.cluster.local."),
        rr("7.1.244.10.in-addr.arpa. 5 IN PTR 10-244-1-7.web.shop.svc.cluster.local."),
        rr("10.in-addr.arpa. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 "
           "86400 5"),
        rr("10.in-addr.arpa. 5 IN NS ns.dns.cluster.local.")},
       {}},
      {"spec 2.5: IPv6 PTR, 32 nibbles under ip6.arpa; an address outside every reverse zone has "
       "none",
       service("web", "shop",
               "{clusterIP: 10.96.0.20, clusterIPs: [10.96.0.20, \"fd00::20\"], selector: {app: "
               "web}}"),
       reverse({"d.f.ip6.arpa"}),
       {rr("0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa. 5 IN PTR "
           "web.shop.svc.cluster.local.")},
       {"20.0.96.10.in-addr.arpa."}},
      {"CoreDNS: an address that is a cluster IP and an endpoint gets only the Service PTR",
       kWeb + service("direct", "shop", "{clusterIP: None}") +
           "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: direct-1, "
           "namespace: shop, labels: {kubernetes.io/service-name: direct}}\naddressType: IPv4\n"
           "endpoints:\n- addresses: [10.96.0.20]\n  hostname: odd\n---\n",
       reverse({"10.in-addr.arpa"}),
       {rr("20.0.96.10.in-addr.arpa. 5 IN PTR web.shop.svc.cluster.local."),
        rr("odd.direct.shop.svc.cluster.local. 5 IN A 10.96.0.20")},
       {rr("20.0.96.10.in-addr.arpa. 5 IN PTR odd.direct.shop.svc.cluster.local.")}},
      {"one PTR per Service that has the endpoint address",
       kWeb + service("web2", "shop", "{clusterIP: 10.96.0.21, selector: {app: web}}"),
       reverse({"10.in-addr.arpa"}),
       {rr("7.1.244.10.in-addr.arpa. 5 IN PTR 10-244-1-7.web.shop.svc.cluster.local."),
        rr("7.1.244.10.in-addr.arpa. 5 IN PTR 10-244-1-7.web2.shop.svc.cluster.local.")},
       {}},
      {"overlapping reverse zones: a PTR goes to the most specific one",
       kWeb,
       reverse({"10.in-addr.arpa", "96.10.in-addr.arpa"}),
       {"; zone 96.10.in-addr.arpa.\n" +
        rr("96.10.in-addr.arpa. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 "
           "1800 86400 5") +
        rr("96.10.in-addr.arpa. 5 IN NS ns.dns.cluster.local.") +
        rr("20.0.96.10.in-addr.arpa. 5 IN PTR web.shop.svc.cluster.local.") + "; zone "},
       {}},
      {"PTR targets are in the first cluster zone",
       kWeb,
       [](ZoneConfig& c) {
         c.zones.push_back(*dns::Name::from_text("k8s.example.org"));
         c.reverse_zones.push_back(*dns::Name::from_text("10.in-addr.arpa"));
       },
       {rr("20.0.96.10.in-addr.arpa. 5 IN PTR web.shop.svc.cluster.local."),
        rr("web.shop.svc.k8s.example.org. 5 IN A 10.96.0.20")},
       {rr("20.0.96.10.in-addr.arpa. 5 IN PTR web.shop.svc.k8s.example.org.")}},
      {"spec 2.5 / CoreDNS: no PTR for the Service that ignore empty_service removed",
       service("idle", "shop", "{clusterIP: 10.96.0.30, selector: {app: idle}}"),
       [](ZoneConfig& c) {
         c.ignore_empty_service = true;
         c.reverse_zones.push_back(*dns::Name::from_text("10.in-addr.arpa"));
       },
       {},
       {"30.0.96.10.in-addr.arpa."}},
  };
}

TEST(SpecRulesTest, Table) {
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

}  // namespace
}  // namespace vmdns::rules
