// VirtualMachineInstance: hostname, subdomain, DNS policy and config, the first interface's
// addresses, readiness.

#include "cluster/dns1123.h"
#include "cluster/kubevirt.h"
#include "sources/dns_config_fields.h"
#include "sources/kind_decoders.h"

namespace vmdns::sources {
namespace {

// KubeVirt reports the pod network first; its addresses are the ones the launcher pod has and
// the ones a headless Service publishes.
std::vector<cluster::IpAddress> first_interface_addresses(FieldReader& reader,
                                                          const Field& status) {
  std::vector<cluster::IpAddress> out;
  std::vector<Field> interfaces = reader.list(status["interfaces"]);
  if (interfaces.empty()) {
    return out;
  }
  Field first = reader.map(interfaces.front());
  std::vector<Field> texts = reader.list(first["ipAddresses"]);
  if (texts.empty()) {
    texts.push_back(first["ipAddress"]);
  }
  for (const Field& text : texts) {
    // Some clusters report "fd00::5/64": the prefix length is not part of the address.
    std::optional<cluster::IpAddress> address = reader.address(text, /*allow_prefix=*/true);
    // A link-local address is only reachable on the VMI's own link, never from other pods.
    if (address && !address->is_link_local()) {
      out.push_back(*address);
    }
  }
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
  std::map<std::string, std::string> conditions = decode_conditions(reader, status["conditions"]);
  vmi.addresses = first_interface_addresses(reader, status);

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
