// Pod and Namespace decoding, one row per rule.

#include "decode_case.h"

namespace vmdns::sources {
namespace {

using Strings = std::vector<std::string>;

const cluster::Pod& only_pod(const LoadResult& r) {
  EXPECT_EQ(r.state.pods.size(), 1u);
  static const cluster::Pod kEmpty;
  return r.state.pods.empty() ? kEmpty : r.state.pods.begin()->second;
}

const DecodeCase kCases[] = {
    {"labels, hostname, subdomain, podIPs, Ready, phase",
     R"(apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: shop
  labels: {app: web}
spec: {hostname: web-0, subdomain: web}
status:
  phase: Running
  conditions: [{type: Ready, status: "True"}]
  podIP: 10.1.0.5
  podIPs: [{ip: 10.1.0.5}, {ip: "fd00::5"}]
)",
     {},
     [](const LoadResult& r) {
       const cluster::Pod& pod = only_pod(r);
       EXPECT_EQ(pod.meta.namespace_name, "shop");
       EXPECT_EQ(pod.meta.labels, (cluster::Labels{{"app", "web"}}));
       EXPECT_EQ(pod.hostname, "web-0");
       EXPECT_EQ(pod.subdomain, "web");
       EXPECT_EQ(pod.phase, "Running");
       EXPECT_TRUE(pod.ready);
       EXPECT_EQ(address_texts(pod.addresses), (Strings{"10.1.0.5", "fd00::5"}));
     }},
    {"podIP when there is no podIPs",
     R"(apiVersion: v1
kind: Pod
metadata: {name: p}
status: {podIP: 10.1.0.6, phase: Pending}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(address_texts(only_pod(r).addresses), (Strings{"10.1.0.6"}));
       EXPECT_FALSE(only_pod(r).ready);
     }},
    {"Ready False is not ready",
     R"(apiVersion: v1
kind: Pod
metadata: {name: p}
status:
  phase: Running
  conditions: [{type: Ready, status: "False"}]
)",
     {},
     [](const LoadResult& r) { EXPECT_FALSE(only_pod(r).ready); }},
    {"an unparsable pod IP is a warning",
     R"(apiVersion: v1
kind: Pod
metadata: {name: p}
status:
  podIPs: [{ip: 10.1.0.300}]
)",
     {"t.yaml: document 1 (line 1): warning: Pod default/p: status.podIPs[0].ip \"10.1.0.300\" is "
      "not an IP address"},
     [](const LoadResult& r) { EXPECT_TRUE(only_pod(r).addresses.empty()); }},
    {"pod spec.hostname must be a label",
     R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {hostname: web.0}
)",
     {"t.yaml: document 1 (line 1): Pod default/p: spec.hostname \"web.0\" is not a DNS-1123 "
      "label"},
     [](const LoadResult& r) { EXPECT_TRUE(r.state.pods.empty()); }},
    {"podIPs must be a list",
     R"(apiVersion: v1
kind: Pod
metadata: {name: p}
status: {podIPs: {ip: 10.0.0.1}}
)",
     {"t.yaml: document 1 (line 1): Pod default/p: status.podIPs must be a list, not a map"},
     nullptr},
    {"Namespace: metadata.name",
     R"(apiVersion: v1
kind: Namespace
metadata: {name: shop, namespace: ignored}
)",
     {},
     [](const LoadResult& r) {
       ASSERT_EQ(r.state.namespaces.count("shop"), 1u);
       EXPECT_EQ(r.state.namespaces.at("shop").meta.namespace_name, "");
     }},
    {"Namespace name must be a label",
     R"(apiVersion: v1
kind: Namespace
metadata: {name: shop.eu}
)",
     {"t.yaml: document 1 (line 1): Namespace shop.eu: metadata.name \"shop.eu\" is not a "
      "DNS-1123 label"},
     [](const LoadResult& r) { EXPECT_TRUE(r.state.namespaces.empty()); }},
};

class PodDecodingTest : public testing::TestWithParam<DecodeCase> {};

TEST_P(PodDecodingTest, Decodes) {
  run_decode_case(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Table, PodDecodingTest, testing::ValuesIn(kCases));

}  // namespace
}  // namespace vmdns::sources
