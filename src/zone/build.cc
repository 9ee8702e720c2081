#include "zone/build.h"

#include <set>

#include "zone/endpoints.h"
#include "zone/record_rules.h"
#include "zone/zone_builder.h"

namespace vmdns::zone {
namespace {

// A namespace exists when a Namespace object, or any object in it, exists.
std::set<std::string> known_namespaces(const cluster::State& state) {
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
  return out;
}

}  // namespace

std::shared_ptr<const Snapshot> build(const cluster::State& state, const ZoneConfig& config) {
  // Endpoints do not depend on the zone: compute them once for all zones.
  EndpointIndex index(state);
  std::vector<std::pair<const cluster::Service*, std::vector<Endpoint>>> services;
  services.reserve(state.services.size());
  for (const auto& [key, service] : state.services) {
    services.emplace_back(&service, index.endpoints_of(service));
  }
  std::set<std::string> namespaces = known_namespaces(state);

  std::vector<Zone> zones;
  zones.reserve(config.zones.size());
  for (const dns::Name& apex : config.zones) {
    ZoneBuilder builder(apex);
    RecordRules rules(config, apex.lowercased(), builder);
    rules.add_apex();
    for (const std::string& ns : namespaces) {
      rules.add_namespace(ns);
    }
    for (const auto& [service, endpoints] : services) {
      rules.add_service(*service, endpoints);
    }
    zones.push_back(std::move(builder).finish());
  }
  return std::make_shared<const Snapshot>(std::move(zones), config.serial);
}

}  // namespace vmdns::zone
