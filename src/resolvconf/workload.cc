#include "resolvconf/workload.h"

namespace vmdns::resolvconf {

std::optional<WorkloadDns> workload_dns(const cluster::State* state, const ClusterDns& cluster,
                                        const WorkloadRef& ref, std::string* error) {
  WorkloadDns out;
  if (!ref.vmi.empty()) {
    const cluster::VirtualMachineInstance* vmi =
        find_object(state->vmis, "VirtualMachineInstance", ref.ns, ref.vmi, error);
    if (vmi == nullptr) {
      return std::nullopt;
    }
    out.description = "VirtualMachineInstance " + vmi->meta.namespace_name + "/" + vmi->meta.name +
                      ", the guest's view (DHCP options 6 and 119)";
    out.guest = guest_dns(cluster, *vmi);
    out.conf = out.guest->conf;
    out.warnings = out.guest->warnings;
    return out;
  }
  if (!ref.pod.empty()) {
    const cluster::Pod* pod = find_object(state->pods, "Pod", ref.ns, ref.pod, error);
    if (pod == nullptr) {
      return std::nullopt;
    }
    PodDns dns = pod_dns(cluster, pod->meta.namespace_name, pod->dns_policy, pod->dns_config);
    out.description = "Pod " + pod->meta.namespace_name + "/" + pod->meta.name;
    out.conf = std::move(dns.conf);
    out.warnings = std::move(dns.warnings);
    return out;
  }
  std::string ns = ref.ns.empty() ? "default" : ref.ns;
  PodDns dns = pod_dns(cluster, ns, "", std::nullopt);
  out.description = "a pod in namespace " + ns + " (dnsPolicy ClusterFirst)";
  out.conf = std::move(dns.conf);
  out.warnings = std::move(dns.warnings);
  return out;
}

}  // namespace vmdns::resolvconf
