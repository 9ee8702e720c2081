// VirtualMachine decoding, one row per rule.

#include "cluster/virtual_machine.h"
#include "decode_case.h"

namespace vmdns::sources {
namespace {

using Strings = std::vector<std::string>;

const cluster::VirtualMachine& only_vm(const LoadResult& r) {
  EXPECT_EQ(r.state.vms.size(), 1u);
  static const cluster::VirtualMachine kEmpty;
  return r.state.vms.empty() ? kEmpty : r.state.vms.begin()->second;
}

const DecodeCase kCases[] = {
    {"the template's labels and DNS fields are read, the VM's own labels stay on the VM",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: vm-fedora
  namespace: shop
  labels: {expose: me}
spec:
  runStrategy: Always
  template:
    metadata:
      labels: {kubevirt.io/domain: vm-fedora}
    spec:
      hostname: myvmi
      subdomain: mysubdomain
      dnsPolicy: None
      dnsConfig: {nameservers: [10.0.0.10], searches: [corp.example]}
)",
     {},
     [](const LoadResult& r) {
       const auto& vm = only_vm(r);
       EXPECT_EQ(vm.meta.labels, (cluster::Labels{{"expose", "me"}}));
       EXPECT_EQ(vm.run_strategy, "Always");
       EXPECT_FALSE(vm.running.has_value());
       const auto& t = vm.vmi_template;
       EXPECT_EQ(t.meta.labels, (cluster::Labels{{"kubevirt.io/domain", "vm-fedora"}}));
       EXPECT_EQ(t.meta.name, "vm-fedora");
       EXPECT_EQ(t.meta.namespace_name, "shop");
       EXPECT_EQ(t.hostname, "myvmi");
       EXPECT_EQ(t.subdomain, "mysubdomain");
       EXPECT_EQ(t.dns_policy, "None");
       ASSERT_TRUE(t.dns_config.has_value());
       EXPECT_EQ(t.dns_config->searches, (Strings{"corp.example"}));
       EXPECT_TRUE(r.state.vmis.empty());  // a plan, not a running VMI
       EXPECT_EQ(t.pod_network, "default");  // KubeVirt's, without spec.networks
     }},
    {"the template's pod network is named as in its spec.networks",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: x}
spec:
  template:
    spec:
      networks:
      - {name: nic1, multus: {networkName: a}}
      - {name: main, pod: {}}
---
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: y}
spec:
  template:
    spec:
      networks: [{name: nic1, multus: {networkName: a}}]
)",
     {},
     [](const LoadResult& r) {
       ASSERT_EQ(r.state.vms.size(), 2u);
       EXPECT_EQ(r.state.vms.at({"default", "x"}).vmi_template.pod_network, "main");
       EXPECT_EQ(r.state.vms.at({"default", "y"}).vmi_template.pod_network, "");
     }},
    {"spec.running is read",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: x}
spec: {running: false, template: {spec: {}}}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(only_vm(r).running, std::optional<bool>(false));
       EXPECT_EQ(r.objects, 1u);
     }},
    {"spec.running with spec.runStrategy is an error",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: x}
spec: {running: true, runStrategy: Always}
)",
     {"t.yaml: document 1 (line 1): VirtualMachine default/x: spec.running and spec.runStrategy "
      "must not both be set"},
     [](const LoadResult& r) { EXPECT_TRUE(r.state.vms.empty()); }},
    {"an unknown runStrategy is an error",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: x}
spec: {runStrategy: Sometimes}
)",
     {"t.yaml: document 1 (line 1): VirtualMachine default/x: spec.runStrategy \"Sometimes\" is "
      "not one of Always, RerunOnFailure, Once, Halted, Manual"},
     nullptr},
    {"a template subdomain with a dot is kept: KubeVirt accepts it",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: x}
spec: {runStrategy: Always, template: {spec: {subdomain: my.sub}}}
)",
     {},
     [](const LoadResult& r) { EXPECT_EQ(only_vm(r).vmi_template.subdomain, "my.sub"); }},
    {"a template subdomain that is no DNS-1123 subdomain is an error",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: x}
spec: {template: {spec: {subdomain: my_sub}}}
)",
     {"t.yaml: document 1 (line 1): VirtualMachine default/x: spec.template.spec.subdomain "
      "\"my_sub\" is not a DNS-1123 subdomain"},
     nullptr},
    {"a template hostname must be a DNS-1123 label",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: x}
spec: {template: {spec: {hostname: my.vm}}}
)",
     {"t.yaml: document 1 (line 1): VirtualMachine default/x: spec.template.spec.hostname "
      "\"my.vm\" is not a DNS-1123 label"},
     nullptr},
    {"template labels must be a map of strings",
     R"(apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: x}
spec: {template: {metadata: {labels: [a]}}}
)",
     {"t.yaml: document 1 (line 1): VirtualMachine default/x: spec.template.metadata.labels must "
      "be a map, not a list"},
     nullptr},
    {"another API group's VirtualMachine is skipped",
     R"(apiVersion: virtualization.deckhouse.io/v1alpha2
kind: VirtualMachine
metadata: {name: x}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(r.skipped, 1u);
       EXPECT_TRUE(r.state.vms.empty());
     }},
};

class VmDecodingTest : public testing::TestWithParam<DecodeCase> {};

TEST_P(VmDecodingTest, Decodes) {
  run_decode_case(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Rules, VmDecodingTest, testing::ValuesIn(kCases));

}  // namespace
}  // namespace vmdns::sources
