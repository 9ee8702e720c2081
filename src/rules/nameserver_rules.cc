#include "rules/nameserver_rules.h"

#include <algorithm>
#include <optional>

#include "rules/dashed_name.h"

namespace vmdns::rules {
namespace {

bool is_advertised(const ZoneConfig& config, const cluster::IpAddress& address) {
  return std::find(config.nameserver_addresses.begin(), config.nameserver_addresses.end(),
                   address) != config.nameserver_addresses.end();
}

void add_target(std::vector<ApexNameserver>& out, const dns::Name& name,
                const cluster::IpAddress& address) {
  auto same = [&name](const ApexNameserver& ns) { return ns.name == name; };
  auto found = std::find_if(out.begin(), out.end(), same);
  if (found == out.end()) {
    out.push_back({name, {}});
    found = out.end() - 1;
  }
  if (std::find(found->addresses.begin(), found->addresses.end(), address) ==
      found->addresses.end()) {
    found->addresses.push_back(address);
  }
}

// The names and addresses one Service contributes when one of its published endpoints holds an
// advertised address: the Service's own name and cluster IPs, or, headless, that endpoint's name.
void add_service_targets(const ZoneConfig& config, const dns::Name& apex,
                         const ServiceEndpoints& entry, std::vector<ApexNameserver>& out) {
  const cluster::Service& service = *entry.service;
  if (service.type == cluster::ServiceType::ExternalName) {
    return;
  }
  std::optional<dns::Name> service_name;
  for (const KeptEndpoint& endpoint : *entry.endpoints) {
    if (!is_published(endpoint, service) || !is_advertised(config, endpoint.address)) {
      continue;
    }
    if (!service_name) {
      service_name = apex.prepend("svc");
      service_name =
          service_name ? service_name->prepend(service.meta.namespace_name) : std::nullopt;
      service_name = service_name ? service_name->prepend(service.meta.name) : std::nullopt;
      if (!service_name) {
        return;  // not a valid label: the Service has no name in the zone
      }
    }
    if (service.headless) {
      if (auto host = service_name->prepend(endpoint.label())) {
        add_target(out, *host, endpoint.address);
      }
    } else {
      if (is_ignored_empty(service, *entry.endpoints, config.ignore_empty_service)) {
        return;
      }
      for (const cluster::IpAddress& cluster_ip : service.cluster_ips) {
        add_target(out, *service_name, cluster_ip);
      }
      return;
    }
  }
}

}  // namespace

std::vector<ApexNameserver> apex_nameservers(const ZoneConfig& config, const dns::Name& apex,
                                             const std::vector<ServiceEndpoints>& services) {
  std::vector<ApexNameserver> out;
  if (!config.nameserver_addresses.empty()) {
    for (const ServiceEndpoints& entry : services) {
      add_service_targets(config, apex, entry, out);
    }
  }
  if (out.empty()) {
    // No Service fronts us: the conventional name, with the advertised addresses as its glue.
    auto dns_label = apex.prepend("dns");
    auto ns_name = dns_label ? dns_label->prepend("ns") : std::nullopt;
    if (ns_name) {
      out.push_back({*ns_name, config.nameserver_addresses});
    }
  }
  return out;
}

}  // namespace vmdns::rules
