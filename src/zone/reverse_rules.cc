#include "zone/reverse_rules.h"

#include <algorithm>
#include <map>
#include <optional>

#include "dns/rdata.h"
#include "zone/dashed_name.h"
#include "zone/reverse_zone.h"
#include "zone/zone_builder.h"

namespace vmdns::zone {
namespace {

std::optional<dns::Name> service_name(const cluster::Service& service, const dns::Name& apex) {
  auto svc = apex.prepend("svc");
  auto ns = svc ? svc->prepend(service.meta.namespace_name) : std::nullopt;
  return ns ? ns->prepend(service.meta.name) : std::nullopt;
}

// address -> PTR targets, cluster IPs first: an endpoint address that is also a cluster IP is
// named after the Service (CoreDNS looks services up by IP before endpoints).
std::map<cluster::IpAddress, std::vector<dns::Name>> ptr_targets(
    const ZoneConfig& config, const std::vector<ServiceEndpoints>& services,
    const dns::Name& apex) {
  std::map<cluster::IpAddress, std::vector<dns::Name>> cluster_ips;
  std::map<cluster::IpAddress, std::vector<dns::Name>> endpoints;
  for (const auto& [service, endpoints_of_service] : services) {
    const std::vector<Endpoint>& eps = *endpoints_of_service;
    if (service->type == cluster::ServiceType::ExternalName ||
        is_ignored_empty(*service, eps, config.ignore_empty_service)) {
      continue;
    }
    auto name = service_name(*service, apex);
    if (!name) {
      continue;
    }
    if (!service->headless) {
      for (const cluster::IpAddress& address : service->cluster_ips) {
        cluster_ips[address].push_back(*name);
      }
    }
    for (const Endpoint& endpoint : eps) {
      if (!is_published(endpoint, *service)) {
        continue;
      }
      if (auto host = name->prepend(endpoint_label(endpoint, config.endpoint_pod_names))) {
        endpoints[endpoint.address].push_back(*host);
      }
    }
  }
  for (auto& [address, names] : endpoints) {
    cluster_ips.try_emplace(address, std::move(names));  // a cluster IP keeps its own names
  }
  return cluster_ips;
}

}  // namespace

std::vector<Zone> build_reverse_zones(const ZoneConfig& config,
                                      const std::vector<ServiceEndpoints>& services,
                                      const std::vector<AddressName>& more) {
  std::vector<Zone> zones;
  if (config.reverse_zones.empty() || config.zones.empty()) {
    return zones;
  }
  const dns::Name& first = config.zones.front();
  dns::Name ns_name = *(*first.prepend("dns")).prepend("ns");
  dns::Name hostmaster = *first.prepend("hostmaster");

  // Distinct apexes, most specific first, so that a PTR lands in the deepest zone holding it.
  std::vector<dns::Name> apexes;
  for (const dns::Name& apex : config.reverse_zones) {
    if (std::find(apexes.begin(), apexes.end(), apex) == apexes.end()) {
      apexes.push_back(apex.lowercased());
    }
  }
  std::stable_sort(apexes.begin(), apexes.end(), [](const dns::Name& a, const dns::Name& b) {
    return a.label_count() > b.label_count();
  });
  std::vector<ZoneBuilder> builders;
  builders.reserve(apexes.size());
  for (const dns::Name& apex : apexes) {
    ZoneBuilder& b = builders.emplace_back(apex);
    b.add(apex, dns::RrType::SOA, config.negative_ttl,
          dns::rdata::soa(ns_name, hostmaster, config.serial, 7200, 1800, 86400,
                          config.negative_ttl));
    b.add(apex, dns::RrType::NS, config.ttl, dns::rdata::name(ns_name));
  }
  // The most specific reverse zone that holds `owner`, or nullptr.
  auto builder_for = [&](const dns::Name& owner) -> ZoneBuilder* {
    for (size_t i = 0; i < apexes.size(); ++i) {
      if (owner.is_subdomain_of(apexes[i])) {
        return &builders[i];
      }
    }
    return nullptr;
  };
  for (const auto& [address, targets] : ptr_targets(config, services, first)) {
    dns::Name owner = reverse_name(address);
    if (ZoneBuilder* b = builder_for(owner)) {
      for (const dns::Name& target : targets) {
        b->add(owner, dns::RrType::PTR, config.ttl, dns::rdata::name(target));
      }
    }
  }
  for (const AddressName& ptr : more) {
    dns::Name owner = reverse_name(ptr.address);
    if (ZoneBuilder* b = builder_for(owner)) {
      b->add(owner, dns::RrType::PTR, ptr.ttl, dns::rdata::name(ptr.name));
    }
  }
  for (ZoneBuilder& b : builders) {
    zones.push_back(std::move(b).finish());
  }
  return zones;
}

}  // namespace vmdns::zone
