#pragma once
// The --vm-zone: names for VMIs on secondary (Multus) networks, where no Service and no
// EndpointSlice reach, served from the VMI's status as KubeVirt's KubeSecondaryDNS add-on does
// (github.com/kubevirt/kubesecondarydns, pkg/zonemgr and pkg/controllers):
//   <interface>.<vmi>.<namespace>.<zone>  A/AAAA: every address of that secondary interface
//   <vmi>.<namespace>.<zone>              A: the IPv4 addresses of the secondary interface whose
//                                         record sorts first among those with one (by name, as
//                                         KubeSecondaryDNS's default record); AAAA: the IPv6
//                                         addresses of the first by name with one. The order of
//                                         status.interfaces plays no part.
//   <zone>                                SOA, NS ns.<zone>; ns.<zone> A/AAAA
// A secondary interface is an entry of status.interfaces with a name (the network's) that is
// not attached to the pod network; interfaces only the guest agent reports have no name and are
// skipped. Names that are not DNS-1123 labels are skipped (the decoder warns). A VMI whose
// phase is Succeeded or Failed has no names: its addresses may already be someone else's.
//
// With --vm-zone-pod-network (config.vm_zone_pod_network), a name for every VM, no Service
// needed: the pod network's interface (spec.networks' `pod: {}` or Multus `default: true`) is
// named too, <interface>.<vmi>.<namespace>.<zone> with its PTRs, and <vmi>.<namespace>.<zone>
// answers the pod network's addresses, A and AAAA, instead of the first secondary interface's:
// the addresses the cluster routes to. A family the pod network lacks has no record there, and
// a VMI attached to the pod network whose interface has no address yet has none either, rather
// than a secondary network's for a while. A VMI not on the pod network keeps KubeSecondaryDNS's
// default. The PTRs of an address that also has cluster-zone PTRs come after them
// (reverse_rules.h).
//
// The zone is built in parts, so that a change rebuilds only its own VMI's names: a top with
// the apex records, ns.<zone> and the namespaces' names (<namespace>.<zone>, empty
// non-terminals), and the names of the VMIs, <vmi>.<namespace>.<zone> and below, in leaf buckets
// by the VMI's label (zone/pod_leaves.h, `subtrees`), whatever the size of the namespace.
//
//   std::vector<VmZoneName> names;
//   add_vm_zone_names(vmi, config, names);            // each VMI of a bucket
//   leaves->buckets[b] = make_shared<const Zone>(build_vm_zone_bucket(config, names));
//   Zone zone = Zone::with_leaves(build_vm_zone_top(config, namespaces_with_names), leaves);

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cluster/model.h"
#include "dns/name.h"
#include "rules/zone_config.h"
#include "zone/snapshot.h"

namespace vmdns::rules {

struct VmZoneName {
  dns::Name owner;
  cluster::IpAddress address;
  bool is_interface = false;  // <interface>.<vmi>.<ns>.<zone>, the name a PTR points to
};

// The names of `vmi` in config.vm_zone (none without one, or when its namespace or name makes
// no name), appended to `out`.
void add_vm_zone_names(const cluster::VirtualMachineInstance& vmi, const ZoneConfig& config,
                       std::vector<VmZoneName>& out);

// The label of a VMI's names two below the apex that a leaf bucket is chosen by: its name,
// lowercased.
std::string vm_zone_bucket_label(const cluster::ObjectKey& vmi);

// One leaf bucket: the names of the VMIs in it (add_vm_zone_names), under the zone's apex.
// Requires config.vm_zone.
zone::Zone build_vm_zone_bucket(const ZoneConfig& config, const std::vector<VmZoneName>& names);

// The top: SOA, NS, the nameserver's addresses at ns.<zone>, and <namespace>.<zone> for each of
// `namespaces` (those with a VMI's name). Requires config.vm_zone.
zone::Zone build_vm_zone_top(const ZoneConfig& config, const std::set<std::string>& namespaces);

}  // namespace vmdns::rules
