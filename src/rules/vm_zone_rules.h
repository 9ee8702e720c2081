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
// The zone is built in parts, so that a change rebuilds only its namespace's names: a top with
// the apex records, and a shard per namespace, <namespace>.<zone> (Zone::join at depth 1).
//
//   std::vector<VmZoneName> names = vm_zone_names(state, config, "default");
//   table.set(*shard_apex, make_shared<const Zone>(build_vm_zone_shard(config, "default", names)));
//   Zone zone = Zone::join(build_vm_zone_top(config, table), table_ptr, {kVmZoneShardDepth});

#include <cstdint>
#include <optional>
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

// The depth below the apex of the shards' apexes, <namespace>.<zone>.
constexpr uint8_t kVmZoneShardDepth = 1;

// Every name of config.vm_zone (empty without one) of the VMIs in namespace `namespace_name`.
std::vector<VmZoneName> vm_zone_names(const cluster::State& state, const ZoneConfig& config,
                                      const std::string& namespace_name);

// <namespace>.<zone>, the apex of a namespace's shard; nullopt when too long.
std::optional<dns::Name> vm_zone_shard_apex(const ZoneConfig& config,
                                            const std::string& namespace_name);

// One namespace's shard: `names`, and for a namespace named "ns" the nameserver's addresses
// (ns.<zone> is then that shard's apex). Requires config.vm_zone.
zone::Zone build_vm_zone_shard(const ZoneConfig& config, const std::string& namespace_name,
                         const std::vector<VmZoneName>& names);

// The top: SOA, NS and the nameserver's addresses, unless `shards` has a shard for a namespace
// named "ns", which holds them. Requires config.vm_zone.
zone::Zone build_vm_zone_top(const ZoneConfig& config, const zone::ShardTable& shards);

}  // namespace vmdns::rules
