// Kubeconfig reading: contexts, clusters, users, credentials from files or data, and the
// errors that name the file, the entry and the field.

#include "kube/kubeconfig.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace vmdns::kube {
namespace {

namespace fs = std::filesystem;

class KubeconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vmdns-kubeconfig-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    write("ca.crt", "CA PEM\n");
    write("token", "file-token\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }

  fs::path dir_;
};

// "Q0EgUEVNCg==" is "CA PEM\n"; "Q0VSVA==" "CERT"; "S0VZ" "KEY".
constexpr const char* kConfig = R"(
apiVersion: v1
kind: Config
current-context: admin@lab
contexts:
- name: admin@lab
  context: {cluster: lab, user: admin, namespace: shop}
- name: reader@lab
  context: {cluster: lab, user: reader}
- name: broken
  context: {cluster: nowhere, user: admin}
- name: insecure
  context: {cluster: insecure, user: admin}
- name: exec
  context: {cluster: lab, user: exec}
clusters:
- name: lab
  cluster: {server: "https://127.0.0.1:6443/", certificate-authority: ca.crt}
- name: insecure
  cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}
- name: reader
  user: {tokenFile: token}
- name: exec
  user: {exec: {command: aws}}
)";

TEST_F(KubeconfigTest, CurrentContextWithClientCertificate) {
  std::string error;
  auto config = load_kubeconfig(write("config", kConfig), "", &error);
  ASSERT_TRUE(config) << error;
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
  EXPECT_EQ(config->ca_pem, "CA PEM\n");
  EXPECT_EQ(config->client_cert_pem, "CERT");
  EXPECT_EQ(config->client_key_pem, "KEY");
  EXPECT_EQ(config->namespace_name, "shop");
  EXPECT_TRUE(config->token.empty());
}

TEST_F(KubeconfigTest, NamedContextWithTokenFileRelativeToTheKubeconfig) {
  std::string error;
  auto config = load_kubeconfig(write("config", kConfig), "reader@lab", &error);
  ASSERT_TRUE(config) << error;
  EXPECT_EQ(config->token_file, (dir_ / "token").string());
  EXPECT_TRUE(config->client_cert_pem.empty());
}

TEST_F(KubeconfigTest, ErrorsNameFileEntryAndField) {
  std::string path = write("config", kConfig);
  struct Case {
    std::string context;
    std::string error;
  };
  const Case cases[] = {
      {"nope", "kubeconfig " + path + ": no context named \"nope\" in contexts"},
      {"broken", "kubeconfig " + path +
                     ": context \"broken\" names cluster \"nowhere\", which is not in clusters"},
      {"insecure", "kubeconfig " + path +
                       ": clusters[1] \"insecure\": cluster.insecure-skip-tls-verify is not "
                       "supported: vmdns always verifies the API server; give "
                       "certificate-authority or certificate-authority-data"},
      {"exec", "kubeconfig " + path +
                   ": users[2] \"exec\": user.exec is not supported: use a client certificate, "
                   "a token or a tokenFile"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(load_kubeconfig(path, c.context, &error));
    EXPECT_EQ(error, c.error);
  }
}

TEST_F(KubeconfigTest, BadFiles) {
  std::string error;
  EXPECT_FALSE(load_kubeconfig((dir_ / "missing").string(), "", &error));
  EXPECT_NE(error.find("cannot read"), std::string::npos) << error;
  std::string path = write("plain", "clusters: [{name: c, cluster: {server: http://x}}]\n"
                                    "contexts: [{name: x, context: {cluster: c}}]\n"
                                    "current-context: x\n");
  EXPECT_FALSE(load_kubeconfig(path, "", &error));
  EXPECT_EQ(error, "kubeconfig " + path +
                       ": clusters[0] \"c\": cluster.server \"http://x\" is not an https:// "
                       "URL: the API is only spoken to over TLS");
  path = write("bad64", "clusters: [{name: c, cluster: {server: https://x, "
                        "certificate-authority-data: \"%%\"}}]\n"
                        "contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n");
  EXPECT_FALSE(load_kubeconfig(path, "", &error));
  EXPECT_EQ(error, "kubeconfig " + path +
                       ": clusters[0] \"c\": cluster.certificate-authority-data is not base64");
  path = write("yaml", "a: [\n");
  EXPECT_FALSE(load_kubeconfig(path, "", &error));
  EXPECT_NE(error.find("invalid YAML"), std::string::npos) << error;
  path = write("nocontext", "clusters: []\n");
  EXPECT_FALSE(load_kubeconfig(path, "", &error));
  EXPECT_EQ(error, "kubeconfig " + path + ": current-context is not set: give --context");
}

TEST_F(KubeconfigTest, InCluster) {
  write("namespace", "kube-system\n");
  ::setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  std::string error;
  auto config = in_cluster_config(dir_.string(), &error);
  ASSERT_TRUE(config) << error;
  EXPECT_EQ(config->server, "https://[fd00::1]:443");
  EXPECT_EQ(config->ca_pem, "CA PEM\n");
  EXPECT_EQ(config->token_file, (dir_ / "token").string());
  EXPECT_EQ(config->namespace_name, "kube-system");
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  EXPECT_FALSE(in_cluster_config(dir_.string(), &error));
  EXPECT_NE(error.find("KUBERNETES_SERVICE_HOST"), std::string::npos);
}

TEST(Base64Test, Rfc4648Vectors) {
  // RFC 4648 section 10.
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},         {"Zg==", "f"},     {"Zm8=", "fo"},        {"Zm9v", "foo"},
      {"Zm9vYg==", "foob"}, {"Zm9vYmE=", "fooba"}, {"Zm9v\nYmFy", "foobar"},
  };
  for (const auto& [text, decoded] : cases) {
    EXPECT_EQ(decode_base64(text), std::optional<std::string>(decoded)) << text;
  }
  for (const char* bad : {"Zg=", "Z", "Zm9v!", "Zg==Zg==", "Zg==="}) {
    EXPECT_FALSE(decode_base64(bad)) << bad;
  }
}

}  // namespace
}  // namespace vmdns::kube
