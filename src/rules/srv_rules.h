#pragma once
// SRV records of a Service (Kubernetes DNS specification, schema 1.1.0, sections 2.4.1 and
// 2.4.2), with the ports and weights CoreDNS answers.
//
// A candidate is one (address, port) pair; an SRV set holds one record per candidate, where
// candidates with the same target and port collapse into one record but still count.
//   ClusterIP   the Service's ports at each cluster IP; target the Service name.
//   endpoints   the ports of each endpoint's EndpointSlice (its targetPort: where clients of a
//               headless Service connect); target the endpoint's name. An endpoint whose slice
//               lists no port is one candidate without a record (CoreDNS's port -1 sentinel).
// The sets:
//   `_<port>._<proto>.<svc>.<ns>.svc.<zone>`  candidates of that named port (any case)
//   `<svc>.<ns>.svc.<zone>`                   every candidate, unnamed ports included
//   `<endpoint>.<svc>.<ns>.svc.<zone>`         that endpoint's candidates (any Service)
// Headless Services take their Service-name sets from endpoints, ClusterIP ones from cluster
// IPs. Every record of a set of N candidates has priority 0 and weight floor(100 / N), at least
// 1 (CoreDNS's plugin.SRV with every weight left at 0). A port 0 (an EndpointSlice port left
// unset) counts, but has no record.
//
//   _redis._tcp.db.shop.svc.cluster.local. 5 IN SRV 0 50 6380 db-0.db.shop.svc.cluster.local.

#include <cstdint>
#include <vector>

#include "cluster/model.h"
#include "dns/name.h"
#include "zone/zone_builder.h"

namespace vmdns::rules {

// floor(100 / candidates), at least 1; 100 for no candidate.
uint16_t srv_weight(size_t candidates);

// A ClusterIP Service's sets at its name and its `_<port>._<proto>` names: `ports` at each of
// `cluster_ips` addresses.
void add_service_srv(zone::ZoneBuilder& builder, uint32_t ttl, const dns::Name& service_name,
                     const std::vector<cluster::ServicePort>& ports, size_t cluster_ips);

// One published endpoint: its name (the SRV target) and its slice's ports (null: none).
struct SrvEndpoint {
  dns::Name target;
  const std::vector<cluster::ServicePort>* ports = nullptr;
};

// The sets of `endpoints` at their own names and, when `headless`, at the Service name and its
// `_<port>._<proto>` names.
void add_endpoint_srv(zone::ZoneBuilder& builder, uint32_t ttl, const dns::Name& service_name,
                      const std::vector<SrvEndpoint>& endpoints, bool headless);

}  // namespace vmdns::rules
