// Service decoding, one row per rule.

#include "decode_case.h"

namespace vmdns::sources {
namespace {

using Strings = std::vector<std::string>;

const cluster::Service& only_service(const LoadResult& r) {
  EXPECT_EQ(r.state.services.size(), 1u);
  static const cluster::Service kEmpty;
  return r.state.services.empty() ? kEmpty : r.state.services.begin()->second;
}

const DecodeCase kCases[] = {
    {"a ClusterIP Service",
     R"(apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  clusterIP: 10.96.0.10
  ports:
  - {name: http, port: 80}
  - {name: dns, protocol: UDP, port: 53}
)",
     {},
     [](const LoadResult& r) {
       const cluster::Service& s = only_service(r);
       EXPECT_EQ(s.type, cluster::ServiceType::ClusterIP);
       EXPECT_EQ(s.selector, (cluster::Labels{{"app", "web"}}));
       EXPECT_FALSE(s.headless);
       EXPECT_EQ(address_texts(s.cluster_ips), (Strings{"10.96.0.10"}));
       ASSERT_EQ(s.ports.size(), 2u);
       EXPECT_EQ(s.ports[0].name, "http");
       EXPECT_EQ(s.ports[0].protocol, "TCP");  // the default
       EXPECT_EQ(s.ports[0].port, 80);
       EXPECT_EQ(s.ports[1].protocol, "UDP");
       EXPECT_EQ(s.ports[1].port, 53);
       EXPECT_FALSE(s.publish_not_ready_addresses);
     }},
    {"clusterIP None is headless",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: None, selector: {app: web}, publishNotReadyAddresses: true}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_TRUE(only_service(r).headless);
       EXPECT_TRUE(only_service(r).cluster_ips.empty());
       EXPECT_TRUE(only_service(r).publish_not_ready_addresses);
     }},
    {"clusterIPs win over clusterIP",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: 10.96.0.10, clusterIPs: [10.96.0.10, "fd00:96::10"]}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(address_texts(only_service(r).cluster_ips),
                 (Strings{"10.96.0.10", "fd00:96::10"}));
     }},
    {"clusterIPs [None] is headless",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIPs: [None]}
)",
     {},
     [](const LoadResult& r) { EXPECT_TRUE(only_service(r).headless); }},
    {"an empty clusterIP gives no address",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: ""}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_TRUE(only_service(r).cluster_ips.empty());
       EXPECT_FALSE(only_service(r).headless);
     }},
    {"an unparsable clusterIP is a warning",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: 10.96.0}
)",
     {"t.yaml: document 1 (line 1): warning: Service default/web: spec.clusterIP \"10.96.0\" is "
      "not an IP address"},
     nullptr},
    {"a missing selector is nullopt",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_FALSE(only_service(r).selector.has_value());
       EXPECT_EQ(only_service(r).ports.at(0).name, "");
     }},
    {"an empty selector is present and empty",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {}}
)",
     {},
     [](const LoadResult& r) {
       ASSERT_TRUE(only_service(r).selector.has_value());
       EXPECT_TRUE(only_service(r).selector->empty());
     }},
    {"type NodePort and LoadBalancer",
     R"(apiVersion: v1
kind: Service
metadata: {name: a}
spec: {type: NodePort}
---
apiVersion: v1
kind: Service
metadata: {name: b}
spec: {type: LoadBalancer}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(r.state.services.at({"default", "a"}).type, cluster::ServiceType::NodePort);
       EXPECT_EQ(r.state.services.at({"default", "b"}).type, cluster::ServiceType::LoadBalancer);
     }},
    {"type ExternalName with externalName",
     R"(apiVersion: v1
kind: Service
metadata: {name: db}
spec: {type: ExternalName, externalName: db.example.com.}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(only_service(r).type, cluster::ServiceType::ExternalName);
       EXPECT_EQ(only_service(r).external_name, "db.example.com.");
     }},
    {"type ExternalName requires externalName",
     R"(apiVersion: v1
kind: Service
metadata: {name: db}
spec: {type: ExternalName}
)",
     {"t.yaml: document 1 (line 1): Service default/db: spec.externalName is required for type "
      "ExternalName"},
     nullptr},
    {"an unknown type",
     R"(apiVersion: v1
kind: Service
metadata: {name: db}
spec: {type: Magic}
)",
     {"t.yaml: document 1 (line 1): Service default/db: spec.type \"Magic\" is not one of "
      "ClusterIP, NodePort, LoadBalancer, ExternalName"},
     nullptr},
    {"a Service name must be a label",
     R"(apiVersion: v1
kind: Service
metadata: {name: my.svc}
)",
     {"t.yaml: document 1 (line 1): Service default/my.svc: metadata.name \"my.svc\" is not a "
      "DNS-1123 label"},
     [](const LoadResult& r) { EXPECT_TRUE(r.state.services.empty()); }},
    {"port must be an integer",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports:
  - port: http
)",
     {"t.yaml: document 1 (line 1): Service default/web: spec.ports[0].port \"http\" is not an "
      "integer"},
     [](const LoadResult& r) { EXPECT_TRUE(r.state.services.empty()); }},
    {"port must be a scalar",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}, {port: {number: 80}}]}
)",
     {"t.yaml: document 1 (line 1): Service default/web: spec.ports[1].port must be an integer, "
      "not a map"},
     nullptr},
    {"port is required",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{name: http}]}
)",
     {"t.yaml: document 1 (line 1): Service default/web: spec.ports[0].port is required"},
     nullptr},
    {"port must be in range",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 70000}, {port: 99999999999999999999}]}
)",
     {"t.yaml: document 1 (line 1): Service default/web: spec.ports[0].port 70000 is not in "
      "1..65535",
      "t.yaml: document 1 (line 1): Service default/web: spec.ports[1].port "
      "\"99999999999999999999\" is not an integer"},
     nullptr},
    {"targetPort: a number, a port name, or unset (the port)",
     R"(apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  ports:
  - {name: redis, port: 6379, targetPort: 6380}
  - {name: metrics, port: 9121, targetPort: prom}
  - {name: admin, port: 8080}
  - {name: zero, port: 81, targetPort: 0}
)",
     {},
     [](const LoadResult& r) {
       const cluster::Service& s = only_service(r);
       ASSERT_EQ(s.ports.size(), 4u);
       EXPECT_EQ(s.ports[0].target_port, 6380);
       EXPECT_EQ(s.ports[0].target_port_name, "");
       EXPECT_EQ(s.ports[1].target_port, 0);
       EXPECT_EQ(s.ports[1].target_port_name, "prom");
       EXPECT_EQ(s.ports[2].target_port, 0);  // unset: the Service port
       EXPECT_EQ(s.ports[2].target_port_name, "");
       EXPECT_EQ(s.ports[3].target_port, 0);  // 0 is what the API server defaults to the port
     }},
    {"targetPort must be in range or a port name; a quoted number is a (bad) name",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports:
  - {name: a, port: 80, targetPort: 70000}
  - {name: b, port: 81, targetPort: -1}
  - {name: c, port: 82, targetPort: Http_Alt}
  - {name: d, port: 83, targetPort: "8080"}
  - {name: e, port: 84, targetPort: a-very-long-port-name}
)",
     {"t.yaml: document 1 (line 1): Service default/web: spec.ports[0].targetPort 70000 is not "
      "in 1..65535",
      "t.yaml: document 1 (line 1): Service default/web: spec.ports[1].targetPort -1 is not in "
      "1..65535",
      "t.yaml: document 1 (line 1): Service default/web: spec.ports[2].targetPort \"Http_Alt\" is "
      "neither a port number nor a port name (at most 15 characters of a-z, 0-9 and '-', with a "
      "letter, no '-' at either end or twice in a row)",
      "t.yaml: document 1 (line 1): Service default/web: spec.ports[3].targetPort \"8080\" is "
      "neither a port number nor a port name (at most 15 characters of a-z, 0-9 and '-', with a "
      "letter, no '-' at either end or twice in a row)",
      "t.yaml: document 1 (line 1): Service default/web: spec.ports[4].targetPort "
      "\"a-very-long-port-name\" is neither a port number nor a port name (at most 15 "
      "characters of a-z, 0-9 and '-', with a letter, no '-' at either end or twice in a row)"},
     [](const LoadResult& r) { EXPECT_TRUE(r.state.services.empty()); }},
    {"targetPort must be a scalar",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80, targetPort: [8080]}]}
)",
     {"t.yaml: document 1 (line 1): Service default/web: spec.ports[0].targetPort must be an "
      "integer or a string, not a list"},
     nullptr},
    {"protocol must be TCP, UDP or SCTP",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80, protocol: HTTP}]}
)",
     {"t.yaml: document 1 (line 1): Service default/web: spec.ports[0].protocol \"HTTP\" is not "
      "one of TCP, UDP, SCTP"},
     nullptr},
    {"ports must be a list",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: "80"}
)",
     {"t.yaml: document 1 (line 1): Service default/web: spec.ports must be a list, not a string"},
     nullptr},
    {"publishNotReadyAddresses must be a boolean",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {publishNotReadyAddresses: sometimes}
)",
     {"t.yaml: document 1 (line 1): Service default/web: spec.publishNotReadyAddresses "
      "\"sometimes\" is not a boolean"},
     nullptr},
    {"selector must be a map",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: [app]}
)",
     {"t.yaml: document 1 (line 1): Service default/web: spec.selector must be a map, not a list"},
     nullptr},
    {"a Service of another API group is another kind",
     R"(apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: web}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_TRUE(r.state.services.empty());
       EXPECT_EQ(r.skipped, 1u);
     }},
};

class ServiceDecodingTest : public testing::TestWithParam<DecodeCase> {};

TEST_P(ServiceDecodingTest, Decodes) {
  run_decode_case(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Table, ServiceDecodingTest, testing::ValuesIn(kCases));

}  // namespace
}  // namespace vmdns::sources
