#include "rules/record_rules.h"

#include <optional>

#include "dns/rdata.h"
#include "rules/constant_name.h"
#include "rules/dashed_name.h"
#include "rules/srv_rules.h"

namespace vmdns::rules {
namespace {

const dns::Name& must(const std::optional<dns::Name>& name) {
  return must_fit(name, "the zone");
}

}  // namespace

RecordRules::RecordRules(const ZoneConfig& config, const dns::Name& apex,
                         zone::ZoneBuilder& builder)
    : config_(config), apex_(apex), svc_(must(apex.prepend("svc"))), builder_(builder) {}

void RecordRules::add_apex(const std::vector<ApexNameserver>& nameservers) {
  dns::Name ns_name = must(must(apex_.prepend("dns")).prepend("ns"));
  dns::Name hostmaster = must(apex_.prepend("hostmaster"));
  // SOA timers as CoreDNS's kubernetes plugin publishes them; the minimum is the negative TTL
  // (RFC 2308 section 4). The primary stays ns.dns.<zone> whoever the NS names, as in CoreDNS.
  builder_.add(apex_, dns::RrType::SOA, config_.negative_ttl,
               dns::rdata::soa(ns_name, hostmaster, config_.serial, 7200, 1800, 86400,
                               config_.negative_ttl));
  for (const ApexNameserver& nameserver : nameservers) {
    builder_.add(apex_, dns::RrType::NS, config_.ttl, dns::rdata::name(nameserver.name));
    // ns.dns.<zone> answers every nameserver's addresses; a Service target has its own records.
    for (const cluster::IpAddress& address : nameserver.addresses) {
      add_address(ns_name, address);
    }
  }
  builder_.add_name(svc_);
  // Specification section 2.2: the schema version, with its own fixed TTL.
  const std::string version[] = {"1.1.0"};
  builder_.add(must(apex_.prepend("dns-version")), dns::RrType::TXT, kDnsVersionTtl,
               dns::rdata::txt(version));
}

void RecordRules::add_namespace(const std::string& namespace_name) {
  if (auto name = svc_.prepend(namespace_name)) {
    builder_.add_name(*name);
  }
}

// The rdata of an A or AAAA record is the address itself, and that of a CNAME its target's
// wire form: both go to the builder as they are, with no vector per record.
void RecordRules::add_address(const dns::Name& owner, const cluster::IpAddress& address) {
  if (address.is_v4()) {
    builder_.add(owner, dns::RrType::A, config_.ttl, std::span(address.bytes).first<4>());
  } else {
    builder_.add(owner, dns::RrType::AAAA, config_.ttl, address.bytes);
  }
}

void RecordRules::add_service(const cluster::Service& service,
                              const std::vector<Endpoint>& endpoints) {
  auto ns_name = svc_.prepend(service.meta.namespace_name);
  auto service_name = ns_name ? ns_name->prepend(service.meta.name) : std::nullopt;
  if (!service_name) {
    return;  // not a valid label: reported by validation, never published
  }
  switch (service.type) {
    case cluster::ServiceType::ExternalName:
      if (auto target = dns::Name::from_text(service.external_name);
          target && !service.external_name.empty() &&
          !cluster::IpAddress::parse(service.external_name)) {
        builder_.add(*service_name, dns::RrType::CNAME, config_.ttl, target->wire());
      }
      return;
    case cluster::ServiceType::ClusterIP:
    case cluster::ServiceType::NodePort:
    case cluster::ServiceType::LoadBalancer:
      if (service.headless) {
        add_headless(*service_name, service, endpoints);
      } else {
        add_cluster_ip(*service_name, service, endpoints);
      }
      return;
  }
}

void RecordRules::add_cluster_ip(const dns::Name& service_name, const cluster::Service& service,
                                 const std::vector<Endpoint>& endpoints) {
  if (is_ignored_empty(service, endpoints, config_.ignore_empty_service)) {
    return;  // CoreDNS `ignore empty_service`: NXDOMAIN rather than an address that refuses
  }
  for (const cluster::IpAddress& address : service.cluster_ips) {
    add_address(service_name, address);
  }
  // One SRV candidate per cluster IP and Service port (section 2.4.1).
  add_service_srv(builder_, config_.ttl, service_name, service.ports, service.cluster_ips.size());
  // Endpoint names resolve under ClusterIP Services too (CoreDNS answers them for any Service),
  // with their SRVs; the Service name itself keeps its cluster IPs and ports.
  add_endpoints(service_name, service, endpoints, /*headless=*/false);
}

void RecordRules::add_endpoints(const dns::Name& service_name, const cluster::Service& service,
                                const std::vector<Endpoint>& endpoints, bool headless) {
  std::vector<SrvEndpoint> targets;
  targets.reserve(endpoints.size());
  for (const Endpoint& endpoint : endpoints) {
    if (!is_published(endpoint, service)) {
      continue;
    }
    // Section 2.4.2: every ready endpoint has a name, its hostname or its dashed address.
    if (auto host = service_name.prepend(endpoint_label(endpoint, config_.endpoint_pod_names))) {
      add_address(*host, endpoint.address);
      targets.push_back({*host, endpoint.ports.get()});
    }
  }
  add_endpoint_srv(builder_, config_.ttl, service_name, targets, headless);
}

void RecordRules::add_headless(const dns::Name& service_name, const cluster::Service& service,
                               const std::vector<Endpoint>& endpoints) {
  // The Service name's addresses first, one after the other: the builder finds their owner once.
  for (const Endpoint& endpoint : endpoints) {
    if (is_published(endpoint, service)) {
      add_address(service_name, endpoint.address);
    }
  }
  // Its SRVs are the endpoints': clients connect to the endpoint, at the slice's port.
  add_endpoints(service_name, service, endpoints, /*headless=*/true);
}

}  // namespace vmdns::rules
