#include "builder/client_search_set.h"

#include <algorithm>

#include "resolvconf/guest_dns.h"
#include "resolvconf/pod_dns.h"

namespace vmdns::builder {
namespace {

std::string octets_of(const cluster::IpAddress& address) {
  const char* octets = reinterpret_cast<const char*>(address.bytes.data());
  return std::string(octets, address.is_v4() ? 4 : 16);
}

}  // namespace

ClientSearchSet::ClientSearchSet(const rules::ZoneConfig& config)
    : enabled_(!config.zones.empty()),
      pods_(config.pods == rules::PodMode::Verified),
      namespaces_(config.namespaces),
      claims_(zone::ClientSearchIndex::kBuckets),
      buckets_(zone::ClientSearchIndex::kBuckets) {
  if (enabled_) {
    // kubelet's cluster domain is the first zone; the workloads' lists are written for it.
    std::string zone = config.zones.front().to_text();
    cluster_zone_ = zone.substr(0, zone.size() - 1);
  }
}

void ClientSearchSet::set_workload(const cluster::ObjectKey& key,
                                   const cluster::VirtualMachineInstance* vmi,
                                   const std::vector<cluster::IpAddress>& guest_pods) {
  std::vector<std::string> search;
  std::vector<cluster::IpAddress> addresses;
  if (vmi != nullptr && enabled_) {
    resolvconf::ClusterDns cluster;
    cluster.zone = cluster_zone_;
    search = resolvconf::guest_dns(cluster, *vmi).conf.search;
    addresses.assign(vmi->addresses().begin(), vmi->addresses().end());
    addresses.insert(addresses.end(), guest_pods.begin(), guest_pods.end());
  }
  set({Kind::Vmi, key}, vmi ? &addresses : nullptr, vmi ? vmi->phase.str() : std::string(), &search);
}

void ClientSearchSet::set_workload(const cluster::ObjectKey& key, const cluster::Pod* pod) {
  if (!pods_) {
    return;
  }
  std::vector<std::string> search;
  if (pod != nullptr && enabled_) {
    resolvconf::ClusterDns cluster;
    cluster.zone = cluster_zone_;
    search = resolvconf::pod_dns(cluster, key.namespace_name, pod->dns_policy, pod->dns_config)
                 .conf.search;
  }
  set({Kind::Pod, key}, pod ? &pod->addresses : nullptr, pod ? pod->phase.str() : std::string(), &search);
}

void ClientSearchSet::set(const WorkloadKey& key, const std::vector<cluster::IpAddress>* addresses,
                          const std::string& phase, const std::vector<std::string>* search) {
  // Drop the workload's old claims.
  if (auto old = addresses_.find(key); old != addresses_.end()) {
    for (const std::string& octets : old->second) {
      size_t bucket = zone::ClientSearchIndex::bucket_of(octets);
      auto claimed = claims_[bucket].find(octets);
      claimed->second.erase(key);
      if (claimed->second.empty()) {
        claims_[bucket].erase(claimed);
        --clients_;
      }
      changed_buckets_.insert(bucket);
    }
    addresses_.erase(old);
  }
  const std::string& namespace_name = key.second.namespace_name;
  bool allowed = namespaces_.empty() || std::find(namespaces_.begin(), namespaces_.end(),
                                                  namespace_name) != namespaces_.end();
  if (addresses == nullptr || addresses->empty() || !allowed || !enabled_) {
    return;
  }
  Claim claim{phase == "Running", intern(namespace_name, *search)};
  std::vector<std::string>& claimed = addresses_[key];
  for (const cluster::IpAddress& address : *addresses) {
    std::string octets = octets_of(address);
    if (std::find(claimed.begin(), claimed.end(), octets) != claimed.end()) {
      continue;  // the same address twice on one workload
    }
    size_t bucket = zone::ClientSearchIndex::bucket_of(octets);
    auto& claimants = claims_[bucket][octets];
    if (claimants.empty()) {
      ++clients_;
    }
    claimants.insert_or_assign(key, claim);
    changed_buckets_.insert(bucket);
    claimed.push_back(std::move(octets));
  }
}

std::shared_ptr<const zone::ClientSearch> ClientSearchSet::intern(
    const std::string& namespace_name, const std::vector<std::string>& search) {
  auto [it, inserted] = lists_.try_emplace({namespace_name, search});
  if (inserted) {
    auto list = std::make_shared<zone::ClientSearch>();
    for (const std::string& entry : search) {
      // Entries that are not names (reported by `vmdns check`) are not searched.
      if (auto name = dns::Name::from_text(entry)) {
        list->search.push_back(name->lowercased());
      }
    }
    auto domain = dns::Name::from_text(namespace_name + ".svc." + cluster_zone_);
    list->namespace_domain = domain ? domain->lowercased() : dns::Name();
    it->second = std::move(list);
  }
  return it->second;
}

zone::ClientSearchIndex ClientSearchSet::index() {
  last_buckets_rebuilt_ = changed_buckets_.size();
  for (size_t b : changed_buckets_) {
    if (claims_[b].empty()) {
      buckets_[b] = nullptr;
      continue;
    }
    auto bucket = std::make_shared<zone::ClientSearchIndex::Bucket>();
    bucket->by_address.reserve(claims_[b].size());
    for (const auto& [octets, claimants] : claims_[b]) {
      // VMI before Pod, Running before not; ties keep the first in namespace/name order.
      const Claim* winner = nullptr;
      bool winner_vmi = false;
      for (const auto& [workload, claim] : claimants) {
        bool vmi = workload.first == Kind::Vmi;
        if (winner == nullptr ||
            (vmi != winner_vmi ? vmi : claim.running && !winner->running)) {
          winner = &claim;
          winner_vmi = vmi;
        }
      }
      bucket->lists.push_back(winner->list);
      bucket->by_address.emplace(octets, winner->list.get());
    }
    // Each list once: most addresses of a bucket share a few lists.
    auto by_pointer = [](const auto& a, const auto& b) { return a.get() < b.get(); };
    std::sort(bucket->lists.begin(), bucket->lists.end(), by_pointer);
    bucket->lists.erase(std::unique(bucket->lists.begin(), bucket->lists.end()),
                        bucket->lists.end());
    bucket->lists.shrink_to_fit();
    buckets_[b] = std::move(bucket);
  }
  changed_buckets_.clear();
  if (clients_ == 0) {
    return zone::ClientSearchIndex();
  }
  return zone::ClientSearchIndex(buckets_, clients_);
}

}  // namespace vmdns::builder
