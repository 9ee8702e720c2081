// VirtualMachineInstance: hostname, subdomain, DNS policy and config, the interfaces and their
// addresses (the first one's for the cluster zone, the secondary ones for --vm-zone), readiness.

#include <algorithm>
#include <tuple>

#include "cluster/dns1123.h"
#include "cluster/kubevirt.h"
#include "sources/dns_config_fields.h"
#include "sources/kind_decoders.h"

namespace vmdns::sources {

// Without spec.networks, KubeVirt's admission webhook attaches the pod network as "default"
// (unless spec.domain.devices.autoattachPodInterface is false); an object read from the API
// server already carries that entry.
std::optional<std::string> decode_pod_network_name(FieldReader& reader, const Field& spec) {
  Field networks = spec["networks"];
  if (!networks.present()) {
    Field devices = reader.map(reader.map(spec["domain"])["devices"]);
    if (reader.boolean(devices["autoattachPodInterface"]).value_or(true)) {
      return "default";
    }
    return std::nullopt;
  }
  for (const Field& item : reader.list(networks)) {
    Field network = reader.map(item);
    Field multus = reader.map(network["multus"]);
    if (network["pod"].present() || reader.boolean(multus["default"]).value_or(false)) {
      return reader.string(network["name"]);
    }
  }
  return std::nullopt;
}

namespace {

// One entry of status.interfaces. Some clusters report "fd00::5/64": the prefix length is not
// part of the address. A link-local address is only reachable on the VMI's own link, never from
// other pods or from outside, so it is never published.
cluster::VmiInterface decode_interface(FieldReader& reader, const Field& item,
                                       const std::optional<std::string>& pod_network) {
  cluster::VmiInterface out;
  Field entry = reader.map(item);
  out.name = reader.string(entry["name"]).value_or("");
  out.pod_network = !out.name.empty() && pod_network == out.name;
  std::vector<Field> texts = reader.list(entry["ipAddresses"]);
  if (texts.empty()) {
    texts.push_back(entry["ipAddress"]);
  }
  for (const Field& text : texts) {
    std::optional<cluster::IpAddress> address = reader.address(text, /*allow_prefix=*/true);
    if (address && !address->is_link_local()) {
      out.addresses.push_back(*address);
    }
  }
  return out;
}

// --vm-zone publishes <interface>.<vmi>.<namespace>.<zone>: say which names cannot be labels.
void check_vm_zone_labels(FieldReader& reader, const cluster::VirtualMachineInstance& vmi,
                          const Field& status) {
  bool named_secondary = false;
  for (size_t i = 0; i < vmi.interfaces.size(); ++i) {
    const cluster::VmiInterface& nic = vmi.interfaces[i];
    if (nic.name.empty() || nic.pod_network || nic.addresses.empty()) {
      continue;
    }
    named_secondary = true;
    if (!cluster::is_dns1123_label(nic.name)) {
      reader.warning(status.path + ".interfaces[" + std::to_string(i) + "].name",
                     quoted(nic.name) + " is not a DNS-1123 label (" +
                         cluster::dns1123_label_problem(nic.name) +
                         "): the interface has no name under --vm-zone");
    }
  }
  if (named_secondary && !cluster::is_dns1123_label(vmi.meta.name)) {
    reader.warning("metadata.name", quoted(vmi.meta.name) + " is not a DNS-1123 label (" +
                                        cluster::dns1123_label_problem(vmi.meta.name) +
                                        "): the VMI has no names under --vm-zone");
  }
}

// status.migrationState, for the records of a live migration. Absent until the first migration;
// KubeVirt keeps the last one's state after it ends (completed or failed).
std::optional<cluster::MigrationState> decode_migration_state(FieldReader& reader,
                                                              const Field& status) {
  Field field = reader.map(status["migrationState"]);
  if (!field.present()) {
    return std::nullopt;
  }
  cluster::MigrationState out;
  out.source_node = reader.string(field["sourceNode"]).value_or("");
  out.source_pod = reader.string(field["sourcePod"]).value_or("");
  out.target_node = reader.string(field["targetNode"]).value_or("");
  out.target_pod = reader.string(field["targetPod"]).value_or("");
  out.completed = reader.boolean(field["completed"]).value_or(false);
  out.failed = reader.boolean(field["failed"]).value_or(false);
  out.aborted = reader.string(field["abortStatus"]).value_or("") == "Succeeded";
  return out;
}

}  // namespace

std::optional<cluster::VirtualMachineInstance> decode_vmi(FieldReader& reader, const Field& root,
                                                          cluster::ObjectMeta meta) {
  cluster::VirtualMachineInstance vmi;
  vmi.meta = std::move(meta);
  Field spec = reader.map(root["spec"]);
  vmi.hostname = decode_label_field(reader, spec["hostname"]);
  vmi.subdomain = decode_label_field(reader, spec["subdomain"]);
  // KubeVirt copies both to the virt-launcher pod; the guest's DHCP answer is made from the
  // resolv.conf that pod gets.
  vmi.dns_policy = decode_dns_policy(reader, spec["dnsPolicy"]);
  vmi.dns_config = decode_dns_config(reader, spec["dnsConfig"], vmi.dns_policy);
  if (vmi.hostname.empty() && cluster::is_dns1123_subdomain(vmi.meta.name)) {
    // KubeVirt truncates the name without trimming, so a cut can end in '-'. The launcher pod's
    // spec.hostname is then not a DNS-1123 label and the API server rejects the pod.
    std::string derived = cluster::sanitize_hostname(vmi.meta.name);
    if (!cluster::is_dns1123_label(derived)) {
      reader.warning("metadata.name", "gives the hostname \"" + derived +
                                          "\", which is not a DNS-1123 label (" +
                                          cluster::dns1123_label_problem(derived) +
                                          "): KubeVirt's launcher pod will be rejected; set "
                                          "spec.hostname");
    }
  }

  Field status = reader.map(root["status"]);
  vmi.phase = reader.string(status["phase"]).value_or("");
  vmi.node_name = reader.string(status["nodeName"]).value_or("");
  vmi.migration = decode_migration_state(reader, status);
  std::map<std::string, std::string> conditions = decode_conditions(reader, status["conditions"]);
  std::optional<std::string> pod_network = decode_pod_network_name(reader, spec);
  vmi.pod_network = pod_network.value_or("");
  for (const Field& item : reader.list(status["interfaces"])) {
    vmi.interfaces.push_back(decode_interface(reader, item, pod_network));
  }
  // KubeVirt reports the pod network first: its addresses are the VMI's (addresses()).
  check_vm_zone_labels(reader, vmi, status);
  // The guest agent and Multus may list the same interfaces in another order. Nothing DNS serves
  // depends on it but the first entry (the VMI's addresses), so that entry stays and the others
  // are kept sorted: the same interfaces in another order are the same VMI, a change that
  // changes nothing, and no new snapshot or serial is published for it.
  if (vmi.interfaces.size() > 2) {
    std::sort(vmi.interfaces.begin() + 1, vmi.interfaces.end(),
              [](const cluster::VmiInterface& a, const cluster::VmiInterface& b) {
                return std::tie(a.name, a.addresses, a.pod_network) <
                       std::tie(b.name, b.addresses, b.pod_network);
              });
  }

  if (conditions.empty()) {
    // Older KubeVirt versions and hand-written manifests carry only the phase.
    vmi.ready = vmi.phase == "Running";
  } else {
    auto ready = conditions.find("Ready");
    vmi.ready = ready != conditions.end() && ready->second == "True";
  }
  auto paused = conditions.find("Paused");
  vmi.paused = paused != conditions.end() && paused->second == "True";
  if (vmi.paused) {
    vmi.ready = false;  // a paused guest answers nothing
  }
  if (reader.failed()) {
    return std::nullopt;
  }
  return vmi;
}

}  // namespace vmdns::sources
