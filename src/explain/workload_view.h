#pragma once
// `vmdns explain` without a name: for each VM and VMI, the names it gets (or will get when it
// starts), the Services that select it, its state, and the short names that resolve from inside
// its own guest with the search list KubeVirt gives it.
//
//   for (const WorkloadView& w : workload_views(state, zone_config, cluster_dns)) {
//     w.object;       // "VirtualMachineInstance default/vmi-fedora"
//     w.names;        // {"myvmi.mysubdomain.default.svc.cluster.local.", ...}
//     w.short_names;  // {"myvmi", "myvmi.mysubdomain", ...}
//   }

#include <string>
#include <vector>

#include "cluster/model.h"
#include "resolvconf/pod_dns.h"
#include "rules/zone_config.h"

namespace vmdns::explain {

struct WorkloadView {
  std::string object;    // "VirtualMachine default/vm-fedora"
  std::string hostname;  // the guest's hostname (spec.hostname, else the name cut and truncated)
  std::string state;     // PlannedVmi::state_text()
  bool served = false;   // its names resolve now; otherwise only once it runs and is ready
  std::vector<std::string> addresses;  // its IPs; empty until it runs
  std::vector<std::string> services;   // "default/mysubdomain (headless)" whose selector matches
  // Every name with its address, with a trailing dot. A name holding an address the VMI does not
  // have yet shows it as "<ip>" ("<dashed-ip>.web.default.svc.cluster.local.").
  std::vector<std::string> names;
  std::vector<std::string> search;       // the guest's search list (DHCP option 119)
  std::vector<std::string> short_names;  // names the guest resolves to its own address
  std::vector<std::string> notes;        // why a name is missing or not what one would expect
};

std::vector<WorkloadView> workload_views(const cluster::State& state,
                                         const rules::ZoneConfig& config,
                                         const resolvconf::ClusterDns& cluster);

}  // namespace vmdns::explain
