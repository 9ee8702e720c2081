#pragma once
// The record rules: which names and records the cluster objects produce in one zone.
//
// Kubernetes DNS-Based Service Discovery specification (schema 1.1.0), plus KubeVirt's VMI
// names, which are endpoint hostnames of the headless Service named like the VMI's subdomain:
//   <svc>.<ns>.svc.<zone>            A/AAAA: cluster IPs, or ready endpoints when headless
//   <endpoint>.<svc>.<ns>.svc.<zone> A/AAAA: each ready endpoint, named by its hostname, else
//                                    its Pod/VMI name (endpoint_pod_names), else its dashed IP;
//                                    SRV: its EndpointSlice's ports
//   _<port>._<proto>.<svc>...        SRV per named port; the bare service name holds them all:
//                                    the Service ports (ClusterIP) or the endpoints' (headless)
//                                    (srv_rules.h)
//   <svc>.<ns>.svc.<zone>            CNAME: spec.externalName for type ExternalName
//   <zone>                           SOA; NS ns.dns.<zone>, or the Service fronting us
//                                    (nameserver_rules.h); ns.dns.<zone> A/AAAA
//   dns-version.<zone>               TXT "1.1.0", TTL 28800
//   svc.<zone>, <ns>.svc.<zone>      exist (NODATA) for every known namespace

#include <string>
#include <vector>

#include "cluster/model.h"
#include "dns/name.h"
#include "rules/endpoints.h"
#include "rules/nameserver_rules.h"
#include "rules/zone_config.h"
#include "zone/zone_builder.h"

namespace vmdns::rules {

// TTL of dns-version.<zone> (specification section 2.2).
inline constexpr uint32_t kDnsVersionTtl = 28800;

class RecordRules {
 public:
  RecordRules(const ZoneConfig& config, const dns::Name& apex, zone::ZoneBuilder& builder);

  // SOA, NS (apex_nameservers()), ns.dns.<zone>, svc.<zone>, dns-version.<zone>.
  void add_apex(const std::vector<ApexNameserver>& nameservers);
  void add_namespace(const std::string& namespace_name);
  void add_service(const cluster::Service& service, const std::vector<Endpoint>& endpoints);

 private:
  void add_address(const dns::Name& owner, const cluster::IpAddress& address);
  void add_cluster_ip(const dns::Name& service_name, const cluster::Service& service,
                      const std::vector<Endpoint>& endpoints);
  void add_headless(const dns::Name& service_name, const cluster::Service& service,
                    const std::vector<Endpoint>& endpoints);
  // The names of the published endpoints, their addresses and SRVs (srv_rules.h); a headless
  // Service's SRVs at its own name too.
  void add_endpoints(const dns::Name& service_name, const cluster::Service& service,
                     const std::vector<Endpoint>& endpoints, bool headless);

  const ZoneConfig& config_;
  dns::Name apex_;
  dns::Name svc_;  // svc.<zone>
  zone::ZoneBuilder& builder_;
};

}  // namespace vmdns::rules
