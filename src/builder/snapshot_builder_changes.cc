// SnapshotBuilder's half that decides what a change touches: whether to build everything again,
// and which Services' subtrees to rebuild (snapshot_builder.h says when each is).
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "builder/namespaces.h"
#include "builder/snapshot_builder.h"
#include "cluster/kubevirt.h"
#include "cluster/migration.h"

namespace vmdns::builder {
namespace {

// The fields that decide records: all of ZoneConfig but the serial, the sync flag and the
// fallthrough names, which only the top parts (SOA) and the snapshot itself carry.
bool same_rules(const rules::ZoneConfig& a, const rules::ZoneConfig& b) {
  return a.zones == b.zones && a.reverse_zones == b.reverse_zones && a.ttl == b.ttl &&
         a.negative_ttl == b.negative_ttl && a.nameserver_addresses == b.nameserver_addresses &&
         a.pods == b.pods && a.endpoint_pod_names == b.endpoint_pod_names &&
         a.ignore_empty_service == b.ignore_empty_service && a.namespaces == b.namespaces &&
         a.vm_zone == b.vm_zone && a.vm_zone_ttl == b.vm_zone_ttl &&
         a.vm_zone_pod_network == b.vm_zone_pod_network &&
         a.client_search == b.client_search;
}

}  // namespace

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

KeySet SnapshotBuilder::affected_services(
    const cluster::State& state, const ChangedObjects& changed,
    bool& workloads_or_namespaces_changed) {
  KeySet affected = changed.services;

  // Namespaces appear with their first object and go with their last.
  NameSet touched = changed.namespaces;
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

  // A VMI that migrates, or did: its Services' slices list its launcher pods, and which of them
  // is its address follows its migration state, before and after the change.
  for (const cluster::ObjectKey& key : changed.vmis) {
    auto vmi = state.vmis.find(key);
    bool migrating = vmi != state.vmis.end() && vmi->second.migration;
    bool was_migrating = migrating_vmis_.contains(key);
    if (migrating) {
      migrating_vmis_.insert(key);
    } else {
      migrating_vmis_.erase(key);
    }
    if (!migrating && !was_migrating) {
      continue;
    }
    for (auto it = state.endpoint_slices.lower_bound({key.namespace_name, ""});
         it != state.endpoint_slices.end() && it->first.namespace_name == key.namespace_name;
         ++it) {
      const cluster::EndpointSlice& slice = it->second;
      if (std::any_of(slice.endpoints.begin(), slice.endpoints.end(),
                      [&key](const cluster::EndpointSlice::Endpoint& e) {
                        return e.target_kind == "Pod" &&
                               cluster::is_launcher_pod_of(key.name, e.target_name);
                      })) {
        affected.insert({key.namespace_name, slice.service_name});
      }
    }
  }

  // Pods and VMIs: the Services that selected one before the change and those that select it
  // after, found through the index of selected label pairs rather than by a walk of the
  // namespace. The Services that changed move their pairs in between (their new selector may
  // name pairs the workloads that changed carry now, not before).
  for (const auto& [kind, keys] : {std::pair{WorkloadKind::Vmi, &changed.vmis},
                                   std::pair{WorkloadKind::Pod, &changed.pods}}) {
    for (const cluster::ObjectKey& key : *keys) {
      selection_.add_selecting(state, kind, key, affected);
    }
  }
  for (const cluster::ObjectKey& key : changed.services) {
    selection_.set_service(state, key);
  }
  for (const auto& [kind, keys] : {std::pair{WorkloadKind::Vmi, &changed.vmis},
                                   std::pair{WorkloadKind::Pod, &changed.pods}}) {
    for (const cluster::ObjectKey& key : *keys) {
      selection_.set_workload(state, kind, key);
      selection_.add_selecting(state, kind, key, affected);
    }
  }
  workloads_or_namespaces_changed |= !changed.vmis.empty() || !changed.pods.empty();
  return affected;
}

}  // namespace vmdns::builder
