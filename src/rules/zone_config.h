#pragma once
// What a snapshot is built for: the zones we are authoritative for and their TTLs.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cluster/ip_address.h"
#include "dns/name.h"

namespace vmdns::rules {

// Records under pod.<zone> (CoreDNS's `pods` option); pod.<zone> itself exists in every mode.
enum class PodMode {
  Disabled,  // nothing under pod.<zone>
  // <dashed-ip>.<ns>.pod.<zone> for any address written in the name, under every namespace that
  // exists: the one name family made at query time (pod_rules.h, dashed_address.h)
  Insecure,
  Verified,  // <dashed-ip>.<ns>.pod.<zone> only for a Pod or VMI address, in its namespace
};

// The TTL of KubeSecondaryDNS's zone file ($TTL 3600), the default of --vm-zone-ttl.
inline constexpr uint32_t kKubeSecondaryDnsTtl = 3600;

struct ZoneConfig {
  // Cluster domains, e.g. cluster.local. Every record is published under each of them.
  std::vector<dns::Name> zones;
  // Reverse zones (in-addr.arpa, ip6.arpa) served with PTRs for cluster IPs and endpoints; the
  // PTR targets are in the first cluster domain.
  std::vector<dns::Name> reverse_zones;
  // --fallthrough (CoreDNS's kubernetes `fallthrough ZONES`): a name at or below one of these
  // (lowercased; the root stands for every zone) that our data says does not exist is not ours
  // to deny: the answer path reports query::Outcome::Fallthrough, and the server forwards the
  // query upstream. They decide no record, only what an NXDOMAIN means.
  std::vector<dns::Name> fallthrough;
  uint32_t ttl = 5;           // answers
  uint32_t negative_ttl = 5;  // the SOA minimum, and the TTL of the SOA in negative answers
  uint32_t serial = 1;        // SOA serial; serve uses the build time so that it moves
  // Addresses of ns.dns.<zone>, the apex NS target (the server's advertised address).
  std::vector<cluster::IpAddress> nameserver_addresses;
  PodMode pods = PodMode::Disabled;
  // Endpoints without a hostname are named after their Pod or VMI (CoreDNS endpoint_pod_names).
  bool endpoint_pod_names = false;
  // A ClusterIP Service without a ready endpoint has no records (CoreDNS ignore empty_service).
  bool ignore_empty_service = false;
  // When not empty, only these namespaces exist; objects elsewhere are ignored.
  std::vector<std::string> namespaces;
  // --vm-zone: names of VMIs on secondary networks, <interface>.<vmi>.<namespace>.<vm_zone>
  // and <vmi>.<namespace>.<vm_zone>, as KubeSecondaryDNS serves them (vm_zone_rules.h).
  std::optional<dns::Name> vm_zone;
  uint32_t vm_zone_ttl = kKubeSecondaryDnsTtl;
  // --vm-zone-pod-network: the pod network's interface is named in the vm zone as well, and
  // <vmi>.<namespace>.<vm_zone> answers its addresses (vm_zone_rules.h). Needs vm_zone.
  bool vm_zone_pod_network = false;
  // Index the search list of every VMI (and, with PodMode::Verified, every Pod) by address,
  // for server-side search (Snapshot::clients()).
  bool client_search = false;
  // False while a source has not delivered its first full view of the cluster (the Kubernetes
  // API before its first list): a name we do not know may exist, so NXDOMAIN answers SERVFAIL
  // instead, as CoreDNS's kubernetes plugin does until its informers have synced.
  bool synced = true;
};

}  // namespace vmdns::rules
