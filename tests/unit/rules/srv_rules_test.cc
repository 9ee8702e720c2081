// SRV ports and weights, one row per rule: manifests in, the exact SRV set of each listed owner
// out. The port of a headless Service's or an endpoint's SRV is the endpoint's (its
// EndpointSlice's, the targetPort), as CoreDNS answers it; a ClusterIP Service keeps its own.
// Weights are CoreDNS's plugin.SRV: floor(100 / N) over the N candidates of the set.

#include "rules/srv_rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "unit/rules/zone_fixture.h"

namespace vmdns::rules {
namespace {

using Rdatas = std::vector<std::string>;

std::string service(const std::string& name, const std::string& spec) {
  return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name +
         ", namespace: shop}\nspec: " + spec + "\n---\n";
}

std::string pod(const std::string& name, const std::string& ip, const std::string& spec = "{}") {
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name +
         ", namespace: shop, labels: {app: db}}\nspec: " + spec +
         "\nstatus: {phase: Running, podIPs: [{ip: \"" + ip +
         "\"}], conditions: [{type: Ready, status: \"True\"}]}\n---\n";
}

// An EndpointSlice of Service `service`: `endpoints` and `ports` in flow style.
std::string slice(const std::string& name, const std::string& service,
                  const std::string& address_type, const std::string& endpoints,
                  const std::string& ports) {
  return "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: " + name +
         ", namespace: shop, labels: {kubernetes.io/service-name: " + service +
         "}}\naddressType: " + address_type + "\nendpoints: " + endpoints + "\nports: " + ports +
         "\n---\n";
}

struct Case {
  const char* rule;
  std::string manifests;
  // owner (relative to shop.svc.cluster.local.) -> its SRV rdatas; empty: no SRV there
  std::map<std::string, Rdatas> sets;
  Configure configure = nullptr;
};

const std::string kSuffix = ".shop.svc.cluster.local.";

std::vector<Case> cases() {
  return {
      {"headless: the endpoint's port (targetPort 6380), not the Service port 6379",
       service("db",
               "{clusterIP: None, selector: {app: db}, ports: [{name: redis, port: 6379, "
               "targetPort: 6380}]}") +
           pod("db-0", "10.244.1.7") + pod("db-1", "10.244.1.8"),
       {{"_redis._tcp.db", {"0 50 6380 10-244-1-7.db", "0 50 6380 10-244-1-8.db"}},
        {"db", {"0 50 6380 10-244-1-7.db", "0 50 6380 10-244-1-8.db"}},
        {"10-244-1-7.db", {"0 100 6380 10-244-1-7.db"}}}},
      {"ClusterIP: the Service port at its name; its endpoint names answer the targetPort",
       service("cache",
               "{clusterIP: 10.96.0.30, selector: {app: db}, ports: [{name: redis, "
               "port: 6379, targetPort: 6380}]}") +
           pod("db-0", "10.244.1.7"),
       {{"_redis._tcp.cache", {"0 100 6379 cache"}},
        {"cache", {"0 100 6379 cache"}},
        {"10-244-1-7.cache", {"0 100 6380 10-244-1-7.cache"}}}},
      {"targetPort unset: the port; a named targetPort (a container port) is left out",
       service("db",
               "{clusterIP: None, selector: {app: db}, ports: [{name: redis, port: 6379, "
               "targetPort: redis}, {name: metrics, port: 9121}]}") +
           pod("db-0", "10.244.1.7"),
       {{"_redis._tcp.db", {}},
        {"_metrics._tcp.db", {"0 100 9121 10-244-1-7.db"}},
        {"db", {"0 100 9121 10-244-1-7.db"}}}},
      {"no selector, no spec.ports: hand-made slices give the ports",
       service("ext-db", "{clusterIP: None}") +
           slice("ext-db-1", "ext-db", "IPv4",
                 "[{addresses: [192.0.2.10], hostname: primary}, {addresses: [192.0.2.11]}]",
                 "[{name: pg, port: 5432}]"),
       {{"_pg._tcp.ext-db", {"0 50 5432 primary.ext-db", "0 50 5432 192-0-2-11.ext-db"}},
        {"ext-db", {"0 50 5432 primary.ext-db", "0 50 5432 192-0-2-11.ext-db"}},
        {"primary.ext-db", {"0 100 5432 primary.ext-db"}}}},
      {"each slice's ports are its own endpoints'",
       service("web", "{clusterIP: None}") +
           slice("web-a", "web", "IPv4", "[{addresses: [10.0.0.1], hostname: a}]",
                 "[{name: http, port: 8080}]") +
           slice("web-b", "web", "IPv4", "[{addresses: [10.0.0.2], hostname: b}]",
                 "[{name: http, port: 9090}]"),
       {{"_http._tcp.web", {"0 50 8080 a.web", "0 50 9090 b.web"}},
        {"a.web", {"0 100 8080 a.web"}},
        {"b.web", {"0 100 9090 b.web"}}}},
      {"a slice without ports: one candidate and no record (CoreDNS's port -1)",
       service("web", "{clusterIP: None}") +
           slice("web-a", "web", "IPv4", "[{addresses: [10.0.0.1], hostname: a}]",
                 "[{name: http, port: 80}]") +
           slice("web-b", "web", "IPv4", "[{addresses: [10.0.0.2], hostname: b}]", "[]"),
       {{"web", {"0 50 80 a.web"}}, {"_http._tcp.web", {"0 100 80 a.web"}}, {"b.web", {}}}},
      {"an unnamed port: at the Service and endpoint names, no _port._proto name",
       service("web", "{clusterIP: None}") + slice("web-a", "web", "IPv4",
                                                   "[{addresses: [10.0.0.1], hostname: a}]",
                                                   "[{port: 5432}]"),
       {{"web", {"0 100 5432 a.web"}}, {"a.web", {"0 100 5432 a.web"}}, {"_._tcp.web", {}}}},
      {"ClusterIP: an unnamed port at the Service name (CoreDNS)",
       service("web", "{clusterIP: 10.96.0.20, ports: [{port: 80}]}"),
       {{"web", {"0 100 80 web"}}}},
      {"ClusterIP without ports, headless without ports or slices: no SRV",
       service("web", "{clusterIP: 10.96.0.20}") +
           service("db", "{clusterIP: None, selector: {app: db}}") + pod("db-0", "10.244.1.7"),
       {{"web", {}}, {"db", {}}, {"10-244-1-7.db", {}}}},
      {"one hostname in an IPv4 and an IPv6 slice: one name, two candidates, one record",
       service("db", "{clusterIP: None}") +
           slice("db-v4", "db", "IPv4", "[{addresses: [10.0.0.1], hostname: db-0}]",
                 "[{name: pg, port: 5432}]") +
           slice("db-v6", "db", "IPv6", "[{addresses: [\"fd00::1\"], hostname: db-0}]",
                 "[{name: pg, port: 5432}]"),
       {{"db-0.db", {"0 50 5432 db-0.db"}},
        {"_pg._tcp.db", {"0 50 5432 db-0.db"}},
        {"db", {"0 50 5432 db-0.db"}}}},
      {"two ports: 50 each at the endpoint and Service names, 100 at each port's name",
       service("web", "{clusterIP: None}") +
           slice("web-a", "web", "IPv4", "[{addresses: [10.0.0.1], hostname: a}]",
                 "[{name: http, port: 80}, {name: metrics, port: 9090}]"),
       {{"a.web", {"0 50 80 a.web", "0 50 9090 a.web"}},
        {"web", {"0 50 80 a.web", "0 50 9090 a.web"}},
        {"_http._tcp.web", {"0 100 80 a.web"}},
        {"_metrics._tcp.web", {"0 100 9090 a.web"}}}},
      {"a slice port without a number counts and has no record; names match in any case",
       service("web", "{clusterIP: None}") +
           slice("web-a", "web", "IPv4", "[{addresses: [10.0.0.1], hostname: a}]",
                 "[{name: Web, port: 80, protocol: UDP}, {name: all}]"),
       {{"web", {"0 50 80 a.web"}}, {"_web._udp.web", {"0 100 80 a.web"}}, {"_all._tcp.web", {}}}},
      {"not-ready endpoints are no candidates, unless publishNotReadyAddresses",
       service("web", "{clusterIP: None}") +
           service("any",
                   "{clusterIP: None, "
                   "publishNotReadyAddresses: true}") +
           slice("web-a", "web", "IPv4",
                 "[{addresses: [10.0.0.1], hostname: a}, {addresses: [10.0.0.2], hostname: b, "
                 "conditions: {ready: false}}]",
                 "[{name: http, port: 80}]") +
           slice("any-a", "any", "IPv4",
                 "[{addresses: [10.0.0.1], hostname: a}, {addresses: [10.0.0.2], hostname: b, "
                 "conditions: {ready: false}}]",
                 "[{name: http, port: 80}]"),
       {{"_http._tcp.web", {"0 100 80 a.web"}},
        {"b.web", {}},
        {"_http._tcp.any", {"0 50 80 a.any", "0 50 80 b.any"}}}},
      {"a Service port's targetPort does not touch the slices' ports",
       service("db",
               "{clusterIP: None, selector: {app: db}, ports: [{name: pg, port: 5432, "
               "targetPort: 6432}]}") +
           pod("db-0", "10.244.1.7") +
           slice("db-1", "db", "IPv4", "[{addresses: [10.244.1.7]}]", "[{name: pg, port: 7000}]"),
       {{"_pg._tcp.db", {"0 100 7000 10-244-1-7.db"}}}},
      {"endpoint_pod_names: the endpoint's SRV name and target are its Pod name",
       service("db",
               "{clusterIP: None, selector: {app: db}, ports: [{name: pg, port: 5432, "
               "targetPort: 6432}]}") +
           pod("db-0", "10.244.1.7"),
       {{"db-0.db", {"0 100 6432 db-0.db"}}, {"db", {"0 100 6432 db-0.db"}}},
       [](ZoneConfig& c) { c.endpoint_pod_names = true; }},
  };
}

// owner (relative) -> the sorted rdatas of its SRV lines, targets made relative.
std::map<std::string, Rdatas> srv_sets(const std::string& text) {
  std::map<std::string, Rdatas> out;
  std::istringstream lines(text);
  std::string line;
  auto relative = [](std::string name) {
    if (name.size() > kSuffix.size() &&
        name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
      name.resize(name.size() - kSuffix.size());
    }
    return name;
  };
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
      fields.push_back(word);
    }
    if (fields.size() != 8 || fields[3] != "SRV") {
      continue;
    }
    out[relative(fields[0])].push_back(fields[4] + " " + fields[5] + " " + fields[6] + " " +
                                       relative(fields[7]));
  }
  for (auto& [owner, rdatas] : out) {
    std::sort(rdatas.begin(), rdatas.end());
  }
  return out;
}

TEST(SrvRulesTest, Table) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.rule);
    std::string text = zones_text(c.manifests, c.configure);
    std::map<std::string, Rdatas> have = srv_sets(text);
    for (const auto& [owner, want] : c.sets) {
      Rdatas sorted = want;
      std::sort(sorted.begin(), sorted.end());
      Rdatas got = have.count(owner) ? have.at(owner) : Rdatas{};
      EXPECT_EQ(got, sorted) << "at " << owner << kSuffix << " in:\n" << text;
    }
  }
}

TEST(SrvRulesTest, Weight) {
  EXPECT_EQ(srv_weight(0), 100);
  EXPECT_EQ(srv_weight(1), 100);
  EXPECT_EQ(srv_weight(3), 33);
  EXPECT_EQ(srv_weight(14), 7);
  EXPECT_EQ(srv_weight(101), 1);  // at least 1
}

}  // namespace
}  // namespace vmdns::rules
