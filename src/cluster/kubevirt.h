#pragma once
// KubeVirt's naming rules for a VMI's DNS identity and its virt-launcher pod.
//
//   sanitize_hostname("vm.with.dots")      // "vm"
//   vmi_hostname(vmi)                      // spec.hostname, else sanitize_hostname(name)
//   launcher_pod_labels(vmi)               // vmi labels + kubevirt.io=virt-launcher + ...

#include <string>
#include <string_view>

#include "cluster/model.h"

namespace vmdns::cluster {

// KubeVirt's SanitizeHostname: the name cut at the first '.', then truncated to 63 characters.
std::string sanitize_hostname(std::string_view vmi_name);
// The hostname a VMI's guest and its DNS records carry.
std::string vmi_hostname(const VirtualMachineInstance& vmi);
// Value of the launcher pod's vmi.kubevirt.io/id label: the name when it is at most 63
// characters; otherwise its first 54 characters, '-', and the first 8 hex digits of the
// name's SHA-1.
std::string vmi_id_label_value(std::string_view vmi_name);
// The labels of the VMI's virt-launcher pod, which Services select: the VMI's own labels plus
// kubevirt.io=virt-launcher, vmi.kubevirt.io/id=<id> and vm.kubevirt.io/name=<hostname>.
Labels launcher_pod_labels(const VirtualMachineInstance& vmi);

}  // namespace vmdns::cluster
