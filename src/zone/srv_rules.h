#pragma once
// SRV records of a Service (Kubernetes DNS specification, schema 1.1.0, sections 2.4.1 and
// 2.4.2), weighted the way CoreDNS's plugin.SRV weighs them.
//
// For each named port, `_<port>._<proto>.<svc>.<ns>.svc.<zone>` holds one SRV per candidate,
// and the bare `<svc>.<ns>.svc.<zone>` holds the SRVs of every named port. A candidate is one
// (address, port) pair: a cluster IP of a ClusterIP Service (target: the Service name), or a
// published endpoint of a headless Service (target: the endpoint's name). Every record of a set
// of N candidates has priority 0 and weight floor(100 / N), at least 1; candidates with the same
// target and port collapse into one record, but still count in N, as in CoreDNS.
//
//   _http._tcp.web.shop.svc.cluster.local. 5 IN SRV 0 100 80 web.shop.svc.cluster.local.

#include <cstdint>
#include <vector>

#include "cluster/model.h"
#include "dns/name.h"
#include "zone/zone_builder.h"

namespace vmdns::zone {

// floor(100 / candidates), at least 1; 100 for no candidate.
uint16_t srv_weight(size_t candidates);

// `targets` holds one entry per candidate address (repeated for a ClusterIP Service with two
// cluster IPs). Unnamed ports have no SRV.
void add_service_srv(ZoneBuilder& builder, uint32_t ttl, const dns::Name& service_name,
                     const std::vector<cluster::ServicePort>& ports,
                     const std::vector<dns::Name>& targets);

}  // namespace vmdns::zone
