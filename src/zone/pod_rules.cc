#include "zone/pod_rules.h"

#include <algorithm>
#include <optional>
#include <span>

#include "zone/dashed_name.h"
#include "zone/pod_leaves.h"
#include "zone/zone_builder.h"

namespace vmdns::zone {
namespace {

bool is_terminal(const std::string& phase) {
  return phase == "Succeeded" || phase == "Failed";
}

// --namespaces: when a list is given, only its namespaces are served.
bool is_allowed(const ZoneConfig& config, const std::string& namespace_name) {
  return config.namespaces.empty() || std::find(config.namespaces.begin(), config.namespaces.end(),
                                                namespace_name) != config.namespaces.end();
}

}  // namespace

PodZoneSet::PodZoneSet(const ZoneConfig& config)
    : config_(config),
      bucket_entries_(config.pods == PodMode::Disabled ? 0 : PodLeaves::kBuckets),
      buckets_(config.pods == PodMode::Disabled ? 0 : config.zones.size(),
               std::vector<std::shared_ptr<const Zone>>(PodLeaves::kBuckets)) {}

void PodZoneSet::set_workload(WorkloadKind kind, const cluster::ObjectKey& key,
                              const cluster::VirtualMachineInstance* workload) {
  publish(kind, key, workload ? workload->phase : "", workload ? &workload->addresses : nullptr);
}

void PodZoneSet::set_workload(WorkloadKind kind, const cluster::ObjectKey& key,
                              const cluster::Pod* workload) {
  publish(kind, key, workload ? workload->phase : "", workload ? &workload->addresses : nullptr);
}

void PodZoneSet::publish(WorkloadKind kind, const cluster::ObjectKey& key, const std::string& phase,
                         const std::vector<cluster::IpAddress>* addresses) {
  if (config_.pods == PodMode::Disabled) {
    return;
  }
  std::vector<Entry> entries;
  if (addresses != nullptr && !is_terminal(phase) && is_allowed(config_, key.namespace_name)) {
    std::string namespace_name = config_.pods == PodMode::Verified ? key.namespace_name : "";
    for (const cluster::IpAddress& address : *addresses) {
      entries.emplace_back(namespace_name, address);
    }
    std::sort(entries.begin(), entries.end());
    entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
  }
  auto found = published_.find({kind, key});
  if (found != published_.end()) {
    for (const Entry& entry : found->second) {
      release(entry);
    }
    published_.erase(found);
  }
  for (const Entry& entry : entries) {
    claim(entry);
  }
  if (!entries.empty()) {
    published_.emplace(std::make_pair(kind, key), std::move(entries));
  }
}

void PodZoneSet::claim(const Entry& entry) {
  if (++claims_[entry] == 1) {
    size_t bucket = PodLeaves::bucket_of(dashed_name(entry.second));
    bucket_entries_[bucket].insert(entry);
    changed_buckets_.insert(bucket);
    ++namespace_entries_[entry.first];
  }
}

void PodZoneSet::release(const Entry& entry) {
  auto claim = claims_.find(entry);
  if (--claim->second > 0) {
    return;
  }
  claims_.erase(claim);
  size_t bucket = PodLeaves::bucket_of(dashed_name(entry.second));
  bucket_entries_[bucket].erase(entry);
  changed_buckets_.insert(bucket);
  if (--namespace_entries_[entry.first] == 0) {
    namespace_entries_.erase(entry.first);
  }
}

std::vector<std::shared_ptr<const Zone>> PodZoneSet::pod_zones(
    const std::set<std::string>& namespaces) {
  std::vector<std::shared_ptr<const Zone>> out;
  last_buckets_rebuilt_ = changed_buckets_.size();
  bool verified = config_.pods == PodMode::Verified;
  for (size_t z = 0; z < buckets_.size(); ++z) {
    auto apex = config_.zones[z].lowercased().prepend("pod");
    if (!apex) {
      out.push_back(nullptr);
      continue;
    }
    for (size_t bucket : changed_buckets_) {
      ZoneBuilder builder(*apex);
      for (const auto& [namespace_name, address] : bucket_entries_[bucket]) {
        // With insecure, the leaf is <address>.pod.<zone>: Zone::find adds the namespace.
        auto parent = verified ? apex->prepend(namespace_name) : apex;
        auto owner = parent ? parent->prepend(dashed_name(address)) : std::nullopt;
        if (!owner) {
          continue;
        }
        // A and AAAA rdata are the address octets themselves.
        if (address.is_v4()) {
          builder.add(*owner, dns::RrType::A, config_.ttl, std::span(address.bytes).first(4));
        } else {
          builder.add(*owner, dns::RrType::AAAA, config_.ttl, address.bytes);
        }
      }
      Zone leaf = std::move(builder).finish_shard();
      buckets_[z][bucket] = leaf.empty() ? nullptr : std::make_shared<const Zone>(std::move(leaf));
    }
    // The namespaces' names: every namespace with insecure, when any address is published;
    // with verified, those with an address of their own.
    ZoneBuilder top(*apex);
    for (const std::string& namespace_name : namespaces) {
      bool has_names = verified ? namespace_entries_.contains(namespace_name) : !claims_.empty();
      if (auto name = apex->prepend(namespace_name); name && has_names) {
        top.add_name(*name);
      }
    }
    Zone pod = std::move(top).finish_shard();
    if (pod.empty()) {
      out.push_back(nullptr);
      continue;
    }
    auto leaves = std::make_shared<PodLeaves>();
    leaves->buckets = buckets_[z];
    leaves->per_namespace = verified;
    out.push_back(std::make_shared<const Zone>(Zone::with_leaves(std::move(pod), leaves)));
  }
  changed_buckets_.clear();
  return out;
}

}  // namespace vmdns::zone
