// The apex NS and ns.dns.<zone>, one row per case of CoreDNS's kubernetes plugin (nsAddrs): the
// Service whose ready endpoints hold the advertised address names the zone's nameserver.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cluster/ip_address.h"
#include "unit/rules/zone_fixture.h"

namespace vmdns::rules {
namespace {

// kube-dns as kubeadm creates it, its endpoints given by one EndpointSlice.
std::string kube_dns(const std::string& cluster_ips, const std::string& endpoints,
                     const std::string& name = "kube-dns") {
  std::string first = cluster_ips.substr(0, cluster_ips.find(','));
  return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name +
         ", namespace: kube-system}\nspec:\n  clusterIP: " + first + "\n  clusterIPs: [" +
         cluster_ips + "]\n  ports: [{name: dns, port: 53, protocol: UDP}]\n---\n"
         "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: " + name +
         "-1\n  namespace: kube-system\n  labels: {kubernetes.io/service-name: " + name +
         "}\naddressType: IPv4\nendpoints:\n" + endpoints + "---\n";
}

std::string headless_dns(const std::string& endpoints) {
  return "apiVersion: v1\nkind: Service\nmetadata: {name: dns, namespace: kube-system}\n"
         "spec: {clusterIP: None}\n---\n"
         "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: dns-1\n"
         "  namespace: kube-system\n  labels: {kubernetes.io/service-name: dns}\n"
         "addressType: IPv4\nendpoints:\n" + endpoints + "---\n";
}

struct Case {
  const char* rule;
  std::string manifests;
  std::vector<std::string> advertised;
  std::string expected;  // the NS and ns.dns lines of the cluster zone, in the Services' order
};

std::vector<Case> cases() {
  const std::string ready_pod = "- addresses: [10.244.0.5]\n- addresses: [10.244.1.7]\n";
  return {
      {"no Service holds the address: ns.dns.<zone> with the advertised address", "",
       {"10.96.0.10"},
       "cluster.local.\t5\tIN\tNS\tns.dns.cluster.local.\n"
       "ns.dns.cluster.local.\t5\tIN\tA\t10.96.0.10\n"},
      {"behind kube-dns: NS names the Service, ns.dns answers its cluster IP",
       kube_dns("10.96.0.10", ready_pod), {"10.244.0.5"},
       "cluster.local.\t5\tIN\tNS\tkube-dns.kube-system.svc.cluster.local.\n"
       "ns.dns.cluster.local.\t5\tIN\tA\t10.96.0.10\n"},
      {"dual-stack kube-dns: both cluster IPs", kube_dns("10.96.0.10, fd00:10:96::a", ready_pod),
       {"10.244.1.7"},
       "cluster.local.\t5\tIN\tNS\tkube-dns.kube-system.svc.cluster.local.\n"
       "ns.dns.cluster.local.\t5\tIN\tA\t10.96.0.10\n"
       "ns.dns.cluster.local.\t5\tIN\tAAAA\tfd00:10:96::a\n"},
      {"a not-ready endpoint does not count (CoreDNS reads ready addresses only)",
       kube_dns("10.96.0.10", "- addresses: [10.244.0.5]\n  conditions: {ready: false}\n"),
       {"10.244.0.5"},
       "cluster.local.\t5\tIN\tNS\tns.dns.cluster.local.\n"
       "ns.dns.cluster.local.\t5\tIN\tA\t10.244.0.5\n"},
      {"headless: NS names the endpoint, by hostname or dashed address",
       headless_dns("- addresses: [10.244.0.5]\n  hostname: dns-0\n- addresses: [10.244.0.6]\n"),
       {"10.244.0.5", "10.244.0.6"},
       "cluster.local.\t5\tIN\tNS\tdns-0.dns.kube-system.svc.cluster.local.\n"
       "cluster.local.\t5\tIN\tNS\t10-244-0-6.dns.kube-system.svc.cluster.local.\n"
       "ns.dns.cluster.local.\t5\tIN\tA\t10.244.0.5\n"
       "ns.dns.cluster.local.\t5\tIN\tA\t10.244.0.6\n"},
      {"two Services hold the address: one NS each",
       kube_dns("10.96.0.10", ready_pod) + kube_dns("10.96.0.11", ready_pod, "dns-metrics"),
       {"10.244.0.5"},
       "cluster.local.\t5\tIN\tNS\tdns-metrics.kube-system.svc.cluster.local.\n"
       "cluster.local.\t5\tIN\tNS\tkube-dns.kube-system.svc.cluster.local.\n"
       "ns.dns.cluster.local.\t5\tIN\tA\t10.96.0.11\n"  // the Services in key order
       "ns.dns.cluster.local.\t5\tIN\tA\t10.96.0.10\n"},
  };
}

// The zone's NS lines and ns.dns lines, in zone order.
std::string nameserver_lines(const std::string& zones) {
  std::istringstream in(zones);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("cluster.local.\t", 0) == 0 && line.find("\tNS\t") != std::string::npos) {
      out += line + "\n";
    } else if (line.rfind("ns.dns.cluster.local.\t", 0) == 0) {
      out += line + "\n";
    }
  }
  return out;
}

TEST(NameserverRulesTest, Table) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.rule);
    std::string zones = zones_text(c.manifests, [&c](ZoneConfig& config) {
      config.nameserver_addresses.clear();
      for (const std::string& text : c.advertised) {
        config.nameserver_addresses.push_back(*cluster::IpAddress::parse(text));
      }
    });
    EXPECT_EQ(nameserver_lines(zones), c.expected) << zones;
  }
}

}  // namespace
}  // namespace vmdns::rules
