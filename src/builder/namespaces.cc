#include "builder/namespaces.h"

#include <algorithm>

namespace vmdns::builder {
namespace {

template <typename Map>
bool has_namespace(const Map& objects, const std::string& namespace_name) {
  auto it = objects.lower_bound(cluster::ObjectKey{namespace_name, ""});
  return it != objects.end() && it->first.namespace_name == namespace_name;
}

}  // namespace

bool is_allowed(const rules::ZoneConfig& config, const std::string& namespace_name) {
  return config.namespaces.empty() || std::find(config.namespaces.begin(), config.namespaces.end(),
                                                namespace_name) != config.namespaces.end();
}

bool namespace_exists(const cluster::State& state, const rules::ZoneConfig& config,
                      const std::string& namespace_name) {
  return is_allowed(config, namespace_name) &&
         (state.namespaces.contains(namespace_name) || has_namespace(state.vmis, namespace_name) ||
          has_namespace(state.pods, namespace_name) ||
          has_namespace(state.services, namespace_name) ||
          has_namespace(state.endpoint_slices, namespace_name));
}

std::set<std::string> known_namespaces(const cluster::State& state,
                                       const rules::ZoneConfig& config) {
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

}  // namespace vmdns::builder
