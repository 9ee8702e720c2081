#include "builder/pod_zone_set.h"

#include <algorithm>
#include <optional>
#include <span>

#include "builder/namespaces.h"
#include "rules/dashed_name.h"
#include "zone/pod_leaves.h"
#include "zone/zone_builder.h"

namespace vmdns::builder {
namespace {

bool is_terminal(const std::string& phase) {
  return phase == "Succeeded" || phase == "Failed";
}

}  // namespace

PodZoneSet::PodZoneSet(const rules::ZoneConfig& config)
    : config_(config),
      bucket_entries_(config.pods == rules::PodMode::Verified ? zone::PodLeaves::kBuckets : 0),
      buckets_(config.pods == rules::PodMode::Verified ? config.zones.size() : 0,
               std::vector<std::shared_ptr<const zone::Zone>>(zone::PodLeaves::kBuckets)) {}

void PodZoneSet::set_workload(WorkloadKind kind, const cluster::ObjectKey& key,
                              const cluster::VirtualMachineInstance* workload) {
  publish(kind, key, workload ? workload->phase : "",
          workload ? std::span<const cluster::IpAddress>(workload->addresses())
                   : std::span<const cluster::IpAddress>());
}

void PodZoneSet::set_workload(WorkloadKind kind, const cluster::ObjectKey& key,
                              const cluster::Pod* workload) {
  publish(kind, key, workload ? workload->phase : "",
          workload ? std::span<const cluster::IpAddress>(workload->addresses)
                   : std::span<const cluster::IpAddress>());
}

void PodZoneSet::publish(WorkloadKind kind, const cluster::ObjectKey& key, const std::string& phase,
                         std::span<const cluster::IpAddress> addresses) {
  if (config_.pods != rules::PodMode::Verified) {
    return;  // insecure answers from the name, disabled has nothing
  }
  std::vector<Entry> entries;
  if (!addresses.empty() && !is_terminal(phase) && is_allowed(config_, key.namespace_name)) {
    for (const cluster::IpAddress& address : addresses) {
      entries.emplace_back(key.namespace_name, address);
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
    size_t bucket = zone::PodLeaves::bucket_of(rules::dashed_name(entry.second));
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
  size_t bucket = zone::PodLeaves::bucket_of(rules::dashed_name(entry.second));
  bucket_entries_[bucket].erase(entry);
  changed_buckets_.insert(bucket);
  if (--namespace_entries_[entry.first] == 0) {
    namespace_entries_.erase(entry.first);
  }
}

std::vector<std::shared_ptr<const zone::Zone>> PodZoneSet::pod_zones(
    const std::set<std::string>& namespaces) {
  std::vector<std::shared_ptr<const zone::Zone>> out;
  last_buckets_rebuilt_ = changed_buckets_.size();
  for (size_t z = 0; z < config_.zones.size(); ++z) {
    auto apex = config_.zones[z].lowercased().prepend("pod");
    if (!apex) {
      out.push_back(nullptr);
      continue;
    }
    // pod.<zone> exists whatever the mode: CoreDNS answers it NODATA even with pods disabled,
    // and a name that one server has and another has not splits negative caches during a
    // rolling replacement.
    zone::ZoneBuilder top(*apex);
    top.add_name(*apex);
    switch (config_.pods) {
      case rules::PodMode::Disabled:
        out.push_back(std::make_shared<const zone::Zone>(std::move(top).finish_shard()));
        break;
      case rules::PodMode::Insecure:
        // CoreDNS's namespaceExposed: a namespace that exists and --namespaces allows.
        for (const std::string& namespace_name : namespaces) {
          if (auto name = apex->prepend(namespace_name)) {
            top.add_name(*name);
          }
        }
        out.push_back(std::make_shared<const zone::Zone>(
            zone::Zone::with_dashed_addresses(std::move(top).finish_shard(), config_.ttl)));
        break;
      case rules::PodMode::Verified:
        out.push_back(verified_zone(z, *apex, std::move(top), namespaces));
        break;
    }
  }
  changed_buckets_.clear();
  return out;
}

std::shared_ptr<const zone::Zone> PodZoneSet::verified_zone(size_t z, const dns::Name& apex,
                                                      zone::ZoneBuilder top,
                                                      const std::set<std::string>& namespaces) {
  for (size_t bucket : changed_buckets_) {
    zone::ZoneBuilder builder(apex);
    for (const auto& [namespace_name, address] : bucket_entries_[bucket]) {
      auto parent = apex.prepend(namespace_name);
      auto owner = parent ? parent->prepend(rules::dashed_name(address)) : std::nullopt;
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
    zone::Zone leaf = std::move(builder).finish_shard();
    buckets_[z][bucket] =
        leaf.empty() ? nullptr : std::make_shared<const zone::Zone>(std::move(leaf));
  }
  // The namespaces with an address of their own.
  for (const std::string& namespace_name : namespaces) {
    if (auto name = apex.prepend(namespace_name);
        name && namespace_entries_.contains(namespace_name)) {
      top.add_name(*name);
    }
  }
  auto leaves = std::make_shared<zone::PodLeaves>();
  leaves->buckets = buckets_[z];
  return std::make_shared<const zone::Zone>(
      zone::Zone::with_leaves(std::move(top).finish_shard(), std::move(leaves)));
}

}  // namespace vmdns::builder
