// API objects -> slim objects: list items without kind, a VMI as `kubectl get vmi -o json`
// prints it, keys of DELETED objects, Status bodies.

#include "kube/api_object.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace vmdns::kube {
namespace {

sources::JsonDocument parse(const std::string& text) {
  sources::JsonDocument document;
  EXPECT_TRUE(document.parse(text)) << document.error();
  return document;
}

sources::JsonDocument testdata(const std::string& name) {
  std::ifstream in(std::string(VMDNS_TESTDATA) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str());
}

TEST(ApiObjectTest, KubectlVmi) {
  sources::JsonDocument document = testdata("vmi-fedora.json");
  const sources::JsonValue& item = document.root();
  std::vector<cluster::Diagnostic> diagnostics;
  auto object = decode_api_object(item, api_kind(Kind::VirtualMachineInstance),
                                  "/apis/kubevirt.io/v1/virtualmachineinstances", diagnostics);
  ASSERT_TRUE(object);
  EXPECT_TRUE(diagnostics.empty());
  const auto& vmi = std::get<cluster::VirtualMachineInstance>(*object);
  EXPECT_EQ(vmi.meta.name, "vmi-fedora");
  EXPECT_EQ(vmi.hostname, "myvmi");
  EXPECT_EQ(vmi.subdomain, "mysubdomain");
  EXPECT_TRUE(vmi.ready);
  ASSERT_EQ(vmi.addresses().size(), 2u);  // the link-local address is dropped
  EXPECT_EQ(vmi.addresses()[0].to_string(), "10.244.0.57");
  EXPECT_EQ(vmi.addresses()[1].to_string(), "fd10:244::39");
}

TEST(ApiObjectTest, ListItemsLackKindAndApiVersion) {
  sources::JsonDocument document = parse(
      R"({"metadata": {"name": "web", "namespace": "shop", "resourceVersion": "9"},
          "spec": {"clusterIP": "10.96.0.7", "ports": [{"port": 80}]}})");
  const sources::JsonValue& item = document.root();
  std::vector<cluster::Diagnostic> diagnostics;
  auto object = decode_api_object(item, api_kind(Kind::Service), "/api/v1/services", diagnostics);
  ASSERT_TRUE(object);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(kind_of(*object), Kind::Service);
  EXPECT_EQ(resource_version_of(item), "9");
}

TEST(ApiObjectTest, AnObjectOfAnotherKindIsNotTaken) {
  sources::JsonDocument document = parse(
      R"({"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "web"}})");
  const sources::JsonValue& item = document.root();
  std::vector<cluster::Diagnostic> diagnostics;
  EXPECT_FALSE(decode_api_object(item, api_kind(Kind::Service), "/api/v1/services", diagnostics));
}

TEST(ApiObjectTest, KeysOfDeletedObjects) {
  auto key = key_of(parse(R"({"metadata": {"name": "x"}})").root(),
                    api_kind(Kind::Pod));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->namespace_name, "default");
  key = key_of(parse(R"({"metadata": {"name": "ns", "namespace": "x"}})").root(),
               api_kind(Kind::Namespace));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->namespace_name, "");
  EXPECT_FALSE(key_of(parse(R"({"metadata": {}})").root(), api_kind(Kind::Pod)));
  EXPECT_FALSE(key_of(parse(R"([1])").root(), api_kind(Kind::Pod)));
}

TEST(ApiObjectTest, StatusBodies) {
  sources::JsonDocument gone = parse(
      R"json({"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 410,
          "reason": "Expired", "message": "too old resource version: 5 (10)"})json");
  EXPECT_EQ(status_code(gone.root()), 410);
  EXPECT_EQ(status_message(gone.root()), "Expired: too old resource version: 5 (10)");
  EXPECT_EQ(status_code(parse("{}").root()), 0);
}

TEST(ApiKindTest, Paths) {
  EXPECT_EQ(api_kind(Kind::VirtualMachineInstance).collection_path("default"),
            "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances");
  EXPECT_EQ(api_kind(Kind::EndpointSlice).collection_path(""),
            "/apis/discovery.k8s.io/v1/endpointslices");
  EXPECT_EQ(api_kind(Kind::Service).collection_path("shop"), "/api/v1/namespaces/shop/services");
  EXPECT_EQ(api_kind(Kind::Namespace).collection_path("shop"), "/api/v1/namespaces");
}

}  // namespace
}  // namespace vmdns::kube
