// The mistakes that keep a VM's name from resolving, one row each: the manifests, what
// `vmdns explain` says (the first broken link for a name, or a line of the overview) and the
// warnings `vmdns check` prints. Manifests are read as the file "t.yaml".

#include "explain/mistakes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "explain/name_explanation.h"
#include "explain/report.h"
#include "explain/workload_view.h"
#include "sources/manifest_loader.h"

namespace vmdns::explain {
namespace {

using Strings = std::vector<std::string>;

// A VM with the page's hostname and subdomain; `meta_labels` on the VM itself, `template_labels`
// on spec.template.metadata, `spec_extra` appended to the template spec.
std::string vm(const std::string& run, const std::string& meta_labels,
               const std::string& template_labels, const std::string& spec_extra = "",
               const std::string& name = "vm-fedora") {
  return "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: " + name +
         "\n  labels: {" + meta_labels + "}\nspec:\n  " + run +
         "\n  template:\n    metadata:\n      labels: {" + template_labels +
         "}\n    spec:\n      hostname: myvmi\n      subdomain: mysubdomain\n" + spec_extra +
         "---\n";
}

// The page's VMI; `status` replaces its running, ready status.
std::string page_vmi(const std::string& status = "  phase: Running\n",
                     const std::string& name = "vmi-fedora", const std::string& ip = "10.244.0.57",
                     const std::string& hostname = "myvmi") {
  return "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata:\n  name: " + name +
         "\n  labels: {expose: me}\nspec:\n  hostname: " + hostname +
         "\n  subdomain: mysubdomain\nstatus:\n" + status +
         "  interfaces:\n  - name: default\n    ipAddress: " + ip + "\n---\n";
}

std::string service(const std::string& cluster_ip = "None",
                    const std::string& selector = "expose: me",
                    const std::string& name = "mysubdomain") {
  return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name +
         "\nspec:\n  clusterIP: " + cluster_ip + "\n  selector: {" + selector +
         "}\n  ports:\n  - {name: foo, port: 1234}\n---\n";
}

// A running Pod of namespace `ns`.
std::string pod(const std::string& name, const std::string& ns, const std::string& labels,
                const std::string& ip) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  labels: {" + labels + "}\nspec: {}\nstatus:\n  phase: Running\n  podIPs: [{ip: " +
         ip + "}]\n---\n";
}

// A headless Service of namespace `ns`.
std::string service_in(const std::string& ns, const std::string& name,
                       const std::string& selector) {
  return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\nspec:\n  clusterIP: None\n  selector: {" + selector + "}\n---\n";
}

constexpr const char* kName = "myvmi.mysubdomain.default.svc.cluster.local";

struct Case {
  const char* mistake;
  std::string manifests;
  std::string name;          // explained with NAME; empty: `explain_line` is in the overview table
  std::string from_vmi;      // NAME as this VM's guest resolves it
  std::string explain_line;  // "<step>: <reason>" or, when it resolves, "resolves to ..."
  std::string fix;
  Strings warnings;  // vmdns check's, exactly
};

void PrintTo(const Case& c, std::ostream* out) {
  *out << c.mistake;
}

std::vector<Case> cases() {
  const std::string vm_object = "VirtualMachine default/vm-fedora";
  return {
      {"the KubeVirt page's example resolves",
       page_vmi() + service(),
       kName,
       "",
       "resolves to A 10.244.0.57",
       "",
       {}},
      {"labels on the VM's metadata instead of spec.template.metadata.labels",
       vm("runStrategy: Always", "expose: me", "kubevirt.io/domain: fedora") + service(),
       kName,
       "",
       "selector: Service default/mysubdomain selects expose=me; the VMI of " + vm_object +
           " lacks expose=me (on the VM's own metadata.labels, which KubeVirt does not copy)",
       "move label expose=me from metadata.labels to spec.template.metadata.labels",
       {"t.yaml: document 1 (line 1): warning: " + vm_object +
            ": metadata.labels expose=me is needed by Service default/mysubdomain's selector, "
            "but KubeVirt copies only spec.template.metadata.labels to the VMI: move it to "
            "spec.template.metadata.labels",
        "t.yaml: document 2 (line 15): warning: Service default/mysubdomain: spec.selector "
        "expose=me selects no Pod, VirtualMachine or VirtualMachineInstance in namespace "
        "default"}},
      {"labels on the VM's metadata, the VM running (a live cluster: its VMI and the empty "
       "EndpointSlice of a Service that selects nothing)",
       vm("runStrategy: Always", "expose: me", "kubevirt.io/domain: fedora") +
           "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata:\n  name: "
           "vm-fedora\n  labels: {kubevirt.io/domain: fedora}\nspec:\n  hostname: myvmi\n"
           "  subdomain: mysubdomain\nstatus:\n  phase: Running\n  interfaces:\n"
           "  - {name: default, ipAddress: 10.244.0.57}\n---\n" +
           service() +
           "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: "
           "mysubdomain-x\n  labels: {kubernetes.io/service-name: mysubdomain}\n"
           "addressType: IPv4\nendpoints: []\n---\n",
       kName,
       "",
       "selector: Service default/mysubdomain selects expose=me; the VMI of " + vm_object +
           " lacks expose=me (on the VM's own metadata.labels, which KubeVirt does not copy)",
       "move label expose=me from metadata.labels to spec.template.metadata.labels",
       {"t.yaml: document 1 (line 1): warning: " + vm_object +
        ": metadata.labels expose=me is needed by Service default/mysubdomain's selector, "
        "but KubeVirt copies only spec.template.metadata.labels to the VMI: move it to "
        "spec.template.metadata.labels"}},
      {"an EndpointSlice with the VMI in it decides, whatever the selector says",
       page_vmi() + service("None", "expose: other") +
           "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: "
           "mysubdomain-x\n  labels: {kubernetes.io/service-name: mysubdomain}\n"
           "addressType: IPv4\nendpoints:\n- addresses: [10.244.0.57]\n  hostname: myvmi\n"
           "---\n",
       kName,
       "",
       "resolves to A 10.244.0.57",
       "",
       {}},
      {"the Service has a cluster IP instead of clusterIP: None",
       page_vmi() + service("10.96.0.20"),
       kName,
       "",
       "note: Service default/mysubdomain has cluster IP 10.96.0.20, not clusterIP: None: "
       "mysubdomain.default.svc gives that IP, not the VMs', and the Kubernetes DNS "
       "specification names <hostname>.mysubdomain only under a headless Service; set "
       "spec.clusterIP: None (recreate the Service)",
       "",
       {"t.yaml: document 2 (line 15): warning: Service default/mysubdomain: spec.clusterIP is "
        "10.96.0.20, not None, but VirtualMachineInstance default/vmi-fedora uses subdomain "
        "mysubdomain: mysubdomain.default.svc gives that IP, not the VMs', and the Kubernetes "
        "DNS specification names <hostname>.mysubdomain only under a headless Service; set "
        "clusterIP: None (recreate the Service)"}},
      {"the subdomain does not match the Service's name",
       page_vmi() + service("None", "expose: me", "mysubdomian"),
       "myvmi.mysubdomian.default.svc.cluster.local",
       "",
       "subdomain: spec.subdomain \"mysubdomain\" is not the Service's name mysubdomian",
       "set spec.subdomain: mysubdomian",
       {"t.yaml: document 1 (line 1): warning: VirtualMachineInstance default/vmi-fedora: "
        "spec.subdomain \"mysubdomain\" names no Service in namespace default: create a headless "
        "Service mysubdomain selecting the VM, or the VM gets no name"}},
      {"the selector misses one label",
       vm("runStrategy: Always", "", "expose: me") + service("None", "expose: me, tier: db"),
       kName,
       "",
       "selector: Service default/mysubdomain selects expose=me, tier=db; the VMI of " + vm_object +
           " lacks tier=db",
       "add label tier=db to spec.template.metadata.labels",
       {"t.yaml: document 2 (line 15): warning: Service default/mysubdomain: spec.selector "
        "expose=me, tier=db selects no Pod, VirtualMachine or VirtualMachineInstance in "
        "namespace default"}},
      {"the VMI is paused",
       page_vmi("  phase: Running\n  conditions:\n  - {type: Ready, status: \"False\"}\n"
                "  - {type: Paused, status: \"True\"}\n") +
           service(),
       kName,
       "",
       "readiness: VMI default/vmi-fedora is paused: a paused VMI is not ready",
       "virtctl unpause vmi vmi-fedora -n default",
       {}},
      {"the VMI is not ready",
       page_vmi("  phase: Scheduled\n") + service(),
       kName,
       "",
       "readiness: VMI default/vmi-fedora is not ready (phase Scheduled)",
       "wait until it is Ready, or set spec.publishNotReadyAddresses: true on Service "
       "default/mysubdomain",
       {}},
      {"the VM is stopped",
       vm("runStrategy: Halted", "", "expose: me") + service(),
       kName,
       "",
       "readiness: " + vm_object + " is stopped (runStrategy Halted)",
       "virtctl start vm-fedora -n default, or set spec.runStrategy: Always",
       {}},
      {"the VM starts but has no VMI yet: no IP until it runs",
       vm("running: true", "", "expose: me") + service(),
       kName,
       "",
       "address: " + vm_object + " will start (running: true), no IP until it runs",
       "wait for VMI vm-fedora to run: kubectl get vmi vm-fedora -n default",
       {}},
      {"the hostname is the name cut at its first dot",
       "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: web.prod, "
       "labels: {expose: me}}\nspec: {subdomain: mysubdomain}\nstatus: {phase: Running, "
       "interfaces: [{ipAddress: 10.244.0.59}]}\n---\n" +
           service(),
       "web.prod.mysubdomain.default.svc.cluster.local",
       "",
       "zone: the hostname of VirtualMachineInstance default/web.prod is \"web\": KubeVirt cuts "
       "a VM's name at the first '.'",
       "ask for web.mysubdomain.default.svc.<zone>, or set spec.hostname",
       {"t.yaml: document 1 (line 1): warning: VirtualMachineInstance default/web.prod: "
        "metadata.name \"web.prod\" gives the hostname \"web\" (cut at the first '.'): set "
        "spec.hostname to choose the name"}},
      {"the hostname is the name truncated to 63 characters",
       "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: "
       "vm-with-a-very-long-name-for-the-dns-tests-that-goes-past-63-chars-x-x}\nspec:\n"
       "  runStrategy: Always\n  template: {metadata: {labels: {expose: me}}, spec: {subdomain: "
       "mysubdomain}}\n---\n" +
           service(),
       "",
       "",
       "note: VirtualMachine default/"
       "vm-with-a-very-long-name-for-the-dns-tests-that-goes-past-63-chars-x-x: hostname "
       "\"vm-with-a-very-long-name-for-the-dns-tests-that-goes-past-63-ch\" is metadata.name "
       "truncated to 63 characters",
       "",
       {"t.yaml: document 1 (line 1): warning: VirtualMachine default/"
        "vm-with-a-very-long-name-for-the-dns-tests-that-goes-past-63-chars-x-x: metadata.name "
        "\"vm-with-a-very-long-name-for-the-dns-tests-that-goes-past-63-chars-x-x\" gives the "
        "hostname \"vm-with-a-very-long-name-for-the-dns-tests-that-goes-past-63-ch\" (truncated "
        "to 63 characters): set spec.template.spec.hostname to choose the name"}},
      {"the subdomain has a dot: KubeVirt accepts it, the launcher pod is refused",
       "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: vm-fedora}\nspec:\n"
       "  runStrategy: Always\n  template:\n    metadata: {labels: {expose: me}}\n"
       "    spec: {hostname: myvmi, subdomain: mysubdomain.default.svc}\n---\n" +
           service(),
       kName,
       "",
       "subdomain: spec.template.spec.subdomain \"mysubdomain.default.svc\" has a dot: KubeVirt "
       "accepts it, but the API server refuses the launcher pod, so the VM never starts",
       "set spec.template.spec.subdomain: mysubdomain",
       {"t.yaml: document 1 (line 1): warning: " + vm_object +
        ": spec.template.spec.subdomain \"mysubdomain.default.svc\" has a dot: KubeVirt accepts "
        "it, but the API server refuses the virt-launcher pod (a Pod's subdomain is one DNS "
        "label), so the VM never starts"}},
      {"the guest's resolver may not apply the search list to a name with a dot",
       page_vmi() + service(),
       "myvmi.mysubdomain",
       "vmi-fedora",
       "note: resolved through the search list: glibc applies it to a name with a dot, but "
       "resolvers that do not (systemd-resolved, for one) fail on \"myvmi.mysubdomain\"; use "
       "myvmi.mysubdomain.default.svc.cluster.local.",
       "",
       {}},
      {"two VMIs with the same hostname under one Service",
       page_vmi() + page_vmi("  phase: Running\n", "vmi-copy", "10.244.0.58") + service(),
       kName,
       "",
       "resolves to A 10.244.0.57, A 10.244.0.58",
       "",
       {"t.yaml: document 1 (line 1): warning: VirtualMachineInstance default/vmi-fedora: "
        "spec.hostname gives hostname \"myvmi\", as VirtualMachineInstance default/vmi-copy "
        "does, under Service default/mysubdomain: myvmi.mysubdomain.default.svc.<zone> resolves "
        "to both; give each VM its own hostname"}},
      {"a selector met by a Pod of its namespace only: a Pod of another namespace selects "
       "nothing",
       page_vmi() + service() + pod("db-0", "default", "app: db", "10.244.1.10") +
           service("10.96.0.10", "app: db", "db") +
           pod("db-0", "prod", "app: other", "10.244.1.11") + service_in("prod", "db", "app: db"),
       kName,
       "",
       "resolves to A 10.244.0.57",
       "",
       {"t.yaml: document 6 (line 57): warning: Service prod/db: spec.selector app=db selects no "
        "Pod, VirtualMachine or VirtualMachineInstance in namespace prod"}},
      {"labels on the VM's metadata needed by two Services: a warning for each, in Service order",
       vm("runStrategy: Always", "expose: me, tier: db", "kubevirt.io/domain: fedora") +
           service() + service("None", "tier: db", "backend") +
           service_in("prod", "backend", "tier: db"),
       kName,
       "",
       "selector: Service default/mysubdomain selects expose=me; the VMI of " + vm_object +
           " lacks expose=me (on the VM's own metadata.labels, which KubeVirt does not copy)",
       "move label expose=me from metadata.labels to spec.template.metadata.labels",
       {"t.yaml: document 1 (line 1): warning: " + vm_object +
            ": metadata.labels tier=db is needed by Service default/backend's selector, but "
            "KubeVirt copies only spec.template.metadata.labels to the VMI: move it to "
            "spec.template.metadata.labels",
        "t.yaml: document 1 (line 1): warning: " + vm_object +
            ": metadata.labels expose=me is needed by Service default/mysubdomain's selector, "
            "but KubeVirt copies only spec.template.metadata.labels to the VMI: move it to "
            "spec.template.metadata.labels",
        "t.yaml: document 3 (line 25): warning: Service default/backend: spec.selector tier=db "
        "selects no Pod, VirtualMachine or VirtualMachineInstance in namespace default",
        "t.yaml: document 2 (line 15): warning: Service default/mysubdomain: spec.selector "
        "expose=me selects no Pod, VirtualMachine or VirtualMachineInstance in namespace "
        "default",
        "t.yaml: document 4 (line 35): warning: Service prod/backend: spec.selector tier=db "
        "selects no Pod, VirtualMachine or VirtualMachineInstance in namespace prod"}},
      {"a subdomain with no Service of that name",
       page_vmi(),
       kName,
       "",
       "service: no Service mysubdomain in namespace default, though VirtualMachineInstance "
       "default/vmi-fedora uses subdomain mysubdomain",
       "create a headless Service mysubdomain (clusterIP: None) in namespace default whose "
       "selector matches the VM's spec.template.metadata.labels",
       {"t.yaml: document 1 (line 1): warning: VirtualMachineInstance default/vmi-fedora: "
        "spec.subdomain \"mysubdomain\" names no Service in namespace default: create a headless "
        "Service mysubdomain selecting the VM, or the VM gets no name"}},
      {"the name asks for another namespace",
       page_vmi() + service(),
       "myvmi.mysubdomain.prod.svc.cluster.local",
       "",
       "namespace: no object is in namespace prod",
       "hostname myvmi is in namespace default: ask for the name in that namespace",
       {}},
      {"dnsConfig over KubeVirt's limits: the VMI is refused",
       vm("runStrategy: Always", "", "expose: me",
          "      dnsConfig: {searches: [a.example, b.example, c.example, d.example, e.example, "
          "f.example, g.example]}\n") +
           service(),
       kName,
       "",
       "readiness: " + vm_object +
           " never starts: KubeVirt refuses its VMI: dnsConfig has more than 6 search paths",
       "keep spec.template.spec.dnsConfig.searches to 6 entries and 256 characters",
       {"t.yaml: document 1 (line 1): warning: " + vm_object +
        ": spec.template.spec.dnsConfig.searches has 7 entries: KubeVirt refuses a VMI with "
        "more than 6 search paths"}},
  };
}

std::string explain_line(const NameExplanation& e) {
  if (!e.resolves) {
    return std::string(step_name(e.diagnosis.step)) + ": " + e.diagnosis.reason;
  }
  if (!e.notes.empty()) {
    return "note: " + e.notes.front();
  }
  std::string out = "resolves to ";
  for (size_t i = 0; i < e.records.size(); ++i) {
    out += (i == 0 ? "" : ", ") + e.records[i];
  }
  return out;
}

class MistakesTest : public testing::TestWithParam<Case> {};

TEST_P(MistakesTest, ExplainedAndWarned) {
  const Case& c = GetParam();
  sources::LoadResult loaded = sources::load_manifest_text(c.manifests, "t.yaml");
  ASSERT_FALSE(loaded.has_errors());
  rules::ZoneConfig config;
  config.zones.push_back(*dns::Name::from_text("cluster.local"));
  resolvconf::ClusterDns cluster;

  if (c.name.empty()) {
    std::string table = views_table(workload_views(loaded.state, config, cluster));
    EXPECT_NE(table.find(c.explain_line + "\n"), std::string::npos) << table;
  } else {
    std::string error;
    auto e = explain_name(loaded.state, config, cluster, {c.name, c.from_vmi, ""}, &error);
    ASSERT_TRUE(e.has_value()) << error;
    EXPECT_EQ(explain_line(*e), c.explain_line);
    EXPECT_EQ(e->resolves ? "" : e->diagnosis.fix, c.fix);
  }

  Strings warnings;
  for (const cluster::Diagnostic& d : loaded.diagnostics) {
    warnings.push_back(d.to_string());  // the decoders' own, if any
  }
  for (const cluster::Diagnostic& d : find_mistakes(loaded.state)) {
    warnings.push_back(d.to_string());
  }
  EXPECT_EQ(warnings, c.warnings);
}

INSTANTIATE_TEST_SUITE_P(Table, MistakesTest, testing::ValuesIn(cases()));

}  // namespace
}  // namespace vmdns::explain
