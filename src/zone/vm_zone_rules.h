#pragma once
// The --vm-zone: names for VMIs on secondary (Multus) networks, where no Service and no
// EndpointSlice reach, served from the VMI's status as KubeVirt's KubeSecondaryDNS add-on does
// (github.com/kubevirt/kubesecondarydns, pkg/zonemgr and pkg/controllers):
//   <interface>.<vmi>.<namespace>.<zone>  A/AAAA: every address of that secondary interface
//   <vmi>.<namespace>.<zone>              A/AAAA: the addresses of the first secondary interface,
//                                         in status.interfaces order, that has an address
//   <zone>                                SOA, NS ns.<zone>; ns.<zone> A/AAAA
// A secondary interface is an entry of status.interfaces with a name (the network's) that is
// not attached to the pod network; interfaces only the guest agent reports have no name and are
// skipped. Names that are not DNS-1123 labels are skipped (the decoder warns). A VMI whose
// phase is Succeeded or Failed has no names: its addresses may already be someone else's.
//
//   std::vector<VmZoneName> names = vm_zone_names(state, config, namespaces);
//   Zone zone = build_vm_zone(config, names);  // the interface names are also the PTR targets

#include <set>
#include <string>
#include <vector>

#include "cluster/model.h"
#include "dns/name.h"
#include "zone/config.h"
#include "zone/snapshot.h"

namespace vmdns::zone {

struct VmZoneName {
  dns::Name owner;
  cluster::IpAddress address;
  bool is_interface = false;  // <interface>.<vmi>.<ns>.<zone>, the name a PTR points to
};

// Every name of config.vm_zone (empty without one), for the VMIs in `namespaces`.
std::vector<VmZoneName> vm_zone_names(const cluster::State& state, const ZoneConfig& config,
                                      const std::set<std::string>& namespaces);

// The zone itself; requires config.vm_zone.
Zone build_vm_zone(const ZoneConfig& config, const std::vector<VmZoneName>& names);

}  // namespace vmdns::zone
