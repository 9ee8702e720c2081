#include "builder/vm_zone_set.h"

#include "rules/vm_zone_rules.h"
#include "zone/pod_leaves.h"

namespace vmdns::builder {

VmZoneSet::VmZoneSet(const rules::ZoneConfig& config)
    : config_(config),
      bucket_vmis_(zone::PodLeaves::kBuckets),
      buckets_(zone::PodLeaves::kBuckets) {}

void VmZoneSet::set_vmi(const cluster::ObjectKey& key, const cluster::VirtualMachineInstance* vmi,
                        std::vector<rules::AddressName>& ptrs) {
  ptrs.clear();
  std::vector<rules::VmZoneName> names;
  if (vmi != nullptr) {
    rules::add_vm_zone_names(*vmi, config_, names);
  }
  for (const rules::VmZoneName& name : names) {
    if (name.is_interface) {
      ptrs.push_back({name.address, name.owner, config_.vm_zone_ttl});
    }
  }
  size_t bucket = zone::PodLeaves::bucket_of(rules::vm_zone_bucket_label(key));
  std::set<cluster::ObjectKey>& in_bucket = bucket_vmis_[bucket];
  bool had = in_bucket.contains(key);
  bool has = !names.empty();
  // A VMI with names rebuilds its bucket whatever changed; one without, only if it had some.
  if (has || had) {
    changed_buckets_.insert(bucket);
  }
  if (has && !had) {
    in_bucket.insert(key);
    ++named_vmis_[key.namespace_name];
  } else if (had && !has) {
    in_bucket.erase(key);
    if (--named_vmis_[key.namespace_name] == 0) {
      named_vmis_.erase(key.namespace_name);
    }
  }
}

zone::Zone VmZoneSet::zone(const rules::ZoneConfig& config, const cluster::State& state) {
  last_buckets_rebuilt_ = changed_buckets_.size();
  std::vector<rules::VmZoneName> names;
  for (size_t bucket : changed_buckets_) {
    names.clear();
    for (const cluster::ObjectKey& key : bucket_vmis_[bucket]) {
      rules::add_vm_zone_names(state.vmis.at(key), config_, names);
    }
    buckets_[bucket] =
        names.empty()
            ? nullptr
            : std::make_shared<const zone::Zone>(rules::build_vm_zone_bucket(config_, names));
  }
  changed_buckets_.clear();
  std::set<std::string> namespaces;
  for (const auto& [namespace_name, count] : named_vmis_) {
    namespaces.insert(namespaces.end(), namespace_name);
  }
  auto leaves = std::make_shared<zone::PodLeaves>();
  leaves->buckets = buckets_;
  leaves->subtrees = true;
  return zone::Zone::with_leaves(rules::build_vm_zone_top(config, namespaces), std::move(leaves));
}

}  // namespace vmdns::builder
