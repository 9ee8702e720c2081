#pragma once
// Who the apex NS of a cluster zone names, as CoreDNS's kubernetes plugin decides it (nsAddrs):
//
//   the advertised address is a ready endpoint of Service kube-dns (ClusterIP 10.96.0.10):
//     cluster.local NS kube-dns.kube-system.svc.cluster.local     (its A: 10.96.0.10)
//     ns.dns.cluster.local A 10.96.0.10
//   ... of a headless Service dns (endpoint hostname dns-0, 10.244.0.5):
//     cluster.local NS dns-0.dns.kube-system.svc.cluster.local    (its A: 10.244.0.5)
//   ... of no Service (vmdns outside the cluster, or before its endpoints exist):
//     cluster.local NS ns.dns.cluster.local, ns.dns.cluster.local A <advertised address>
//
// Resolvers that follow the NS then reach the server by the name and address the cluster gave it,
// and a replica that moves keeps the Service's stable address.

#include <vector>

#include "cluster/ip_address.h"
#include "dns/name.h"
#include "rules/reverse_rules.h"
#include "rules/zone_config.h"

namespace vmdns::rules {

struct ApexNameserver {
  dns::Name name;                             // the NS target
  std::vector<cluster::IpAddress> addresses;  // what ns.dns.<zone> answers for it
};

// The NS targets of `apex`, one per distinct name, in the Services' order; never empty.
std::vector<ApexNameserver> apex_nameservers(const ZoneConfig& config, const dns::Name& apex,
                                             const std::vector<ServiceEndpoints>& services);

}  // namespace vmdns::rules
