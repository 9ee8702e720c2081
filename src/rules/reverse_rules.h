#pragma once
// PTR records in the reverse zones (Kubernetes DNS specification, schema 1.1.0, section 2.5;
// CoreDNS's reverse lookups through the kubernetes plugin):
//   <reverse of a cluster IP>   PTR <svc>.<ns>.svc.<zone>.
//   <reverse of an endpoint>    PTR <endpoint>.<svc>.<ns>.svc.<zone>.  (published endpoints)
// One PTR per Service that has the address; an address that is a cluster IP of any Service
// gets only the cluster-IP PTRs. Targets are in the first cluster zone. Each reverse zone has
// its own SOA and NS (ns.dns.<first zone>), so negative answers inside it carry its SOA.
// A PTR goes to the most specific reverse zone that holds its name; outside all, it is dropped.
// The --vm-zone adds a PTR to <iface>.<vmi>.<ns>.<vm-zone>. for each address of a named interface
// (the secondary ones; with --vm-zone-pod-network the pod network's too). An address that also
// has cluster-zone PTRs (a headless Service's endpoint) keeps them first and whole, the vm zone's
// after them, and the set takes the cluster zone's TTL (one TTL per RRset, RFC 2181 section
// 5.2): a resolver that reads the first PTR (glibc's getnameinfo) names the address as CoreDNS
// does; without --vm-zone-pod-network no pod network address gets a vm zone PTR at all.
// ReverseZoneSet (reverse_zone_set.h) keeps these zones from one snapshot to the next.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "cluster/model.h"
#include "dns/name.h"
#include "rules/dashed_name.h"
#include "rules/endpoints.h"
#include "rules/kept_endpoints.h"
#include "rules/zone_config.h"

namespace vmdns::rules {

struct ServiceEndpoints {
  const cluster::Service* service;
  const KeptEndpoints* endpoints;
};

// A PTR from outside the cluster zones (the --vm-zone's interface names), with its own TTL.
struct AddressName {
  cluster::IpAddress address;
  dns::Name name;
  uint32_t ttl;
  bool operator==(const AddressName&) const = default;
};

// <svc>.<ns>.svc.<zone>, or nullopt when a label is not valid (never published).
std::optional<dns::Name> service_ptr_target(const cluster::Service& service, const dns::Name& zone);

// Calls f(address, endpoint) for each address `service` has a PTR at: its cluster IPs
// (endpoint == nullptr) unless it is headless, then its published endpoints; none for an
// ExternalName or an ignored empty Service.
template <typename F>
void for_each_ptr_address(const ZoneConfig& config, const cluster::Service& service,
                          const KeptEndpoints& endpoints, F&& f) {
  if (service.type == cluster::ServiceType::ExternalName ||
      is_ignored_empty(service, endpoints, config.ignore_empty_service)) {
    return;
  }
  if (!service.headless) {
    for (const cluster::IpAddress& address : service.cluster_ips) {
      f(address, static_cast<const KeptEndpoint*>(nullptr));
    }
  }
  for (const KeptEndpoint& endpoint : endpoints) {
    if (is_published(endpoint, service)) {
      f(endpoint.address, &endpoint);
    }
  }
}

// The PTR targets of the addresses of one part of a reverse zone: every (address, target)
// pair, given in any order, handed back sorted by address with a Service's cluster IPs first
// and otherwise in the order added, the targets' wire names back to back in one buffer. A sort
// of small entries rather than maps of name vectors: a million endpoints cost one allocation of
// entries and one of names.
class PtrTargets {
 public:
  void add(const cluster::IpAddress& address, bool endpoint, std::span<const uint8_t> target);

  // Calls f(address, target wire) for each PTR: an address that is a cluster IP gets only the
  // cluster-IP targets (CoreDNS looks Services up by IP before endpoints).
  template <typename F>
  void for_each(F&& f) {
    sort();
    bool is_cluster_ip = false;  // the current address: its first entry tells
    for (size_t i = 0; i < entries_.size(); ++i) {
      const Entry& e = entries_[i];
      if (i == 0 || entries_[i - 1].address != e.address) {
        is_cluster_ip = !e.endpoint;
      }
      if (e.endpoint && is_cluster_ip) {
        continue;
      }
      f(e.address, std::span<const uint8_t>(names_.data() + e.name, e.length));
    }
  }

 private:
  struct Entry {
    cluster::IpAddress address;
    bool endpoint;   // false: a cluster IP
    uint32_t order;  // when added
    uint32_t name;   // offset of the target's wire name in names_
    uint16_t length;
  };
  void sort();

  std::vector<Entry> entries_;
  std::vector<uint8_t> names_;
};

}  // namespace vmdns::rules
