#pragma once
// Keeps the client search index (client_search.h) from one snapshot to the next: each
// workload's claim on its addresses is kept, and a workload's change rebuilds only the buckets
// of the addresses it drops or gains, so that a change costs the same at 100 workloads and at
// 100,000.
//
//   ClientSearchSet clients(config);
//   clients.set_workload(key, &vmi);               // each workload, again on change
//   clients.set_workload(key, (const cluster::Pod*)nullptr);   // gone
//   ClientSearchIndex index = clients.index();     // changed buckets rebuilt, the others shared

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cluster/model.h"
#include "rules/zone_config.h"
#include "zone/client_search_index.h"

namespace vmdns::builder {

class ClientSearchSet {
 public:
  ClientSearchSet() = default;
  explicit ClientSearchSet(const rules::ZoneConfig& config);

  // The workload `key` is now `workload` (nullptr: gone). A VMI's guest also asks from
  // `guest_pods`, the addresses of the launcher pod that runs it during a live migration
  // (cluster::guest_pod_addresses): after the handoff its queries come from the target pod's
  // address before the VMI's status reports it, and are searched with the guest's list.
  void set_workload(const cluster::ObjectKey& key, const cluster::VirtualMachineInstance* workload,
                    const std::vector<cluster::IpAddress>& guest_pods = {});
  void set_workload(const cluster::ObjectKey& key, const cluster::Pod* workload);

  // The index, with the buckets changed since the last call rebuilt.
  zone::ClientSearchIndex index();

  // Buckets rebuilt by the last index(), for tests and logs.
  size_t last_buckets_rebuilt() const { return last_buckets_rebuilt_; }

 private:
  // VMIs sort before Pods: the order in which ties between claims are broken.
  enum class Kind : uint8_t { Vmi, Pod };
  using WorkloadKey = std::pair<Kind, cluster::ObjectKey>;

  // What a workload asks for each of its addresses.
  struct Claim {
    bool running = false;
    std::shared_ptr<const zone::ClientSearch> list;
  };

  void set(const WorkloadKey& key, const std::vector<cluster::IpAddress>* addresses,
           const std::string& phase, const std::vector<std::string>* search);
  std::shared_ptr<const zone::ClientSearch> intern(const std::string& namespace_name,
                                             const std::vector<std::string>& search);

  bool enabled_ = false;
  bool pods_ = false;  // Pods are clients too (--pods verified)
  std::vector<std::string> namespaces_;  // --namespaces; empty: all
  std::string cluster_zone_;             // the first zone, without its final dot
  std::map<WorkloadKey, std::vector<std::string>> addresses_;  // the octets each one claims
  // Per bucket: the address's octets -> every workload claiming it.
  std::vector<std::map<std::string, std::map<WorkloadKey, Claim>>> claims_;
  std::map<std::pair<std::string, std::vector<std::string>>,
           std::shared_ptr<const zone::ClientSearch>>
      lists_;  // one per (namespace, search list) ever seen
  std::set<size_t> changed_buckets_;
  std::vector<std::shared_ptr<const zone::ClientSearchIndex::Bucket>> buckets_;
  size_t clients_ = 0;
  size_t last_buckets_rebuilt_ = 0;
};

}  // namespace vmdns::builder
