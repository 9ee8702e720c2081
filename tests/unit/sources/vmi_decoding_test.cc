// VirtualMachineInstance decoding, one row per rule.

#include "decode_case.h"

namespace vmdns::sources {
namespace {

using Strings = std::vector<std::string>;

const cluster::VirtualMachineInstance& only_vmi(const LoadResult& r) {
  EXPECT_EQ(r.state.vmis.size(), 1u);
  static const cluster::VirtualMachineInstance kEmpty;
  return r.state.vmis.empty() ? kEmpty : r.state.vmis.begin()->second;
}

const DecodeCase kCases[] = {
    {"spec.hostname and spec.subdomain are read",
     R"(
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: vmi-fedora}
spec: {hostname: myvmi, subdomain: mysubdomain}
)",
     {},
     [](const LoadResult& r) {
       const auto& vmi = only_vmi(r);
       EXPECT_EQ(vmi.hostname, "myvmi");
       EXPECT_EQ(vmi.subdomain, "mysubdomain");
       EXPECT_EQ(vmi.meta.namespace_name, "default");
       EXPECT_EQ(r.objects, 1u);
     }},
    {"spec.hostname must be a DNS-1123 label",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
spec: {hostname: my_vm}
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/x: spec.hostname \"my_vm\" is "
      "not a DNS-1123 label"},
     [](const LoadResult& r) {
       EXPECT_TRUE(r.state.vmis.empty());
       EXPECT_EQ(r.objects, 0u);
       EXPECT_TRUE(r.has_errors());
     }},
    {"spec.hostname longer than 63 is not a label",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
spec: {hostname: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/x: spec.hostname "
      "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" is not a DNS-1123 "
      "label"},
     nullptr},
    {"spec.subdomain with a dot is not a label",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x, namespace: ns1}
spec: {subdomain: a.b}
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance ns1/x: spec.subdomain \"a.b\" is not a "
      "DNS-1123 label"},
     [](const LoadResult& r) { EXPECT_TRUE(r.state.vmis.empty()); }},
    {"a 70-character name is a valid object name",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: a-very-long-virtual-machine-instance-name-exceeding-the-label-limit-xy}
)",
     {},
     [](const LoadResult& r) { EXPECT_EQ(only_vmi(r).meta.name.size(), 70u); }},
    {"an invalid object name",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: My_VM}
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/My_VM: metadata.name "
      "\"My_VM\" is not a DNS-1123 subdomain"},
     nullptr},
    {"metadata.name is required",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {namespace: ns1}
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance: metadata.name is required"},
     nullptr},
    {"metadata is required",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance: metadata.name is required"},
     nullptr},
    {"an invalid namespace",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x, namespace: Prod}
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance Prod/x: metadata.namespace \"Prod\" is "
      "not a DNS-1123 label"},
     nullptr},
    {"metadata.namespace is read",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x, namespace: prod, labels: {expose: me, tier: db}}
)",
     {},
     [](const LoadResult& r) {
       const auto& vmi = only_vmi(r);
       EXPECT_EQ(vmi.meta.namespace_name, "prod");
       EXPECT_EQ(vmi.meta.labels, (cluster::Labels{{"expose", "me"}, {"tier", "db"}}));
       EXPECT_EQ(r.state.vmis.count({"prod", "x"}), 1u);
     }},
    {"labels must be a map",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x, labels: expose}
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/x: metadata.labels must be a "
      "map, not a string"},
     nullptr},
    {"label values must be strings",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: x
  labels:
    expose: [me]
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/x: metadata.labels[\"expose\"] "
      "must be a string, not a list"},
     nullptr},
    {"spec must be a map",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
spec: [hostname]
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/x: spec must be a map, not a "
      "list"},
     nullptr},
    {"addresses come from ipAddresses of the first interface",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status:
  interfaces:
  - name: default
    ipAddress: 10.244.0.57
    ipAddresses: [10.244.0.57, "fd10:244::39"]
  - name: secondary
    ipAddress: 192.168.1.5
)",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(address_texts(only_vmi(r).addresses()), (Strings{"10.244.0.57", "fd10:244::39"}));
     }},
    {"ipAddress when there is no ipAddresses",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status:
  interfaces:
  - {name: default, ipAddress: 10.244.0.58}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(address_texts(only_vmi(r).addresses()), (Strings{"10.244.0.58"}));
     }},
    {"link-local addresses are dropped",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status:
  interfaces:
  - ipAddresses: [169.254.3.4, 10.244.0.57, "fe80::858:aff:fef4:39"]
)",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(address_texts(only_vmi(r).addresses()), (Strings{"10.244.0.57"}));
     }},
    {"an IPv6 /prefix suffix is stripped",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status:
  interfaces:
  - ipAddresses: ["fd10:244::39/64", "fe80::1/64"]
)",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(address_texts(only_vmi(r).addresses()), (Strings{"fd10:244::39"}));
     }},
    {"an unparsable address is a warning naming the field",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status:
  interfaces:
  - ipAddresses: [10.244.0.57, bogus, "10.0.0.1/abc"]
)",
     {"t.yaml: document 1 (line 1): warning: VirtualMachineInstance default/x: "
      "status.interfaces[0].ipAddresses[1] \"bogus\" is not an IP address",
      "t.yaml: document 1 (line 1): warning: VirtualMachineInstance default/x: "
      "status.interfaces[0].ipAddresses[2] \"10.0.0.1/abc\" is not an IP address"},
     [](const LoadResult& r) {
       EXPECT_EQ(address_texts(only_vmi(r).addresses()), (Strings{"10.244.0.57"}));
       EXPECT_FALSE(r.has_errors());
     }},
    // --vm-zone: every interface, with the name of its network and whether that network is
    // the pod network (KubeSecondaryDNS's FilterMultusNonDefaultInterfaces).
    {"every interface is kept: the first first, the others by name; pod: {} is the pod network",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
spec:
  networks:
  - {name: default, pod: {}}
  - {name: nic1, multus: {networkName: ptp-conf}}
status:
  interfaces:
  - {name: default, ipAddress: 10.244.0.57}
  - {name: nic1, interfaceName: eth1, ipAddresses: [10.10.0.5, "fd10::5/64", "fe80::1"]}
  - {interfaceName: br0, ipAddress: 192.168.100.1}
)",
     {},
     [](const LoadResult& r) {
       const auto& nics = only_vmi(r).interfaces;
       ASSERT_EQ(nics.size(), 3u);
       EXPECT_EQ(nics[0].name, "default");
       EXPECT_TRUE(nics[0].pod_network);
       // The same interfaces in another order are the same VMI: the first entry holds the VMI's
       // addresses and stays first, the others are sorted (the unnamed one before "nic1").
       EXPECT_EQ(nics[1].name, "");
       EXPECT_FALSE(nics[1].pod_network);
       EXPECT_EQ(address_texts(nics[1].addresses), (Strings{"192.168.100.1"}));
       EXPECT_EQ(nics[2].name, "nic1");
       EXPECT_FALSE(nics[2].pod_network);
       EXPECT_EQ(address_texts(nics[2].addresses), (Strings{"10.10.0.5", "fd10::5"}));
       EXPECT_EQ(address_texts(only_vmi(r).addresses()), (Strings{"10.244.0.57"}));
     }},
    {"a Multus default network is the pod network",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
spec:
  networks:
  - {name: main, multus: {networkName: ovn, default: true}}
  - {name: nic1, multus: {networkName: a}}
status:
  interfaces: [{name: main, ipAddress: 10.244.0.5}, {name: nic1, ipAddress: 10.10.0.5}]
)",
     {},
     [](const LoadResult& r) {
       const auto& nics = only_vmi(r).interfaces;
       ASSERT_EQ(nics.size(), 2u);
       EXPECT_TRUE(nics[0].pod_network);
       EXPECT_FALSE(nics[1].pod_network);
       EXPECT_EQ(only_vmi(r).pod_network, "main");
     }},
    {"without spec.networks KubeVirt attaches the pod network as default",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status:
  interfaces: [{name: default, ipAddress: 10.244.0.5}]
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: y}
spec: {domain: {devices: {autoattachPodInterface: false}}}
status:
  interfaces: [{name: default, ipAddress: 10.10.0.5}]
)",
     {},
     [](const LoadResult& r) {
       ASSERT_EQ(r.state.vmis.size(), 2u);
       EXPECT_TRUE(r.state.vmis.at({"default", "x"}).interfaces.at(0).pod_network);
       EXPECT_FALSE(r.state.vmis.at({"default", "y"}).interfaces.at(0).pod_network);
       EXPECT_EQ(r.state.vmis.at({"default", "x"}).pod_network, "default");
       EXPECT_EQ(r.state.vmis.at({"default", "y"}).pod_network, "");
     }},
    {"a secondary interface name that is not a DNS-1123 label is a warning",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
spec:
  networks: [{name: nic_1, multus: {networkName: a}}]
status:
  interfaces: [{name: nic_1, ipAddress: 10.10.0.5}]
)",
     {"t.yaml: document 1 (line 1): warning: VirtualMachineInstance default/x: "
      "status.interfaces[0].name \"nic_1\" is not a DNS-1123 label (must consist of lower case "
      "alphanumeric characters or '-', and must start and end with an alphanumeric character): "
      "the interface has no name under --vm-zone"},
     [](const LoadResult& r) { EXPECT_EQ(only_vmi(r).interfaces.at(0).name, "nic_1"); }},
    {"a VMI name with a dot and a secondary interface is a warning",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: web.v2}
spec:
  networks: [{name: nic1, multus: {networkName: a}}]
status:
  interfaces: [{name: nic1, ipAddress: 10.10.0.5}]
)",
     {"t.yaml: document 1 (line 1): warning: VirtualMachineInstance default/web.v2: "
      "metadata.name \"web.v2\" is not a DNS-1123 label (must consist of lower case alphanumeric "
      "characters or '-', and must start and end with an alphanumeric character): the VMI has no "
      "names under --vm-zone"},
     nullptr},
    {"interfaces must be a list",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status: {interfaces: eth0}
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/x: status.interfaces must be a "
      "list, not a string"},
     nullptr},
    {"no IP yet",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status: {phase: Scheduling, interfaces: [{name: default}]}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_TRUE(only_vmi(r).addresses().empty());
       EXPECT_EQ(only_vmi(r).phase, "Scheduling");
       EXPECT_FALSE(only_vmi(r).ready);
     }},
    {"Ready condition True is ready",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status:
  phase: Running
  conditions: [{type: Ready, status: "True"}]
)",
     {},
     [](const LoadResult& r) {
       EXPECT_TRUE(only_vmi(r).ready);
       EXPECT_FALSE(only_vmi(r).paused);
     }},
    {"Ready condition False is not ready even when Running",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status:
  phase: Running
  conditions: [{type: Ready, status: "False"}]
)",
     {},
     [](const LoadResult& r) { EXPECT_FALSE(only_vmi(r).ready); }},
    {"no conditions at all: phase Running is ready",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status: {phase: Running}
)",
     {},
     [](const LoadResult& r) { EXPECT_TRUE(only_vmi(r).ready); }},
    {"no conditions at all: phase Pending is not ready",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status: {phase: Pending}
)",
     {},
     [](const LoadResult& r) { EXPECT_FALSE(only_vmi(r).ready); }},
    {"conditions without Ready: Running is not enough",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status:
  phase: Running
  conditions: [{type: LiveMigratable, status: "True"}]
)",
     {},
     [](const LoadResult& r) { EXPECT_FALSE(only_vmi(r).ready); }},
    {"Paused True is paused and not ready",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status:
  phase: Running
  conditions:
  - {type: Ready, status: "True"}
  - {type: Paused, status: "True"}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_TRUE(only_vmi(r).paused);
       EXPECT_FALSE(only_vmi(r).ready);
     }},
    {"status.nodeName and a migration in progress",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status:
  nodeName: node-a
  migrationState: {sourceNode: node-a, targetNode: node-b, targetPod: virt-launcher-x-b2c3d,
                   sourcePod: virt-launcher-x-a1b2c, completed: false}
)",
     {},
     [](const LoadResult& r) {
       const cluster::VirtualMachineInstance& vmi = only_vmi(r);
       EXPECT_EQ(vmi.node_name, "node-a");
       ASSERT_TRUE(vmi.migration);
       EXPECT_EQ(vmi.migration->source_node, "node-a");
       EXPECT_EQ(vmi.migration->source_pod, "virt-launcher-x-a1b2c");
       EXPECT_EQ(vmi.migration->target_node, "node-b");
       EXPECT_EQ(vmi.migration->target_pod, "virt-launcher-x-b2c3d");
       EXPECT_TRUE(vmi.migration->in_progress());
     }},
    {"a completed, a failed and an aborted migration are not in progress",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: done}
status: {migrationState: {targetNode: b, completed: true}}
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: failed}
status: {migrationState: {targetNode: b, failed: true}}
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: aborted}
status: {migrationState: {targetNode: b, abortRequested: true, abortStatus: Succeeded}}
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: aborting}
status: {migrationState: {targetNode: b, abortRequested: true, abortStatus: Aborting}}
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: never}
)",
     {},
     [](const LoadResult& r) {
       auto migration = [&](const char* name) {
         return r.state.vmis.at({"default", name}).migration;
       };
       EXPECT_TRUE(migration("done")->completed);
       EXPECT_FALSE(migration("done")->in_progress());
       EXPECT_FALSE(migration("failed")->in_progress());
       EXPECT_TRUE(migration("aborted")->aborted);
       EXPECT_FALSE(migration("aborted")->in_progress());
       EXPECT_TRUE(migration("aborting")->in_progress());
       EXPECT_FALSE(migration("never"));
     }},
    {"a migrationState that is not a map",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status: {migrationState: [a]}
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/x: status.migrationState must "
      "be a map, not a list"},
     nullptr},
    {"conditions must be maps",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
status: {conditions: [Ready]}
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/x: status.conditions[0] must be "
      "a map, not a string"},
     nullptr},
    {"kubevirt.io/v1alpha3 is accepted",
     R"(apiVersion: kubevirt.io/v1alpha3
kind: VirtualMachineInstance
metadata: {name: x}
)",
     {},
     [](const LoadResult& r) { EXPECT_EQ(r.state.vmis.size(), 1u); }},
    {"another kubevirt.io version is a warning and still read",
     R"(apiVersion: kubevirt.io/v2
kind: VirtualMachineInstance
metadata: {name: x}
)",
     {"t.yaml: document 1 (line 1): warning: VirtualMachineInstance default/x: apiVersion "
      "\"kubevirt.io/v2\" is not kubevirt.io/v1 or kubevirt.io/v1alpha3; read anyway"},
     [](const LoadResult& r) { EXPECT_EQ(r.state.vmis.size(), 1u); }},
    {"a missing apiVersion is a warning",
     R"(kind: VirtualMachineInstance
metadata: {name: x}
)",
     {"t.yaml: document 1 (line 1): warning: VirtualMachineInstance default/x: apiVersion is "
      "missing; read as kubevirt.io/v1 or kubevirt.io/v1alpha3"},
     [](const LoadResult& r) { EXPECT_EQ(r.state.vmis.size(), 1u); }},
    {"every error of an object is reported",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
spec: {hostname: A, subdomain: b_c}
)",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/x: spec.hostname \"A\" is not a "
      "DNS-1123 label",
      "t.yaml: document 1 (line 1): VirtualMachineInstance default/x: spec.subdomain \"b_c\" is "
      "not a DNS-1123 label"},
     nullptr},
};

class VmiDecodingTest : public testing::TestWithParam<DecodeCase> {};

TEST_P(VmiDecodingTest, Decodes) {
  run_decode_case(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Table, VmiDecodingTest, testing::ValuesIn(kCases));

}  // namespace
}  // namespace vmdns::sources
