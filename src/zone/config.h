#pragma once
// What a snapshot is built for: the zones we are authoritative for and their TTLs.

#include <cstdint>
#include <vector>

#include "cluster/ip_address.h"
#include "dns/name.h"

namespace vmdns::zone {

struct ZoneConfig {
  // Cluster domains, e.g. cluster.local. Every record is published under each of them.
  std::vector<dns::Name> zones;
  uint32_t ttl = 5;           // answers
  uint32_t negative_ttl = 5;  // the SOA minimum, and the TTL of the SOA in negative answers
  uint32_t serial = 1;        // SOA serial; serve uses the build time so that it moves
  // Addresses of ns.dns.<zone>, the apex NS target (the server's advertised address).
  std::vector<cluster::IpAddress> nameserver_addresses;
};

}  // namespace vmdns::zone
