#include "zone/build.h"

#include <algorithm>
#include <set>

#include "zone/client_search.h"
#include "zone/endpoints.h"
#include "zone/nameserver_rules.h"
#include "zone/pod_rules.h"
#include "zone/record_rules.h"
#include "zone/reverse_rules.h"
#include "zone/vm_zone_rules.h"
#include "zone/zone_builder.h"

namespace vmdns::zone {
namespace {

// --namespaces: when a list is given, only its namespaces exist.
bool is_allowed(const ZoneConfig& config, const std::string& namespace_name) {
  return config.namespaces.empty() || std::find(config.namespaces.begin(), config.namespaces.end(),
                                                namespace_name) != config.namespaces.end();
}

// A namespace exists when a Namespace object, or any object in it, exists.
std::set<std::string> known_namespaces(const cluster::State& state, const ZoneConfig& config) {
  std::set<std::string> out;
  for (const auto& [name, ns] : state.namespaces) {
    out.insert(name);
  }
  auto collect = [&out](const auto& objects) {
    for (const auto& [key, object] : objects) {
      out.insert(key.namespace_name);
    }
  };
  collect(state.vmis);
  collect(state.pods);
  collect(state.services);
  collect(state.endpoint_slices);
  std::erase_if(out, [&config](const std::string& ns) { return !is_allowed(config, ns); });
  return out;
}

}  // namespace

std::shared_ptr<const Snapshot> build(const cluster::State& state, const ZoneConfig& config) {
  // Endpoints do not depend on the zone: compute them once for all zones. A Service selects
  // only in its own namespace, so filtering Services filters their endpoints too.
  EndpointIndex index(state);
  std::vector<ServiceEndpoints> services;
  services.reserve(state.services.size());
  for (const auto& [key, service] : state.services) {
    if (is_allowed(config, key.namespace_name)) {
      services.push_back({&service, index.endpoints_of(service)});
    }
  }
  std::set<std::string> namespaces = known_namespaces(state, config);

  std::vector<Zone> zones;
  zones.reserve(config.zones.size() + 1 + config.reverse_zones.size());
  for (const dns::Name& apex : config.zones) {
    ZoneBuilder builder(apex);
    RecordRules rules(config, apex.lowercased(), builder);
    rules.add_apex(apex_nameservers(config, apex.lowercased(), services));
    for (const std::string& ns : namespaces) {
      rules.add_namespace(ns);
    }
    for (const auto& [service, endpoints] : services) {
      rules.add_service(*service, endpoints);
    }
    add_pod_records(state, config, apex.lowercased(), namespaces, builder);
    zones.push_back(std::move(builder).finish());
  }
  std::vector<AddressName> vm_ptrs;
  if (config.vm_zone) {
    std::vector<VmZoneName> names = vm_zone_names(state, config, namespaces);
    for (const VmZoneName& name : names) {
      if (name.is_interface) {
        vm_ptrs.push_back({name.address, name.owner, config.vm_zone_ttl});
      }
    }
    zones.push_back(build_vm_zone(config, names));
  }
  for (Zone& reverse : build_reverse_zones(config, services, vm_ptrs)) {
    zones.push_back(std::move(reverse));
  }
  ClientSearchIndex clients;
  if (config.client_search) {
    clients = ClientSearchIndex::build(state, config);
  }
  return std::make_shared<const Snapshot>(std::move(zones), config.serial, std::move(clients),
                                          config.synced);
}

}  // namespace vmdns::zone
