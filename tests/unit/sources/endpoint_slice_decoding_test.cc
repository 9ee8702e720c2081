// EndpointSlice decoding, one row per rule.

#include "decode_case.h"

namespace vmdns::sources {
namespace {

using Strings = std::vector<std::string>;

const cluster::EndpointSlice& only_slice(const LoadResult& r) {
  EXPECT_EQ(r.state.endpoint_slices.size(), 1u);
  static const cluster::EndpointSlice kEmpty;
  return r.state.endpoint_slices.empty() ? kEmpty : r.state.endpoint_slices.begin()->second;
}

const DecodeCase kCases[] = {
    {"every field vmdns reads",
     R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abc12
  namespace: shop
  labels: {kubernetes.io/service-name: web}
addressType: IPv4
endpoints:
- addresses: [10.1.0.5]
  conditions: {ready: true}
  hostname: web-0
  targetRef: {kind: Pod, name: web-0, namespace: shop}
  nodeName: node-a
- addresses: [10.1.0.6, 10.1.0.7]
  conditions: {ready: false}
- addresses: [10.1.0.8]
ports:
- {name: http, protocol: TCP, port: 80}
- {name: all}
)",
     {},
     [](const LoadResult& r) {
       const cluster::EndpointSlice& s = only_slice(r);
       EXPECT_EQ(s.meta.namespace_name, "shop");
       EXPECT_EQ(s.service_name, "web");
       EXPECT_EQ(s.address_type, "IPv4");
       ASSERT_EQ(s.endpoints.size(), 3u);
       EXPECT_EQ(address_texts(s.endpoints[0].addresses), (Strings{"10.1.0.5"}));
       EXPECT_EQ(s.endpoints[0].ready, std::optional<bool>(true));
       EXPECT_EQ(s.endpoints[0].hostname, "web-0");
       EXPECT_EQ(s.endpoints[0].target_kind, "Pod");
       EXPECT_EQ(s.endpoints[0].target_name, "web-0");
       EXPECT_EQ(s.endpoints[0].node_name, "node-a");
       EXPECT_EQ(s.endpoints[1].node_name, "");
       EXPECT_EQ(address_texts(s.endpoints[1].addresses), (Strings{"10.1.0.6", "10.1.0.7"}));
       EXPECT_EQ(s.endpoints[1].ready, std::optional<bool>(false));
       EXPECT_EQ(s.endpoints[2].ready, std::nullopt);  // absent means ready
       ASSERT_EQ(s.ports.size(), 2u);
       EXPECT_EQ(s.ports[0].name, "http");
       EXPECT_EQ(s.ports[0].port, 80);
       EXPECT_EQ(s.ports[1].port, 0);  // absent: all ports
       EXPECT_EQ(s.ports[1].protocol, "TCP");
     }},
    {"a slice without the service-name label is a warning",
     R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s}
addressType: IPv4
)",
     {"t.yaml: document 1 (line 1): warning: EndpointSlice default/s: metadata.labels has no "
      "kubernetes.io/service-name: the slice belongs to no Service"},
     [](const LoadResult& r) { EXPECT_EQ(only_slice(r).service_name, ""); }},
    {"addressType is required",
     R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, labels: {kubernetes.io/service-name: web}}
)",
     {"t.yaml: document 1 (line 1): EndpointSlice default/s: addressType is required"},
     [](const LoadResult& r) { EXPECT_TRUE(r.state.endpoint_slices.empty()); }},
    {"an IPv6 slice",
     R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, labels: {kubernetes.io/service-name: web}}
addressType: IPv6
endpoints: [{addresses: ["fd00::5", 10.0.0.1]}]
)",
     {"t.yaml: document 1 (line 1): warning: EndpointSlice default/s: endpoints[0].addresses[1] "
      "\"10.0.0.1\" does not match addressType"},
     [](const LoadResult& r) {
       EXPECT_EQ(address_texts(only_slice(r).endpoints.at(0).addresses), (Strings{"fd00::5"}));
     }},
    {"an FQDN slice carries no addresses",
     R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, labels: {kubernetes.io/service-name: web}}
addressType: FQDN
endpoints: [{addresses: [db.example.com]}]
)",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(only_slice(r).address_type, "FQDN");
       EXPECT_TRUE(only_slice(r).endpoints.at(0).addresses.empty());
     }},
    {"the last-change-trigger-time annotation",
     R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: s
  labels: {kubernetes.io/service-name: web}
  annotations: {endpoints.kubernetes.io/last-change-trigger-time: "1970-01-01T00:00:02Z"}
addressType: IPv4
)",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(only_slice(r).last_change_trigger_ns, 2'000'000'000);
     }},
    {"a trigger time that is not a time is a warning",
     R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: s
  labels: {kubernetes.io/service-name: web}
  annotations: {endpoints.kubernetes.io/last-change-trigger-time: yesterday}
addressType: IPv4
)",
     {"t.yaml: document 1 (line 1): warning: EndpointSlice default/s: "
      "metadata.annotations.endpoints.kubernetes.io/last-change-trigger-time \"yesterday\" is "
      "not an RFC 3339 time"},
     [](const LoadResult& r) { EXPECT_EQ(only_slice(r).last_change_trigger_ns, 0); }},
    {"an unknown addressType",
     R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, labels: {kubernetes.io/service-name: web}}
addressType: IPv5
)",
     {"t.yaml: document 1 (line 1): EndpointSlice default/s: addressType \"IPv5\" is not one of "
      "IPv4, IPv6, FQDN"},
     nullptr},
    {"an unparsable endpoint address is a warning",
     R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.1, nope]}]
)",
     {"t.yaml: document 1 (line 1): warning: EndpointSlice default/s: endpoints[0].addresses[1] "
      "\"nope\" is not an IP address"},
     nullptr},
    {"conditions.ready must be a boolean",
     R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.1], conditions: {ready: [true]}}]
)",
     {"t.yaml: document 1 (line 1): EndpointSlice default/s: endpoints[0].conditions.ready must "
      "be a boolean, not a list"},
     nullptr},
    {"endpoint hostname must be a label",
     R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.1], hostname: Web_0}]
)",
     {"t.yaml: document 1 (line 1): EndpointSlice default/s: endpoints[0].hostname \"Web_0\" is "
      "not a DNS-1123 label"},
     nullptr},
    {"discovery.k8s.io/v1beta1 is a warning and still read",
     R"(apiVersion: discovery.k8s.io/v1beta1
kind: EndpointSlice
metadata: {name: s, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
)",
     {"t.yaml: document 1 (line 1): warning: EndpointSlice default/s: apiVersion "
      "\"discovery.k8s.io/v1beta1\" is not discovery.k8s.io/v1; read anyway"},
     [](const LoadResult& r) { EXPECT_EQ(r.state.endpoint_slices.size(), 1u); }},
    {"endpoints must be a list",
     R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: 10.0.0.1
)",
     {"t.yaml: document 1 (line 1): EndpointSlice default/s: endpoints must be a list, not a "
      "string"},
     nullptr},
};

class EndpointSliceDecodingTest : public testing::TestWithParam<DecodeCase> {};

TEST_P(EndpointSliceDecodingTest, Decodes) {
  run_decode_case(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Table, EndpointSliceDecodingTest, testing::ValuesIn(kCases));

}  // namespace
}  // namespace vmdns::sources
