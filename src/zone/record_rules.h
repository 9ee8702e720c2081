#pragma once
// The record rules: which names and records the cluster objects produce in one zone.
//
// Kubernetes DNS-Based Service Discovery specification (schema 1.1.0), plus KubeVirt's VMI
// names, which are endpoint hostnames of the headless Service named like the VMI's subdomain:
//   <svc>.<ns>.svc.<zone>            A/AAAA: cluster IPs, or ready endpoints when headless
//   <hostname>.<svc>.<ns>.svc.<zone> A/AAAA: ready endpoints with that hostname (headless)
//   <svc>.<ns>.svc.<zone>            CNAME: spec.externalName for type ExternalName
//   <zone>                           SOA, NS ns.dns.<zone>; ns.dns.<zone> A/AAAA
//   svc.<zone>, <ns>.svc.<zone>      exist (NODATA) for every known namespace

#include <string>
#include <vector>

#include "cluster/model.h"
#include "dns/name.h"
#include "zone/config.h"
#include "zone/endpoints.h"
#include "zone/zone_builder.h"

namespace vmdns::zone {

class RecordRules {
 public:
  RecordRules(const ZoneConfig& config, const dns::Name& apex, ZoneBuilder& builder);

  void add_apex();
  void add_namespace(const std::string& namespace_name);
  void add_service(const cluster::Service& service, const std::vector<Endpoint>& endpoints);

 private:
  void add_address(const dns::Name& owner, const cluster::IpAddress& address);
  void add_headless(const dns::Name& service_name, const cluster::Service& service,
                    const std::vector<Endpoint>& endpoints);

  const ZoneConfig& config_;
  dns::Name apex_;
  dns::Name svc_;  // svc.<zone>
  ZoneBuilder& builder_;
};

}  // namespace vmdns::zone
