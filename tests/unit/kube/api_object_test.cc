// API objects -> slim objects: list items without kind, a VMI as `kubectl get vmi -o json`
// prints it, keys of DELETED objects, Status bodies.

#include "kube/api_object.h"


#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace vmdns::kube {
namespace {

nlohmann::json testdata(const std::string& name) {
  std::ifstream in(std::string(VMDNS_TESTDATA) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

TEST(ApiObjectTest, KubectlVmi) {
  nlohmann::json item = testdata("vmi-fedora.json");
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
  ASSERT_EQ(vmi.addresses.size(), 2u);  // the link-local address is dropped
  EXPECT_EQ(vmi.addresses[0].to_string(), "10.244.0.57");
  EXPECT_EQ(vmi.addresses[1].to_string(), "fd10:244::39");
}

TEST(ApiObjectTest, ListItemsLackKindAndApiVersion) {
  nlohmann::json item = nlohmann::json::parse(
      R"({"metadata": {"name": "web", "namespace": "shop", "resourceVersion": "9"},
          "spec": {"clusterIP": "10.96.0.7", "ports": [{"port": 80}]}})");
  std::vector<cluster::Diagnostic> diagnostics;
  auto object = decode_api_object(item, api_kind(Kind::Service), "/api/v1/services", diagnostics);
  ASSERT_TRUE(object);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(kind_of(*object), Kind::Service);
  EXPECT_EQ(resource_version_of(item), "9");
}

TEST(ApiObjectTest, AnObjectOfAnotherKindIsNotTaken) {
  nlohmann::json item = nlohmann::json::parse(
      R"({"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "web"}})");
  std::vector<cluster::Diagnostic> diagnostics;
  EXPECT_FALSE(decode_api_object(item, api_kind(Kind::Service), "/api/v1/services", diagnostics));
}

TEST(ApiObjectTest, KeysOfDeletedObjects) {
  auto key = key_of(nlohmann::json::parse(R"({"metadata": {"name": "x"}})"),
                    api_kind(Kind::Pod));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->namespace_name, "default");
  key = key_of(nlohmann::json::parse(R"({"metadata": {"name": "ns", "namespace": "x"}})"),
               api_kind(Kind::Namespace));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->namespace_name, "");
  EXPECT_FALSE(key_of(nlohmann::json::parse(R"({"metadata": {}})"), api_kind(Kind::Pod)));
  EXPECT_FALSE(key_of(nlohmann::json::parse(R"([1])"), api_kind(Kind::Pod)));
}

TEST(ApiObjectTest, StatusBodies) {
  auto gone = nlohmann::json::parse(
      R"json({"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 410,
          "reason": "Expired", "message": "too old resource version: 5 (10)"})json");
  EXPECT_EQ(status_code(gone), 410);
  EXPECT_EQ(status_message(gone), "Expired: too old resource version: 5 (10)");
  EXPECT_EQ(status_code(nlohmann::json::parse("{}")), 0);
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
