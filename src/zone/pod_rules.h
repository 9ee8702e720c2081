#pragma once
// Pod A/AAAA records (Kubernetes DNS specification, schema 1.1.0, and CoreDNS's `pods` option):
//   <dashed-ip>.<ns>.pod.<zone>   A/AAAA: the address of a Pod or VMI (a VMI runs in a pod)
//
// CoreDNS's `pods insecure` answers any well-formed dashed address without looking; a snapshot
// cannot hold every address, so here `insecure` publishes the addresses of every Pod and VMI we
// know under every known namespace, and `verified` only under the workload's own namespace.
// Terminal (Succeeded, Failed) workloads have no records.
//
// PodZoneSet keeps pod.<zone> from one snapshot to the next: its names are in buckets
// (pod_leaves.h), and a workload's change rebuilds the buckets of the addresses it drops or
// gains.
//
//   PodZoneSet pods(config);
//   pods.set_workload(WorkloadKind::Vmi, key, &vmi);           // each workload, again on change
//   pods.set_workload(WorkloadKind::Vmi, key, nullptr);        // gone
//   auto zones = pods.pod_zones(namespaces);   // pod.<zone> per cluster zone, nullptr: no names

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cluster/model.h"
#include "zone/config.h"
#include "zone/snapshot.h"

namespace vmdns::zone {

enum class WorkloadKind : uint8_t { Vmi, Pod };

class PodZoneSet {
 public:
  PodZoneSet() = default;
  explicit PodZoneSet(const ZoneConfig& config);

  // The workload `key` is now `workload` (nullptr: gone).
  void set_workload(WorkloadKind kind, const cluster::ObjectKey& key,
                    const cluster::VirtualMachineInstance* workload);
  void set_workload(WorkloadKind kind, const cluster::ObjectKey& key, const cluster::Pod* workload);

  // pod.<zone> for each cluster zone (nullptr where it has no name), under `namespaces` (those
  // that exist), with the buckets changed since the last call rebuilt.
  std::vector<std::shared_ptr<const Zone>> pod_zones(const std::set<std::string>& namespaces);

  // Buckets rebuilt by the last pod_zones(), for tests and logs.
  size_t last_buckets_rebuilt() const { return last_buckets_rebuilt_; }

 private:
  // One published name: the namespace (empty with insecure: every namespace) and the address.
  using Entry = std::pair<std::string, cluster::IpAddress>;
  void publish(WorkloadKind kind, const cluster::ObjectKey& key, const std::string& phase,
               const std::vector<cluster::IpAddress>* addresses);
  void claim(const Entry& entry);
  void release(const Entry& entry);

  ZoneConfig config_;
  std::map<std::pair<WorkloadKind, cluster::ObjectKey>, std::vector<Entry>> published_;
  std::map<Entry, uint32_t> claims_;               // workloads publishing each entry
  std::map<std::string, size_t> namespace_entries_;  // entries per namespace (verified)
  std::vector<std::set<Entry>> bucket_entries_;    // by PodLeaves::bucket_of
  std::set<size_t> changed_buckets_;
  std::vector<std::vector<std::shared_ptr<const Zone>>> buckets_;  // per cluster zone
  size_t last_buckets_rebuilt_ = 0;
};

}  // namespace vmdns::zone
