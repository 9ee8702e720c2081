#include "builder/snapshot_builder.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "builder/client_search_set.h"
#include "builder/pod_zone_set.h"
#include "cluster/kubevirt.h"
#include "cluster/selector.h"
#include "rules/nameserver_rules.h"
#include "rules/record_rules.h"
#include "rules/reverse_rules.h"
#include "rules/vm_zone_rules.h"
#include "zone/client_search.h"
#include "zone/zone_builder.h"

namespace vmdns::builder {
namespace {

// Shard apexes below a cluster zone's apex: <svc>.<ns>.svc (3 labels) and pod (1).
constexpr uint8_t kServiceShardDepth = 3;
constexpr uint8_t kPodShardDepth = 1;

// Past this many changed workloads in one namespace, every Service of the namespace is rebuilt
// rather than each checked against each workload.
constexpr size_t kWorkloadsCheckedOneByOne = 32;

// --namespaces: when a list is given, only its namespaces exist.
bool is_allowed(const rules::ZoneConfig& config, const std::string& namespace_name) {
  return config.namespaces.empty() || std::find(config.namespaces.begin(), config.namespaces.end(),
                                                namespace_name) != config.namespaces.end();
}

template <typename Map>
bool has_namespace(const Map& objects, const std::string& namespace_name) {
  auto it = objects.lower_bound(cluster::ObjectKey{namespace_name, ""});
  return it != objects.end() && it->first.namespace_name == namespace_name;
}

// A namespace exists when a Namespace object, or any object in it, exists.
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

// The fields that decide records: all of ZoneConfig but the serial, the sync flag and the
// fallthrough names, which only the top parts (SOA) and the snapshot itself carry.
bool same_rules(const rules::ZoneConfig& a, const rules::ZoneConfig& b) {
  return a.zones == b.zones && a.reverse_zones == b.reverse_zones && a.ttl == b.ttl &&
         a.negative_ttl == b.negative_ttl && a.nameserver_addresses == b.nameserver_addresses &&
         a.pods == b.pods && a.endpoint_pod_names == b.endpoint_pod_names &&
         a.ignore_empty_service == b.ignore_empty_service && a.namespaces == b.namespaces &&
         a.vm_zone == b.vm_zone && a.vm_zone_ttl == b.vm_zone_ttl &&
         a.client_search == b.client_search;
}

std::optional<dns::Name> service_apex(const dns::Name& zone, const cluster::ObjectKey& key) {
  auto svc = zone.prepend("svc");
  auto ns = svc ? svc->prepend(key.namespace_name) : std::nullopt;
  return ns ? ns->prepend(key.name) : std::nullopt;
}

}  // namespace

std::shared_ptr<const zone::Snapshot> SnapshotBuilder::build(const cluster::State& state,
                                                       const rules::ZoneConfig& config,
                                                       const ChangedObjects* changed) {
  bool full = needs_full_build(state, config, changed);
  // Until this build completes, the parts may be half updated: a build that throws leaves
  // them to the next full build.
  valid_ = false;
  config_ = config;
  last_incremental_ = !full;
  if (full) {
    services_.clear();
    fronting_.clear();
    shards_.assign(config_.zones.size(), zone::ShardTable());
    slice_services_.clear();
    reverse_ = ReverseZoneSet(config_);
    pods_ = PodZoneSet(config_);
    clients_ = ClientSearchSet(config_);
    std::set<std::string> vmi_namespaces;
    for (const auto& [key, vmi] : state.vmis) {
      pods_.set_workload(WorkloadKind::Vmi, key, &vmi);
      if (config_.client_search) {
        clients_.set_workload(key, &vmi);
      }
      vmi_namespaces.insert(vmi_namespaces.end(), key.namespace_name);
    }
    for (const auto& [key, pod] : state.pods) {
      pods_.set_workload(WorkloadKind::Pod, key, &pod);
      if (config_.client_search) {
        clients_.set_workload(key, &pod);
      }
    }
    for (const auto& [key, slice] : state.endpoint_slices) {
      slice_services_.emplace(key, slice.service_name);
    }
    namespaces_ = known_namespaces(state, config_);
    std::set<cluster::ObjectKey> all;
    for (const auto& [key, service] : state.services) {
      all.insert(all.end(), key);
    }
    rebuild_services(state, all, true);
    rebuild_pod_shards();
    vm_shards_ = zone::ShardTable();
    if (config_.vm_zone) {
      for (const std::string& namespace_name : vmi_namespaces) {
        rebuild_vm_namespace(state, namespace_name);
      }
    }
  } else {
    bool workloads_or_namespaces_changed = false;
    std::set<cluster::ObjectKey> affected =
        affected_services(state, *changed, workloads_or_namespaces_changed);
    rebuild_services(state, affected, false);
    std::set<std::string> vmi_namespaces;
    for (const cluster::ObjectKey& key : changed->vmis) {
      auto vmi = state.vmis.find(key);
      const cluster::VirtualMachineInstance* now =
          vmi == state.vmis.end() ? nullptr : &vmi->second;
      pods_.set_workload(WorkloadKind::Vmi, key, now);
      if (config_.client_search) {
        clients_.set_workload(key, now);
      }
      vmi_namespaces.insert(key.namespace_name);
    }
    for (const cluster::ObjectKey& key : changed->pods) {
      auto pod = state.pods.find(key);
      const cluster::Pod* now = pod == state.pods.end() ? nullptr : &pod->second;
      pods_.set_workload(WorkloadKind::Pod, key, now);
      if (config_.client_search) {
        clients_.set_workload(key, now);
      }
    }
    if (workloads_or_namespaces_changed) {
      rebuild_pod_shards();
    }
    if (config_.vm_zone) {
      for (const std::string& namespace_name : vmi_namespaces) {
        rebuild_vm_namespace(state, namespace_name);
      }
    }
  }
  std::shared_ptr<const zone::Snapshot> snapshot = assemble(state);
  valid_ = true;
  return snapshot;
}

bool SnapshotBuilder::needs_full_build(const cluster::State& state, const rules::ZoneConfig& config,
                                       const ChangedObjects* changed) const {
  if (changed == nullptr || !valid_ || !same_rules(config, config_)) {
    return true;
  }
  // A relist or a reloaded file: working out what each change touches would cost more.
  size_t objects = state.vmis.size() + state.pods.size() + state.services.size() +
                   state.endpoint_slices.size() + state.namespaces.size();
  return changed->size() > 64 + objects / 2;
}

std::set<cluster::ObjectKey> SnapshotBuilder::affected_services(
    const cluster::State& state, const ChangedObjects& changed,
    bool& workloads_or_namespaces_changed) {
  std::set<cluster::ObjectKey> affected = changed.services;

  // Namespaces appear with their first object and go with their last.
  std::set<std::string> touched = changed.namespaces;
  for (const auto* keys : {&changed.vmis, &changed.pods, &changed.services,
                           &changed.endpoint_slices}) {
    for (const cluster::ObjectKey& key : *keys) {
      touched.insert(key.namespace_name);
    }
  }
  for (const std::string& ns : touched) {
    bool exists = namespace_exists(state, config_, ns);
    if (exists != namespaces_.contains(ns)) {
      workloads_or_namespaces_changed = true;
      if (exists) {
        namespaces_.insert(ns);
      } else {
        namespaces_.erase(ns);
      }
    }
  }

  // An EndpointSlice belongs to the Service its label names, before and after the change.
  for (const cluster::ObjectKey& key : changed.endpoint_slices) {
    if (auto old = slice_services_.find(key); old != slice_services_.end()) {
      affected.insert({key.namespace_name, old->second});
      slice_services_.erase(old);
    }
    if (auto now = state.endpoint_slices.find(key); now != state.endpoint_slices.end()) {
      affected.insert({key.namespace_name, now->second.service_name});
      slice_services_.emplace(key, now->second.service_name);
    }
  }

  // Pods and VMIs, by namespace: a selector never leaves its namespace.
  std::map<std::string, std::set<std::string>> workloads;  // namespace -> changed names
  for (const auto* keys : {&changed.vmis, &changed.pods}) {
    for (const cluster::ObjectKey& key : *keys) {
      workloads[key.namespace_name].insert(key.name);
    }
  }
  workloads_or_namespaces_changed |= !workloads.empty();
  for (const auto& entry : workloads) {
    const std::string& ns = entry.first;  // named: clang 14 cannot capture structured bindings
    const std::set<std::string>& names = entry.second;
    auto first = services_.lower_bound(cluster::ObjectKey{ns, ""});
    auto first_now = state.services.lower_bound(cluster::ObjectKey{ns, ""});
    auto in_ns = [&ns](const auto& it, const auto& end) {
      return it != end && it->first.namespace_name == ns;
    };
    if (names.size() > kWorkloadsCheckedOneByOne) {
      for (auto it = first; in_ns(it, services_.end()); ++it) {
        affected.insert(it->first);
      }
      for (auto it = first_now; in_ns(it, state.services.end()); ++it) {
        affected.insert(it->first);
      }
      continue;
    }
    // Before the change: the Services that had one of them as an endpoint.
    for (auto it = first; in_ns(it, services_.end()); ++it) {
      const std::vector<rules::Endpoint>& endpoints = it->second;
      if (std::any_of(endpoints.begin(), endpoints.end(), [&names](const rules::Endpoint& e) {
            return names.contains(e.workload_name);
          })) {
        affected.insert(it->first);
      }
    }
    // After: the Services whose selector picks one of them (a VMI through its launcher pod).
    std::vector<cluster::Labels> labels;
    for (const std::string& name : names) {
      if (auto vmi = state.vmis.find({ns, name}); vmi != state.vmis.end()) {
        labels.push_back(cluster::launcher_pod_labels(vmi->second));
      }
      if (auto pod = state.pods.find({ns, name}); pod != state.pods.end()) {
        labels.push_back(pod->second.meta.labels);
      }
    }
    for (auto it = first_now; in_ns(it, state.services.end()); ++it) {
      const cluster::Service& service = it->second;
      if (std::any_of(labels.begin(), labels.end(), [&service](const cluster::Labels& l) {
            return cluster::selector_matches(service.selector, l);
          })) {
        affected.insert(it->first);
      }
    }
  }
  return affected;
}

void SnapshotBuilder::rebuild_services(const cluster::State& state,
                                       const std::set<cluster::ObjectKey>& keys, bool all) {
  last_services_rebuilt_ = keys.size();
  // Namespace by namespace (the keys are in namespace order), with one endpoint index each.
  for (auto run = keys.begin(); run != keys.end();) {
    const std::string& ns = run->namespace_name;
    auto run_end = std::find_if(run, keys.end(), [&ns](const cluster::ObjectKey& key) {
      return key.namespace_name != ns;
    });
    std::vector<const cluster::Service*> services;
    for (auto key = run; key != run_end; ++key) {
      auto found = state.services.find(*key);
      if (found == state.services.end() || !is_allowed(config_, ns)) {
        remove_service(*key);
      } else {
        services.push_back(&found->second);
      }
    }
    if (!services.empty()) {
      // A full build indexes every label; a change only those its Services select by.
      std::unique_ptr<rules::EndpointIndex> index =
          all ? std::make_unique<rules::EndpointIndex>(state, ns)
              : std::make_unique<rules::EndpointIndex>(state, ns, services);
      for (const cluster::Service* service : services) {
        rebuild_service(*service, *index);
      }
    }
    run = run_end;
  }
}

void SnapshotBuilder::remove_service(const cluster::ObjectKey& key) {
  fronting_.erase(key);
  reverse_.set_service(key, nullptr, nullptr);
  if (services_.erase(key) == 0) {
    return;
  }
  for (size_t z = 0; z < config_.zones.size(); ++z) {
    if (auto apex = service_apex(config_.zones[z], key)) {
      shards_[z].set(*apex, nullptr);
    }
  }
}

void SnapshotBuilder::rebuild_service(const cluster::Service& service,
                                      const rules::EndpointIndex& index) {
  cluster::ObjectKey key = cluster::key_of(service.meta);
  std::vector<rules::Endpoint>& endpoints = services_[key];
  endpoints = index.endpoints_of(service);
  const auto& advertised = config_.nameserver_addresses;
  if (std::any_of(endpoints.begin(), endpoints.end(), [&advertised](const rules::Endpoint& e) {
        return std::find(advertised.begin(), advertised.end(), e.address) != advertised.end();
      })) {
    fronting_.insert(key);
  } else {
    fronting_.erase(key);
  }
  reverse_.set_service(key, &service, &endpoints);
  for (size_t z = 0; z < config_.zones.size(); ++z) {
    const dns::Name& zone = config_.zones[z];
    auto apex = service_apex(zone, key);
    if (!apex) {
      continue;  // not a valid label: never published
    }
    zone::ZoneBuilder builder(*apex);
    rules::RecordRules rules(config_, zone.lowercased(), builder);
    rules.add_service(service, endpoints);
    shards_[z].set(*apex, std::make_shared<const zone::Zone>(std::move(builder).finish_shard()));
  }
}

void SnapshotBuilder::rebuild_pod_shards() {
  std::vector<std::shared_ptr<const zone::Zone>> pod_zones = pods_.pod_zones(namespaces_);
  for (size_t z = 0; z < pod_zones.size(); ++z) {
    if (auto apex = config_.zones[z].prepend("pod")) {
      shards_[z].set(*apex, std::move(pod_zones[z]));
    }
  }
}

void SnapshotBuilder::rebuild_vm_namespace(const cluster::State& state,
                                           const std::string& namespace_name) {
  std::vector<rules::VmZoneName> names;
  if (namespaces_.contains(namespace_name)) {
    names = rules::vm_zone_names(state, config_, namespace_name);
  }
  std::vector<rules::AddressName> ptrs;
  for (const rules::VmZoneName& name : names) {
    if (name.is_interface) {
      ptrs.push_back({name.address, name.owner, config_.vm_zone_ttl});
    }
  }
  reverse_.set_more(namespace_name, ptrs);
  if (auto apex = rules::vm_zone_shard_apex(config_, namespace_name)) {
    vm_shards_.set(*apex, names.empty()
                              ? nullptr
                              : std::make_shared<const zone::Zone>(
                                    rules::build_vm_zone_shard(config_, namespace_name, names)));
  }
}

std::shared_ptr<const zone::Snapshot> SnapshotBuilder::assemble(const cluster::State& state) {
  std::vector<zone::Zone> zones;
  zones.reserve(config_.zones.size() + 1 + config_.reverse_zones.size());
  // The Services that may name the apex NS: only those with an endpoint at our address.
  std::vector<rules::ServiceEndpoints> fronting;
  for (const cluster::ObjectKey& key : fronting_) {
    fronting.push_back({&state.services.at(key), &services_.at(key)});
  }
  for (size_t z = 0; z < config_.zones.size(); ++z) {
    const dns::Name& apex = config_.zones[z];
    zone::ZoneBuilder top(apex);
    rules::RecordRules rules(config_, apex.lowercased(), top);
    rules.add_apex(rules::apex_nameservers(config_, apex.lowercased(), fronting));
    for (const std::string& ns : namespaces_) {
      rules.add_namespace(ns);
    }
    // A copy of the table, pointing at the same shards: this snapshot's, whatever comes next.
    zones.push_back(zone::Zone::join(std::move(top).finish(),
                               std::make_shared<const zone::ShardTable>(shards_[z]),
                               {kServiceShardDepth, kPodShardDepth}));
  }
  if (config_.vm_zone) {
    zones.push_back(zone::Zone::join(rules::build_vm_zone_top(config_, vm_shards_),
                               std::make_shared<const zone::ShardTable>(vm_shards_),
                               {rules::kVmZoneShardDepth}));
  }
  for (zone::Zone& reverse : reverse_.zones(config_, state, services_)) {
    zones.push_back(std::move(reverse));
  }
  zone::ClientSearchIndex clients;
  if (config_.client_search) {
    clients = clients_.index();
  }
  return std::make_shared<const zone::Snapshot>(
      std::move(zones), config_.serial, std::move(clients), config_.synced, config_.fallthrough);
}

}  // namespace vmdns::builder
