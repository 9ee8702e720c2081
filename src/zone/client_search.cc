#include "zone/client_search.h"

#include <algorithm>
#include <array>
#include <map>

#include "resolvconf/guest_dns.h"
#include "resolvconf/pod_dns.h"

namespace vmdns::zone {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::string address_key(const cluster::IpAddress& address) {
  const char* octets = reinterpret_cast<const char*>(address.bytes.data());
  return std::string(octets, address.is_v4() ? 4 : 16);
}

bool is_allowed(const ZoneConfig& config, const std::string& namespace_name) {
  return config.namespaces.empty() || std::find(config.namespaces.begin(), config.namespaces.end(),
                                                namespace_name) != config.namespaces.end();
}

// A workload waiting for its turn: the search list as text, and how strong its claim is.
struct Claim {
  bool vmi = false;
  bool running = false;
  std::string namespace_name;
  std::vector<std::string> search;
};

// VMI before Pod, Running before not; ties keep the earlier (namespace/name order).
bool stronger(const Claim& a, const Claim& b) {
  return a.vmi != b.vmi ? a.vmi : a.running && !b.running;
}

}  // namespace

ClientSearchIndex ClientSearchIndex::build(const cluster::State& state, const ZoneConfig& config) {
  ClientSearchIndex index;
  if (config.zones.empty()) {
    return index;
  }
  // kubelet's cluster domain is the first zone; the workloads' lists are written for it.
  resolvconf::ClusterDns cluster;
  std::string zone = config.zones.front().to_text();
  cluster.zone = zone.substr(0, zone.size() - 1);

  std::map<std::string, Claim> claims;
  auto claim = [&claims](const std::vector<cluster::IpAddress>& addresses, Claim candidate) {
    for (const cluster::IpAddress& address : addresses) {
      auto [it, inserted] = claims.try_emplace(address_key(address), candidate);
      if (!inserted && stronger(candidate, it->second)) {
        it->second = candidate;
      }
    }
  };
  for (const auto& [key, vmi] : state.vmis) {
    if (is_allowed(config, key.namespace_name) && !vmi.addresses.empty()) {
      claim(vmi.addresses, {true, vmi.phase == "Running", key.namespace_name,
                            resolvconf::guest_dns(cluster, vmi).conf.search});
    }
  }
  if (config.pods == PodMode::Verified) {
    for (const auto& [key, pod] : state.pods) {
      if (is_allowed(config, key.namespace_name) && !pod.addresses.empty()) {
        claim(pod.addresses,
              {false, pod.phase == "Running", key.namespace_name,
               resolvconf::pod_dns(cluster, key.namespace_name, pod.dns_policy, pod.dns_config)
                   .conf.search});
      }
    }
  }

  // One list per distinct (namespace, search list).
  std::map<std::pair<std::string, std::vector<std::string>>, uint32_t> interned;
  for (auto& [address, winner] : claims) {
    auto [it, inserted] = interned.try_emplace({winner.namespace_name, winner.search},
                                               static_cast<uint32_t>(index.lists_.size()));
    if (inserted) {
      ClientSearch list;
      for (const std::string& entry : winner.search) {
        // Entries that are not names (reported by `vmdns check`) are not searched.
        if (auto name = dns::Name::from_text(entry)) {
          list.search.push_back(name->lowercased());
        }
      }
      auto domain = dns::Name::from_text(winner.namespace_name + ".svc." + cluster.zone);
      list.namespace_domain = domain ? domain->lowercased() : dns::Name();
      index.lists_.push_back(std::move(list));
    }
    index.by_address_.emplace(address, it->second);
  }
  return index;
}

const ClientSearch* ClientSearchIndex::find(std::span<const uint8_t> address) const {
  if (address.size() == 16 &&
      std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), address.begin())) {
    address = address.subspan(12);
  }
  if (address.size() != 4 && address.size() != 16) {
    return nullptr;
  }
  std::string_view key(reinterpret_cast<const char*>(address.data()), address.size());
  auto it = by_address_.find(key);
  return it == by_address_.end() ? nullptr : &lists_[it->second];
}

}  // namespace vmdns::zone
