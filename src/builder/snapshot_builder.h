#pragma once
// Builds snapshots from a cluster::State and keeps the parts it built, so that the next snapshot
// rebuilds only what the changed objects affect and shares every other part with the last one.
//
//   SnapshotBuilder builder;
//   auto first = builder.build(state, config);             // everything
//   ... objects change in `state`; `changed` names them ...
//   auto next = builder.build(state, config, &changed);   // only the parts they affect
//
// The parts (Zone::join): in each cluster zone, the subtree of each Service
// (<svc>.<ns>.svc.<zone>: its name, its endpoints' names, its SRVs) and pod.<zone>; the top
// (apex SOA and NS, ns.dns, dns-version, svc and the namespaces) is small and built each time;
// the Services that may name the apex NS (nameserver_rules.h) are kept aside for it.
// A Service's subtree is rebuilt when the Service changes, when one of its EndpointSlices does
// (before or after the change), or when a Pod or VMI of its namespace that it selected before
// the change, or selects after it, changes; both are found, and its endpoints computed, through
// the index of the label pairs selectors name (selector_index.h), not a walk of the namespace. pod.<zone> keeps its names in buckets (pod_leaves.h): a Pod or VMI that changes rebuilds
// the buckets of the addresses it drops or gains, and its top of namespaces. The reverse
// zones keep their blocks of addresses (reverse_zone_set.h): a Service rebuilt also rebuilds the
// blocks it has PTRs in, before and after. The client search index keeps its buckets of
// addresses (client_search_set.h): a Pod or VMI that changes rebuilds the buckets of the
// addresses it drops or gains. The --vm-zone keeps its VMIs' names in buckets (vm_zone_set.h):
// a VMI that changes rebuilds its own bucket, and its own PTRs' blocks in the reverse zones.
//
// An incremental build yields exactly the records a full one does. A full build happens on the
// first call, without `changed`, when the config changes in anything but its serial and sync
// flag, after a build that threw, and when `changed` holds a large part of the cluster.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "builder/changed_objects.h"
#include "builder/client_search_set.h"
#include "builder/pod_zone_set.h"
#include "builder/reverse_zone_set.h"
#include "builder/selector_index.h"
#include "builder/vm_zone_set.h"
#include "cluster/model.h"
#include "rules/endpoints.h"
#include "rules/kept_endpoints.h"
#include "rules/zone_config.h"
#include "zone/snapshot.h"

namespace vmdns::builder {

class SnapshotBuilder {
 public:
  std::shared_ptr<const zone::Snapshot> build(const cluster::State& state,
                                              const rules::ZoneConfig& config,
                                              const ChangedObjects* changed = nullptr);

  // What the last build() did, for logs and tests.
  bool last_build_was_incremental() const { return last_incremental_; }
  size_t last_services_rebuilt() const { return last_services_rebuilt_; }
  size_t last_reverse_blocks_rebuilt() const { return reverse_.last_blocks_rebuilt(); }
  size_t last_pod_buckets_rebuilt() const { return pods_.last_buckets_rebuilt(); }
  size_t last_client_buckets_rebuilt() const { return clients_.last_buckets_rebuilt(); }
  size_t last_vm_buckets_rebuilt() const { return vms_.last_buckets_rebuilt(); }
  // Workloads the endpoint indexes of the last incremental build held (the candidates its
  // Services may select), and those walks of a namespace looked at since the last full build.
  size_t last_endpoint_candidates() const { return last_endpoint_candidates_; }
  size_t workloads_walked() const { return selection_.workloads_walked(); }

 private:

  bool needs_full_build(const cluster::State& state, const rules::ZoneConfig& config,
                        const ChangedObjects* changed) const;
  // The Services whose subtrees `changed` may alter; updates the namespaces and slice owners.
  KeySet affected_services(const cluster::State& state,
                                                 const ChangedObjects& changed,
                                                 bool& workloads_or_namespaces_changed);
  // `all`: every Service of the cluster is in `keys` (a full build).
  void rebuild_services(const cluster::State& state, const KeySet& keys,
                        bool all);
  void rebuild_service(const cluster::Service& service, const rules::EndpointIndex& index);
  void remove_service(const cluster::ObjectKey& key);
  void rebuild_pod_shards();
  // The --vm-zone names of one VMI (nullptr: gone), and its PTRs in the reverse zones.
  void set_vm_zone_vmi(const cluster::ObjectKey& key, const cluster::VirtualMachineInstance* vmi);
  std::shared_ptr<const zone::Snapshot> assemble(const cluster::State& state);

  rules::ZoneConfig config_;
  bool valid_ = false;  // the parts below match config_ and the last state built
  std::set<std::string> namespaces_;                    // the namespaces that exist
  // Every Service's endpoints as the reverse zones and the apex NS read them again when another
  // change rebuilds those (rules/kept_endpoints.h: address, readiness, label), and its shares
  // of the reverse blocks, which refer to its key here (reverse_zone_set.h).
  KeptServices services_;
  // The Services with an endpoint at an advertised address: the candidates for the apex NS.
  std::set<cluster::ObjectKey> fronting_;
  std::vector<zone::ShardTable> shards_;  // per cluster zone: the Services' subtrees and pod.<zone>
  std::map<cluster::ObjectKey, std::string> slice_services_;  // EndpointSlice -> its Service
  // The VMIs with a status.migrationState: a change of one may move its address between the two
  // launcher pods its Services' EndpointSlices list (rules/endpoints.h), which no label shows.
  std::set<cluster::ObjectKey> migrating_vmis_;
  ReverseZoneSet reverse_;
  PodZoneSet pods_;
  ClientSearchSet clients_;  // with config_.client_search
  VmZoneSet vms_;            // with config_.vm_zone
  // The Services' selected label pairs and the workloads that carry them: what a change of a
  // workload affects, and what the Services it affects may select.
  SelectorIndex selection_;
  bool last_incremental_ = false;
  size_t last_services_rebuilt_ = 0;
  size_t last_endpoint_candidates_ = 0;
};

}  // namespace vmdns::builder
