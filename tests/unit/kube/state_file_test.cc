// The --state-dir file: every field vmdns reads survives a round trip through the file.

#include "kube/state_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "sources/manifest_loader.h"

namespace vmdns::kube {
namespace {

constexpr const char* kManifests = R"(
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop, labels: {tier: data}}
spec: {clusterIP: None, selector: {app: db}, publishNotReadyAddresses: true,
       ports: [{name: pg, port: 5432, targetPort: 6432}, {name: metrics, port: 9187,
               protocol: UDP, targetPort: prom}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: NodePort, clusterIPs: [10.96.0.20, "fd00::20"], ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: alias, namespace: shop}
spec: {type: ExternalName, externalName: web.shop.svc.cluster.local.}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: db-1, namespace: shop, labels: {kubernetes.io/service-name: db}}
addressType: IPv4
endpoints:
- {addresses: [10.244.2.1], conditions: {ready: false}, hostname: db-0,
   targetRef: {kind: Pod, name: db-0}, nodeName: node-a}
- {addresses: [10.244.2.2]}
ports: [{name: pg, port: 5432}]
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec: {hostname: db-0, subdomain: db, dnsPolicy: None,
       dnsConfig: {nameservers: [10.0.0.10], searches: [a.example], options: [{name: ndots, value: "2"}, {name: rotate}]}}
status: {phase: Running, podIPs: [{ip: 10.244.2.1}, {ip: "fd00::1"}], conditions: [{type: Ready, status: "True"}]}
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: vm, namespace: shop, labels: {app: db}}
spec:
  hostname: h
  subdomain: db
  networks: [{name: default, pod: {}}, {name: blue, multus: {networkName: blue}}]
status:
  phase: Running
  nodeName: node-a
  migrationState: {sourceNode: node-a, sourcePod: virt-launcher-vm-a, targetNode: node-b,
                   targetPod: virt-launcher-vm-b, completed: true, abortStatus: Succeeded}
  conditions: [{type: Ready, status: "True"}, {type: Paused, status: "True"}]
  interfaces:
  - {name: default, ipAddresses: [10.244.0.57, "fd00::57"]}
  - {name: blue, ipAddress: 192.168.10.4}
  - {ipAddresses: [172.16.0.9]}
)";

TEST(StateFileTest, RoundTripKeepsEveryField) {
  auto loaded = sources::load_manifest_text(kManifests, "t.yaml");
  ASSERT_EQ(loaded.objects, 7u);
  std::string text = encode_state(loaded.state);
  std::string error;
  auto decoded = decode_state(text, "state.json", &error);
  ASSERT_TRUE(decoded) << error;
  // The second encoding is the first: nothing was lost or changed on the way.
  EXPECT_EQ(encode_state(*decoded), text);
  const auto& vmi = decoded->vmis.at({"shop", "vm"});
  EXPECT_TRUE(vmi.paused);
  EXPECT_FALSE(vmi.ready);
  ASSERT_EQ(vmi.interfaces.size(), 3u);
  EXPECT_TRUE(vmi.interfaces[0].pod_network);
  EXPECT_EQ(vmi.interfaces[2].name, "blue");  // after the first, the unnamed one sorts first
  EXPECT_FALSE(vmi.interfaces[2].pod_network);
  EXPECT_EQ(vmi.interfaces, loaded.state.vmis.at({"shop", "vm"}).interfaces);
  ASSERT_EQ(vmi.addresses().size(), 2u);
  EXPECT_EQ(vmi.node_name, "node-a");
  ASSERT_TRUE(vmi.migration);
  EXPECT_EQ(vmi.migration, loaded.state.vmis.at({"shop", "vm"}).migration);
  EXPECT_TRUE(vmi.migration->aborted);
  const auto& db = decoded->services.at({"shop", "db"});
  EXPECT_TRUE(db.headless);
  EXPECT_TRUE(db.publish_not_ready_addresses);
  ASSERT_EQ(db.ports.size(), 2u);
  EXPECT_EQ(db.ports[1].protocol, "UDP");
  EXPECT_EQ(db.ports[0].target_port, 6432);
  EXPECT_EQ(db.ports[1].target_port_name, "prom");
  EXPECT_EQ(db.ports, loaded.state.services.at({"shop", "db"}).ports);
  EXPECT_EQ(decoded->services.at({"shop", "web"}).ports[0].target_port, 0);  // unset stays unset
  EXPECT_EQ(decoded->services.at({"shop", "web"}).cluster_ips.size(), 2u);
  EXPECT_EQ(decoded->services.at({"shop", "alias"}).external_name, "web.shop.svc.cluster.local.");
  const auto& slice = decoded->endpoint_slices.at({"shop", "db-1"});
  EXPECT_EQ(slice.endpoints[0].ready, std::optional<bool>(false));
  EXPECT_EQ(slice.endpoints[1].ready, std::nullopt);
  EXPECT_EQ(slice.endpoints, loaded.state.endpoint_slices.at({"shop", "db-1"}).endpoints);
  const auto& pod = decoded->pods.at({"shop", "db-0"});
  ASSERT_TRUE(pod.dns_config);
  EXPECT_EQ(pod.dns_config->options.size(), 2u);
  EXPECT_FALSE(pod.dns_config->options[1].value);
  EXPECT_EQ(decoded->namespaces.count("shop"), 1u);
}

TEST(StateFileTest, SaveAndLoad) {
  auto loaded = sources::load_manifest_text(kManifests, "t.yaml");
  std::string path = (std::filesystem::temp_directory_path() /
                      ("vmdns-state-" + std::to_string(::getpid()) + ".json"))
                         .string();
  std::string error;
  ASSERT_TRUE(save_state_file(loaded.state, path, &error)) << error;
  auto restored = load_state_file(path, &error);
  ASSERT_TRUE(restored) << error;
  EXPECT_EQ(restored->vmis.size(), 1u);
  std::filesystem::remove(path);
  EXPECT_FALSE(load_state_file(path, &error));
  EXPECT_FALSE(decode_state("{\"items\": 5}", "state.json", &error));
  EXPECT_EQ(error, "state.json: not a JSON List");
}

// A disk that fills up while the state is written: RLIMIT_FSIZE makes write(2) fail with EFBIG
// past a few bytes, as ENOSPC would on a full file system. The file keeps its last complete
// state, and no temporary file is left behind.
TEST(StateFileTest, FailedWriteKeepsTheLastCompleteFile) {
  auto loaded = sources::load_manifest_text(kManifests, "t.yaml");
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vmdns-state-full-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "state.json").string();
  std::string error;
  cluster::State small;
  cluster::Namespace only;
  only.meta.namespace_name = {};
  only.meta.name = "only";
  small.namespaces.emplace("only", only);
  ASSERT_TRUE(save_state_file(small, path, &error)) << error;
  auto before = std::filesystem::file_size(path);

  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit tight = saved;
  tight.rlim_cur = before + 16;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tight), 0);
  bool saved_big = save_state_file(loaded.state, path, &error);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);

  EXPECT_FALSE(saved_big);
  EXPECT_NE(error.find("cannot write " + path + ".tmp: "), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  auto restored = load_state_file(path, &error);
  ASSERT_TRUE(restored) << error;
  EXPECT_EQ(restored->namespaces.count("only"), 1u);
  EXPECT_TRUE(restored->vmis.empty());

  ASSERT_TRUE(save_state_file(loaded.state, path, &error)) << error;
  EXPECT_EQ(load_state_file(path, &error)->vmis.size(), 1u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vmdns::kube
