// VirtualMachine: its run strategy and the template's labels and DNS fields, which KubeVirt
// copies into the VMI it starts.

#include "cluster/dns1123.h"
#include "cluster/virtual_machine.h"
#include "sources/dns_config_fields.h"
#include "sources/kind_decoders.h"

namespace vmdns::sources {

std::optional<cluster::VirtualMachine> decode_vm(FieldReader& reader, const Field& root,
                                                 cluster::ObjectMeta meta) {
  cluster::VirtualMachine vm;
  vm.meta = std::move(meta);
  Field spec = reader.map(root["spec"]);
  Field running = spec["running"];
  Field strategy = spec["runStrategy"];
  vm.running = reader.boolean(running);
  vm.run_strategy = reader.string(strategy).value_or("");
  if (!vm.run_strategy.empty() && !cluster::is_run_strategy(vm.run_strategy)) {
    reader.error(strategy.path, quoted(vm.run_strategy) +
                                    " is not one of Always, RerunOnFailure, Once, Halted, Manual");
  }
  // KubeVirt's VM admitter refuses the VM when both are set.
  if (vm.running && !vm.run_strategy.empty()) {
    reader.error(running.path, "and spec.runStrategy must not both be set");
  }

  Field vmi_template = reader.map(spec["template"]);
  Field template_meta = reader.map(vmi_template["metadata"]);
  Field template_spec = reader.map(vmi_template["spec"]);
  cluster::VirtualMachineInstance& vmi = vm.vmi_template;
  vmi.meta.namespace_name = vm.meta.namespace_name;
  vmi.meta.name = vm.meta.name;
  vmi.meta.origin = vm.meta.origin;
  if (std::optional<cluster::Labels> labels = reader.string_map(template_meta["labels"])) {
    vmi.meta.labels = std::move(*labels);
  }
  vmi.hostname = decode_label_field(reader, template_spec["hostname"]);
  // KubeVirt accepts a subdomain with dots; the launcher pod it makes is then refused by the API
  // server (a Pod's subdomain is one label). Kept as written, so that explain/ can say why the
  // VM never runs.
  Field subdomain = template_spec["subdomain"];
  vmi.subdomain = reader.string(subdomain).value_or("");
  if (!vmi.subdomain.empty() && !cluster::is_dns1123_subdomain(vmi.subdomain)) {
    reader.error(subdomain.path, quoted(vmi.subdomain) + " is not a DNS-1123 subdomain");
  }
  vmi.dns_policy = decode_dns_policy(reader, template_spec["dnsPolicy"]);
  vmi.dns_config = decode_dns_config(reader, template_spec["dnsConfig"], vmi.dns_policy);
  vmi.pod_network = decode_pod_network_name(reader, template_spec).value_or("");
  if (reader.failed()) {
    return std::nullopt;
  }
  return vm;
}

}  // namespace vmdns::sources
