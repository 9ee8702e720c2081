#pragma once
// The --vm-zone (vm_zone_rules.h), kept from one snapshot to the next: its VMIs' names are in
// 1,024 leaf buckets by the VMI's label (zone/pod_leaves.h, `subtrees`), and a VMI's change
// rebuilds its own bucket, about a thousandth of the VMIs, whatever the size of its namespace;
// the top (SOA, NS, ns.<zone>, the namespaces' names) is small and built with every snapshot.
//
//   VmZoneSet vms(config);
//   std::vector<rules::AddressName> ptrs;
//   vms.set_vmi(key, &vmi, ptrs);        // each VMI, again on change; `ptrs`: its PTRs now
//   vms.set_vmi(key, nullptr, ptrs);     // gone
//   zone::Zone vm_zone = vms.zone(config, state);

#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cluster/model.h"
#include "rules/reverse_rules.h"
#include "rules/zone_config.h"
#include "zone/snapshot.h"

namespace vmdns::builder {

class VmZoneSet {
 public:
  VmZoneSet() = default;
  // Requires config.vm_zone.
  explicit VmZoneSet(const rules::ZoneConfig& config);

  // The VMI `key` is now `vmi` (nullptr: gone, or in a namespace that does not exist). Sets
  // `ptrs` to the PTRs its interfaces' names ask for in the reverse zones.
  void set_vmi(const cluster::ObjectKey& key, const cluster::VirtualMachineInstance* vmi,
               std::vector<rules::AddressName>& ptrs);

  // The zone, with the buckets changed since the last call rebuilt from `state`, which holds
  // every VMI last given to set_vmi. The SOA serial comes from `config`, whose other fields
  // must be the constructor's.
  zone::Zone zone(const rules::ZoneConfig& config, const cluster::State& state);

  // Buckets rebuilt by the last zone(), for tests and logs.
  size_t last_buckets_rebuilt() const { return last_buckets_rebuilt_; }

 private:
  rules::ZoneConfig config_;
  std::vector<std::set<cluster::ObjectKey>> bucket_vmis_;  // the VMIs with a name, by bucket
  std::map<std::string, size_t> named_vmis_;               // VMIs with a name, per namespace
  std::set<size_t> changed_buckets_;
  std::vector<std::shared_ptr<const zone::Zone>> buckets_;
  size_t last_buckets_rebuilt_ = 0;
};

}  // namespace vmdns::builder
