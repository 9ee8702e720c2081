#pragma once
// pod.<zone> (Kubernetes DNS specification, schema 1.1.0, and CoreDNS's `pods` option):
//   pod.<zone>                    exists (NODATA) in every mode, as in CoreDNS
//   <ns>.pod.<zone>               exists for every namespace with insecure; with verified, for
//                                 the namespaces with a workload address
//   <dashed-ip>.<ns>.pod.<zone>   A/AAAA: with insecure, any address written in the name (made
//                                 at query time, Zone::with_dashed_addresses); with verified,
//                                 the addresses of the namespace's Pods and VMIs (a VMI runs in
//                                 a pod), Terminal (Succeeded, Failed) workloads left out
//
// PodZoneSet keeps pod.<zone> from one snapshot to the next: with verified its names are in
// buckets (pod_leaves.h), and a workload's change rebuilds the buckets of the addresses it
// drops or gains. The other modes take no workloads at all.
//
//   PodZoneSet pods(config);
//   pods.set_workload(WorkloadKind::Vmi, key, &vmi);           // each workload, again on change
//   pods.set_workload(WorkloadKind::Vmi, key, nullptr);        // gone
//   auto zones = pods.pod_zones(namespaces);   // pod.<zone> per cluster zone

#include <cstdint>
#include <span>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cluster/model.h"
#include "rules/zone_config.h"
#include "zone/snapshot.h"
#include "zone/zone_builder.h"

namespace vmdns::builder {

enum class WorkloadKind : uint8_t { Vmi, Pod };

class PodZoneSet {
 public:
  PodZoneSet() = default;
  explicit PodZoneSet(const rules::ZoneConfig& config);

  // The workload `key` is now `workload` (nullptr: gone).
  void set_workload(WorkloadKind kind, const cluster::ObjectKey& key,
                    const cluster::VirtualMachineInstance* workload);
  void set_workload(WorkloadKind kind, const cluster::ObjectKey& key, const cluster::Pod* workload);

  // pod.<zone> for each cluster zone (nullptr where the zone has no room for it), under
  // `namespaces` (those that exist), with the buckets changed since the last call rebuilt.
  std::vector<std::shared_ptr<const zone::Zone>> pod_zones(const std::set<std::string>& namespaces);

  // Buckets rebuilt by the last pod_zones(), for tests and logs.
  size_t last_buckets_rebuilt() const { return last_buckets_rebuilt_; }

 private:
  // One published name: the namespace and the address.
  using Entry = std::pair<std::string, cluster::IpAddress>;
  // pod.<zone> of cluster zone `z` with verified: the changed buckets rebuilt, then `top`
  // (holding the apex) with the namespaces that have names.
  std::shared_ptr<const zone::Zone> verified_zone(size_t z, const dns::Name& apex,
                                                  zone::ZoneBuilder top,
                                                  const std::set<std::string>& namespaces);
  void publish(WorkloadKind kind, const cluster::ObjectKey& key, const std::string& phase,
               std::span<const cluster::IpAddress> addresses);
  void claim(const Entry& entry);
  void release(const Entry& entry);

  rules::ZoneConfig config_;
  std::map<std::pair<WorkloadKind, cluster::ObjectKey>, std::vector<Entry>> published_;
  std::map<Entry, uint32_t> claims_;               // workloads publishing each entry
  std::map<std::string, size_t> namespace_entries_;  // entries per namespace
  std::vector<std::set<Entry>> bucket_entries_;    // by PodLeaves::bucket_of
  std::set<size_t> changed_buckets_;
  std::vector<std::vector<std::shared_ptr<const zone::Zone>>> buckets_;  // per cluster zone
  size_t last_buckets_rebuilt_ = 0;
};

}  // namespace vmdns::builder
