#pragma once
// Which virt-launcher pod runs a VMI's guest during and after a live migration.
//
// While a VMI migrates, its Services select two launcher pods, source and target, both ready
// (the EndpointSlice lists both); only one of them runs the guest. KubeVirt's
// status.migrationState says which: until the handoff the source runs it; at the handoff
// KubeVirt moves status.nodeName to the target node; once `completed`, only the target does,
// even while the source pod lingers ready; a failed or aborted migration leaves the VM on the
// source. An endpoint of a pod that does not run the guest is not an address of the VM.
//
//   launcher_role(vmi, "virt-launcher-db-x7k2p", "node-b")
//     // RunsGuest, DoesNotRunGuest, or NotALauncher (not one of this VMI's launcher pods)
//
// A launcher pod is named by KubeVirt's generateName "virt-launcher-<vmi name>-", cut to 58
// characters as the API server cuts a generateName base, plus 5 random characters.

#include <string>
#include <string_view>
#include <vector>

#include "cluster/model.h"

namespace vmdns::cluster {

enum class LauncherRole {
  NotALauncher,     // not a launcher pod of this VMI, or the VMI has no migration state
  RunsGuest,        // a launcher pod of this VMI that runs the guest now
  DoesNotRunGuest,  // a launcher pod of this VMI that does not (yet, or any more)
};

// True when `pod_name` has the form of a launcher pod of the VMI named `vmi_name`.
bool is_launcher_pod_of(std::string_view vmi_name, std::string_view pod_name);

// What the names of the VMI's launcher pods start with: "virt-launcher-<vmi name>-", cut as the
// API server cuts it; a sorted map of pods finds them from there (lower_bound).
std::string launcher_pod_name_base(std::string_view vmi_name);

// The VMI name a launcher pod's name starts with ("virt-launcher-db-x7k2p" -> "db"), or, for a
// name the API server cut, the part of it that is left: every VMI whose name starts with it is a
// candidate (is_launcher_pod_of says which). Empty when `pod_name` is no launcher pod's name.
std::string_view launcher_vmi_name_prefix(std::string_view pod_name);

// The addresses of the launcher pods in `state` that run `vmi`'s guest by its migration state
// (launcher_role, by pod name): after the handoff the target pod's, which the VMI's
// status.interfaces report only a little later. Empty without a migration state.
std::vector<IpAddress> guest_pod_addresses(const State& state, const VirtualMachineInstance& vmi);

// The role of the pod `pod_name` on `node_name` (either may be empty when unknown) for `vmi`,
// by its status.migrationState and status.nodeName. Without a migration state every pod is
// NotALauncher: nothing to decide, the endpoint stands as listed.
LauncherRole launcher_role(const VirtualMachineInstance& vmi, std::string_view pod_name,
                           std::string_view node_name);

}  // namespace vmdns::cluster
