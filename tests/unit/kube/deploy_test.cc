// deploy/: the manifests parse, the ClusterRole grants list and watch on every kind the API
// source watches and nothing else, and the Deployment has what the issue asks of it.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <vector>

#include "kube/api_kind.h"

namespace vmdns::kube {
namespace {

std::vector<YAML::Node> load(const std::string& name) {
  return YAML::LoadAllFromFile(std::string(VMDNS_DEPLOY) + "/" + name);
}

YAML::Node find(const std::vector<YAML::Node>& documents, const std::string& kind) {
  for (const YAML::Node& document : documents) {
    if (document["kind"].as<std::string>() == kind) {
      return document;
    }
  }
  ADD_FAILURE() << "no " << kind;
  return YAML::Node();
}

std::set<std::string> strings(const YAML::Node& list) {
  std::set<std::string> out;
  for (const YAML::Node& item : list) {
    out.insert(item.as<std::string>());
  }
  return out;
}

TEST(DeployTest, ClusterRoleCoversEveryWatchedKindWithListAndWatchOnly) {
  auto rbac = load("rbac.yaml");
  YAML::Node role = find(rbac, "ClusterRole");
  std::set<std::pair<std::string, std::string>> granted;  // (group, resource)
  for (const YAML::Node& rule : role["rules"]) {
    EXPECT_EQ(strings(rule["verbs"]), (std::set<std::string>{"list", "watch"}));
    for (const std::string& group : strings(rule["apiGroups"])) {
      for (const std::string& resource : strings(rule["resources"])) {
        granted.insert({group, resource});
      }
    }
  }
  std::set<std::pair<std::string, std::string>> watched;
  for (const ApiKind& kind : api_kinds()) {
    watched.insert({std::string(kind.group), std::string(kind.resource)});
  }
  EXPECT_EQ(granted, watched);
  YAML::Node binding = find(rbac, "ClusterRoleBinding");
  EXPECT_EQ(binding["roleRef"]["name"].as<std::string>(),
            role["metadata"]["name"].as<std::string>());
  YAML::Node account = find(rbac, "ServiceAccount");
  EXPECT_EQ(binding["subjects"][0]["name"].as<std::string>(),
            account["metadata"]["name"].as<std::string>());
}

TEST(DeployTest, DeploymentAndService) {
  YAML::Node deployment = find(load("deployment.yaml"), "Deployment");
  EXPECT_EQ(deployment["spec"]["replicas"].as<int>(), 2);
  YAML::Node pod = deployment["spec"]["template"]["spec"];
  EXPECT_EQ(pod["serviceAccountName"].as<std::string>(), "vmdns");
  EXPECT_TRUE(pod["affinity"]["podAntiAffinity"].IsDefined());
  YAML::Node container = pod["containers"][0];
  EXPECT_EQ(container["livenessProbe"]["httpGet"]["port"].as<int>(), 8080);
  EXPECT_EQ(container["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/health");
  EXPECT_EQ(container["readinessProbe"]["httpGet"]["port"].as<int>(), 8181);
  EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/ready");
  EXPECT_TRUE(container["resources"]["requests"]["cpu"].IsDefined());
  EXPECT_TRUE(container["resources"]["requests"]["memory"].IsDefined());
  std::set<std::string> args = strings(container["args"]);
  EXPECT_TRUE(args.contains("--in-cluster"));

  YAML::Node service = find(load("service.yaml"), "Service");
  EXPECT_EQ(service["metadata"]["name"].as<std::string>(), "kube-dns");
  std::set<std::string> ports;
  for (const YAML::Node& port : service["spec"]["ports"]) {
    ports.insert(port["protocol"].as<std::string>() + "/" + port["port"].as<std::string>());
  }
  EXPECT_EQ(ports, (std::set<std::string>{"TCP/53", "UDP/53", "TCP/9153"}));
  // Prometheus finds /metrics as it finds CoreDNS's: the Service's annotations name the port
  // that the pod declares.
  EXPECT_EQ(service["metadata"]["annotations"]["prometheus.io/scrape"].as<std::string>(), "true");
  EXPECT_EQ(service["metadata"]["annotations"]["prometheus.io/port"].as<std::string>(), "9153");
  std::set<std::string> declared;
  for (const YAML::Node& port : container["ports"]) {
    declared.insert(port["name"].as<std::string>() + "=" + port["protocol"].as<std::string>() +
                    "/" + port["containerPort"].as<std::string>());
  }
  EXPECT_TRUE(declared.contains("metrics=TCP/9153"));
  EXPECT_EQ(service["spec"]["selector"]["k8s-app"].as<std::string>(),
            pod["containers"].IsDefined() ? "kube-dns" : "");
}

}  // namespace
}  // namespace vmdns::kube
