// Objects of the Kubernetes API (JSON) go through the same kind decoders as manifests: the same
// fields, the same rules, the same diagnostics. JSON is typed, so a number where a string
// belongs (or the reverse) is an error, as it is for the API server's decoder.

#include <gtest/gtest.h>

#include "sources/object_decoder.h"

namespace vmdns::sources {
namespace {

struct JsonCase {
  const char* rule;
  const char* json;
  std::vector<std::string> diagnostics;
  std::function<void(const DecodedObject&)> check;
};

// gtest prints a case by its rule: ctest lists it by that, not by a dump of its bytes.
void PrintTo(const JsonCase& c, std::ostream* out) { *out << c.rule; }

const JsonCase kCases[] = {
    {"a VMI reads as from YAML",
     R"({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
         "metadata": {"name": "vm", "namespace": "shop", "labels": {"app": "db"}},
         "spec": {"hostname": "h", "subdomain": "s"},
         "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                    "interfaces": [{"ipAddresses": ["10.0.0.1", "fe80::1", "fd00::5/64"]}]}})",
     {},
     [](const DecodedObject& d) {
       const auto& vmi = std::get<cluster::VirtualMachineInstance>(*d.object);
       EXPECT_EQ(vmi.meta.namespace_name, "shop");
       EXPECT_EQ(vmi.meta.labels.at("app"), "db");
       EXPECT_EQ(vmi.hostname, "h");
       EXPECT_EQ(vmi.subdomain, "s");
       EXPECT_TRUE(vmi.ready);
       ASSERT_EQ(vmi.addresses().size(), 2u);
       EXPECT_EQ(vmi.addresses()[1].to_string(), "fd00::5");
     }},
    {"the same DNS-1123 rule as manifests",
     R"({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
         "metadata": {"name": "x"}, "spec": {"hostname": "my_vm"}})",
     {"api: VirtualMachineInstance default/x: spec.hostname \"my_vm\" is not a DNS-1123 label"},
     nullptr},
    {"a port must be a JSON number",
     R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
         "spec": {"clusterIP": "10.96.0.1", "ports": [{"port": "80"}]}})",
     {"api: Service default/web: spec.ports[0].port must be an integer, not a string"}, nullptr},
    {"a fraction is not a port",
     R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
         "spec": {"clusterIP": "10.96.0.1", "ports": [{"port": 80.5}]}})",
     {"api: Service default/web: spec.ports[0].port 80.5 is not an integer"}, nullptr},
    {"an integer beyond int64 is not in range",
     R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
         "spec": {"clusterIP": "10.96.0.1", "ports": [{"port": 18446744073709551615}]}})",
     {"api: Service default/web: spec.ports[0].port 18446744073709551615 is not an integer"},
     nullptr},
    {"targetPort: a JSON number, or a string naming a port",
     R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
         "spec": {"clusterIP": "None", "ports": [{"name": "a", "port": 80, "targetPort": 8080},
                                                 {"name": "b", "port": 81, "targetPort": "web"}]}})",
     {},
     [](const DecodedObject& d) {
       const auto& service = std::get<cluster::Service>(*d.object);
       ASSERT_EQ(service.ports.size(), 2u);
       EXPECT_EQ(service.ports[0].target_port, 8080);
       EXPECT_EQ(service.ports[1].target_port_name, "web");
     }},
    {"a targetPort string of digits is not a port name; a fraction is no port; a map neither",
     R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
         "spec": {"clusterIP": "None", "ports": [{"name": "a", "port": 80, "targetPort": "8080"},
                                                 {"name": "b", "port": 81, "targetPort": 8.5},
                                                 {"name": "c", "port": 82, "targetPort": {}}]}})",
     {"api: Service default/web: spec.ports[0].targetPort \"8080\" is neither a port number nor "
      "a port name (at most 15 characters of a-z, 0-9 and '-', with a letter, no '-' at either "
      "end or twice in a row)",
      "api: Service default/web: spec.ports[1].targetPort 8.5 is not an integer",
      "api: Service default/web: spec.ports[2].targetPort must be an integer or a string, not a "
      "map"},
     nullptr},
    {"a hostname must be a string",
     R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostname": 5}})",
     {"api: Pod default/p: spec.hostname must be a string, not a number"}, nullptr},
    {"publishNotReadyAddresses must be a boolean",
     R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
         "spec": {"clusterIP": "None", "publishNotReadyAddresses": "true"}})",
     {"api: Service default/web: spec.publishNotReadyAddresses must be a boolean, not a string"},
     nullptr},
    {"null labels read as empty strings, null fields as absent",
     R"({"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "web", "namespace": null, "labels": {"a": null}},
         "spec": {"clusterIP": "None", "selector": null}})",
     {},
     [](const DecodedObject& d) {
       const auto& service = std::get<cluster::Service>(*d.object);
       EXPECT_EQ(service.meta.namespace_name, "default");
       EXPECT_EQ(service.meta.labels.at("a"), "");
       EXPECT_FALSE(service.selector.has_value());
     }},
    {"labels must be strings",
     R"({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n", "labels": {"a": 1}}})",
     {"api: Namespace n: metadata.labels[\"a\"] must be a string, not a number"}, nullptr},
    {"an EndpointSlice",
     R"({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
         "metadata": {"name": "web-abc", "labels": {"kubernetes.io/service-name": "web"}},
         "endpoints": [{"addresses": ["10.244.1.5"], "conditions": {"ready": false},
                        "hostname": "w0", "targetRef": {"kind": "Pod", "name": "web-0"}}],
         "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]})",
     {},
     [](const DecodedObject& d) {
       const auto& slice = std::get<cluster::EndpointSlice>(*d.object);
       EXPECT_EQ(slice.service_name, "web");
       ASSERT_EQ(slice.endpoints.size(), 1u);
       EXPECT_EQ(slice.endpoints[0].ready, std::optional<bool>(false));
       EXPECT_EQ(slice.endpoints[0].target_name, "web-0");
       ASSERT_EQ(slice.ports.size(), 1u);
       EXPECT_EQ(slice.ports[0].port, 8080);
     }},
    {"not an object", R"(["a"])",
     {"api: not an object: expected a map with apiVersion, kind and metadata"}, nullptr},
    {"a key given twice: the last one counts, as for Go's decoder",
     R"({"apiVersion": "v1", "kind": "Namespace",
         "metadata": {"name": "first", "name": "last", "labels": {"a": "1", "a": "2"}}})",
     {},
     [](const DecodedObject& d) {
       const auto& ns = std::get<cluster::Namespace>(*d.object);
       EXPECT_EQ(ns.meta.name, "last");
       EXPECT_EQ(ns.meta.labels, (cluster::Labels{{"a", "2"}}));
     }},
    {"a whole number written as a double is not an integer",
     R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
         "spec": {"ports": [{"port": 8e1}]}})",
     {"api: Service default/web: spec.ports[0].port 80.0 is not an integer"}, nullptr},
    {"another group's kind is skipped",
     R"({"apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": {"name": "x"}})",
     {}, [](const DecodedObject& d) { EXPECT_EQ(d.status, DecodedObject::Status::Skipped); }},
};

class JsonDecodingTest : public ::testing::TestWithParam<JsonCase> {};

TEST_P(JsonDecodingTest, Case) {
  const JsonCase& c = GetParam();
  JsonDocument value;
  ASSERT_TRUE(value.parse(c.json)) << value.error();
  std::vector<cluster::Diagnostic> diagnostics;
  ReadBudget budget(1000);
  DecodedObject decoded =
      decode_object(value.root(), cluster::Origin{"api", 0, 0}, budget, diagnostics);
  std::vector<std::string> texts;
  for (const cluster::Diagnostic& d : diagnostics) {
    texts.push_back(d.to_string());
  }
  EXPECT_EQ(texts, c.diagnostics);
  if (c.check) {
    c.check(decoded);
  } else {
    EXPECT_EQ(decoded.status, DecodedObject::Status::Failed);
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, JsonDecodingTest, ::testing::ValuesIn(kCases));

}  // namespace
}  // namespace vmdns::sources
