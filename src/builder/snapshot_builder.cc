#include "builder/snapshot_builder.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "builder/client_search_set.h"
#include "builder/namespaces.h"
#include "builder/pod_zone_set.h"
#include "cluster/migration.h"
#include "rules/nameserver_rules.h"
#include "rules/record_rules.h"
#include "rules/reverse_rules.h"
#include "zone/client_search_index.h"
#include "zone/zone_builder.h"

namespace vmdns::builder {
namespace {

// Shard apexes below a cluster zone's apex: <svc>.<ns>.svc (3 labels) and pod (1).
constexpr uint8_t kServiceShardDepth = 3;
constexpr uint8_t kPodShardDepth = 1;

std::optional<dns::Name> service_apex(const dns::Name& zone, const cluster::ObjectKey& key) {
  auto svc = zone.prepend("svc");
  auto ns = svc ? svc->prepend(key.namespace_name) : std::nullopt;
  return ns ? ns->prepend(key.name) : std::nullopt;
}

// The VMIs of `state` that the pod `pod` (a key: it may be gone) is a launcher pod of.
void add_vmis_of_launcher(const cluster::State& state, const cluster::ObjectKey& pod,
                          KeySet& out) {
  std::string_view prefix = cluster::launcher_vmi_name_prefix(pod.name);
  if (prefix.empty()) {
    return;
  }
  for (auto it =
           state.vmis.lower_bound(cluster::ObjectKey{pod.namespace_name, std::string(prefix)});
       it != state.vmis.end() && it->first.namespace_name == pod.namespace_name &&
       it->first.name.starts_with(prefix);
       ++it) {
    if (cluster::is_launcher_pod_of(it->first.name, pod.name)) {
      out.insert(it->first);
    }
  }
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
    for (const auto& [key, vmi] : state.vmis) {
      pods_.set_workload(WorkloadKind::Vmi, key, &vmi);
      if (config_.client_search) {
        clients_.set_workload(key, &vmi, cluster::guest_pod_addresses(state, vmi));
      }
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
    migrating_vmis_.clear();
    for (const auto& [key, vmi] : state.vmis) {
      if (vmi.migration) {
        migrating_vmis_.insert(migrating_vmis_.end(), key);
      }
    }
    namespaces_ = known_namespaces(state, config_);
    selection_.rebuild(state);
    KeySet all;
    for (const auto& [key, service] : state.services) {
      all.insert(all.end(), key);
    }
    rebuild_services(state, all, true);
    rebuild_pod_shards();
    vms_ = config_.vm_zone ? VmZoneSet(config_) : VmZoneSet();
    if (config_.vm_zone) {
      for (const auto& [key, vmi] : state.vmis) {
        set_vm_zone_vmi(key, &vmi);
      }
    }
  } else {
    bool workloads_or_namespaces_changed = false;
    KeySet affected =
        affected_services(state, *changed, workloads_or_namespaces_changed);
    rebuild_services(state, affected, false);
    for (const cluster::ObjectKey& key : changed->vmis) {
      auto vmi = state.vmis.find(key);
      const cluster::VirtualMachineInstance* now =
          vmi == state.vmis.end() ? nullptr : &vmi->second;
      pods_.set_workload(WorkloadKind::Vmi, key, now);
      if (config_.vm_zone) {
        set_vm_zone_vmi(key, now);
      }
    }
    for (const cluster::ObjectKey& key : changed->pods) {
      auto pod = state.pods.find(key);
      const cluster::Pod* now = pod == state.pods.end() ? nullptr : &pod->second;
      pods_.set_workload(WorkloadKind::Pod, key, now);
      if (config_.client_search) {
        clients_.set_workload(key, now);
      }
    }
    if (config_.client_search) {
      // A VMI's guest asks from the launcher pod that runs it: a change of its launcher pods
      // changes its claims too.
      KeySet guests = changed->vmis;
      for (const cluster::ObjectKey& key : changed->pods) {
        add_vmis_of_launcher(state, key, guests);
      }
      for (const cluster::ObjectKey& key : guests) {
        auto vmi = state.vmis.find(key);
        if (vmi == state.vmis.end()) {
          clients_.set_workload(key, static_cast<const cluster::VirtualMachineInstance*>(nullptr));
        } else {
          clients_.set_workload(key, &vmi->second,
                                cluster::guest_pod_addresses(state, vmi->second));
        }
      }
    }
    if (workloads_or_namespaces_changed) {
      rebuild_pod_shards();
    }
  }
  std::shared_ptr<const zone::Snapshot> snapshot = assemble(state);
  valid_ = true;
  return snapshot;
}

void SnapshotBuilder::rebuild_services(const cluster::State& state,
                                       const KeySet& keys, bool all) {
  last_services_rebuilt_ = keys.size();
  last_endpoint_candidates_ = 0;
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
    if (services.empty()) {
      run = run_end;
      continue;
    }
    std::unique_ptr<rules::EndpointIndex> index;
    if (all) {
      index = std::make_unique<rules::EndpointIndex>(state, ns);  // every label
    } else {
      // A change: only the workloads its Services may select (selection_ knows them).
      std::set<std::string> vmi_names;
      std::set<std::string> pod_names;
      for (const cluster::Service* service : services) {
        selection_.add_candidates(*service, vmi_names, pod_names);
      }
      std::vector<const cluster::VirtualMachineInstance*> vmis;
      vmis.reserve(vmi_names.size());
      for (const std::string& name : vmi_names) {
        vmis.push_back(&state.vmis.at({ns, name}));
      }
      std::vector<const cluster::Pod*> pods;
      pods.reserve(pod_names.size());
      for (const std::string& name : pod_names) {
        pods.push_back(&state.pods.at({ns, name}));
      }
      last_endpoint_candidates_ += vmis.size() + pods.size();
      index = std::make_unique<rules::EndpointIndex>(state, ns, services, vmis, pods);
    }
    for (const cluster::Service* service : services) {
      rebuild_service(*service, *index);
    }
    run = run_end;
  }
}

void SnapshotBuilder::remove_service(const cluster::ObjectKey& key) {
  fronting_.erase(key);
  auto kept = services_.find(key);
  if (kept == services_.end()) {
    return;
  }
  // The reverse blocks let go of the entry's key before it goes.
  reverse_.set_service(kept->first, nullptr, kept->second);
  services_.erase(kept);
  for (size_t z = 0; z < config_.zones.size(); ++z) {
    if (auto apex = service_apex(config_.zones[z], key)) {
      shards_[z].set(*apex, nullptr);
    }
  }
}

void SnapshotBuilder::rebuild_service(const cluster::Service& service,
                                      const rules::EndpointIndex& index) {
  cluster::ObjectKey key = cluster::key_of(service.meta);
  std::vector<rules::Endpoint> endpoints = index.endpoints_of(service);
  // Kept until the Service changes, packed: what the reverse zones and the apex NS read again.
  auto entry = services_.try_emplace(key).first;
  KeptService& kept = entry->second;
  kept.endpoints = rules::KeptEndpoints(endpoints, config_.endpoint_pod_names);
  const auto& advertised = config_.nameserver_addresses;
  if (std::any_of(endpoints.begin(), endpoints.end(), [&advertised](const rules::Endpoint& e) {
        return std::find(advertised.begin(), advertised.end(), e.address) != advertised.end();
      })) {
    fronting_.insert(key);
  } else {
    fronting_.erase(key);
  }
  reverse_.set_service(entry->first, &service, kept);  // the entry's key: the blocks keep it
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

void SnapshotBuilder::set_vm_zone_vmi(const cluster::ObjectKey& key,
                                      const cluster::VirtualMachineInstance* vmi) {
  // A namespace that does not exist (--namespaces) has no names.
  if (!namespaces_.contains(key.namespace_name)) {
    vmi = nullptr;
  }
  std::vector<rules::AddressName> ptrs;
  vms_.set_vmi(key, vmi, ptrs);
  reverse_.set_more(key, ptrs);
}

std::shared_ptr<const zone::Snapshot> SnapshotBuilder::assemble(const cluster::State& state) {
  std::vector<zone::Zone> zones;
  zones.reserve(config_.zones.size() + 1 + config_.reverse_zones.size());
  // The Services that may name the apex NS: only those with an endpoint at our address.
  std::vector<rules::ServiceEndpoints> fronting;
  for (const cluster::ObjectKey& key : fronting_) {
    fronting.push_back({&state.services.at(key), &services_.at(key).endpoints});
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
    zones.push_back(vms_.zone(config_, state));
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
