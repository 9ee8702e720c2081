#pragma once
// PTR records in the reverse zones (Kubernetes DNS specification, schema 1.1.0, section 2.5;
// CoreDNS's reverse lookups through the kubernetes plugin):
//   <reverse of a cluster IP>   PTR <svc>.<ns>.svc.<zone>.
//   <reverse of an endpoint>    PTR <endpoint>.<svc>.<ns>.svc.<zone>.  (published endpoints)
// One PTR per Service that has the address; an address that is a cluster IP of any Service
// gets only the cluster-IP PTRs. Targets are in the first cluster zone. Each reverse zone has
// its own SOA and NS (ns.dns.<first zone>), so negative answers inside it carry its SOA.
// A PTR goes to the most specific reverse zone that holds its name; outside all, it is dropped.
// The --vm-zone adds a PTR to <iface>.<vmi>.<ns>.<vm-zone>. for each secondary interface address.

#include <vector>

#include "cluster/model.h"
#include "zone/config.h"
#include "zone/endpoints.h"
#include "zone/snapshot.h"

namespace vmdns::zone {

struct ServiceEndpoints {
  const cluster::Service* service;
  const std::vector<Endpoint>* endpoints;
};

// A PTR from outside the cluster zones (the --vm-zone's interface names), with its own TTL.
struct AddressName {
  cluster::IpAddress address;
  dns::Name name;
  uint32_t ttl;
};

// `more` adds PTRs next to the cluster ones: an address that has both gets both.
std::vector<Zone> build_reverse_zones(const ZoneConfig& config,
                                      const std::vector<ServiceEndpoints>& services,
                                      const std::vector<AddressName>& more = {});

}  // namespace vmdns::zone
