#pragma once
// Which namespaces exist for the records: with --namespaces, only those listed; among them, a
// namespace exists when its Namespace object, or any object in it, exists (its
// <ns>.svc.<zone> then answers NODATA, as CoreDNS's does).
//
//   is_allowed(config, "shop");                  // false when --namespaces omits it
//   namespace_exists(state, config, "shop");     // allowed, and something is in it
//   std::set<std::string> all = known_namespaces(state, config);

#include <set>
#include <string>

#include "cluster/model.h"
#include "rules/zone_config.h"

namespace vmdns::builder {

// --namespaces: when a list is given, only its namespaces exist.
bool is_allowed(const rules::ZoneConfig& config, const std::string& namespace_name);
// A namespace exists when it is allowed and a Namespace object, or any object in it, exists.
bool namespace_exists(const cluster::State& state, const rules::ZoneConfig& config,
                      const std::string& namespace_name);
// Every namespace that exists.
std::set<std::string> known_namespaces(const cluster::State& state,
                                       const rules::ZoneConfig& config);

}  // namespace vmdns::builder
