#include "zone/reverse_rules.h"

#include <algorithm>
#include <optional>
#include <span>
#include <tuple>

#include "dns/rdata.h"
#include "zone/dashed_name.h"
#include "zone/reverse_zone.h"
#include "zone/zone_builder.h"

namespace vmdns::zone {
namespace {

std::optional<dns::Name> service_name(const cluster::Service& service, const dns::Name& apex) {
  auto svc = apex.prepend("svc");
  auto ns = svc ? svc->prepend(service.meta.namespace_name) : std::nullopt;
  return ns ? ns->prepend(service.meta.name) : std::nullopt;
}

// PTR targets by address: every (address, target) pair, sorted by address with a Service's
// cluster IPs first and otherwise in the order found, the targets' wire names back to back in
// one buffer. A sort of small entries rather than maps of name vectors: a million endpoints
// cost one allocation of entries and one of names.
class PtrTargets {
 public:
  struct Entry {
    cluster::IpAddress address;
    bool endpoint;   // false: a cluster IP
    uint32_t order;  // when found
    uint32_t name;   // offset of the target's wire name in names_
    uint16_t length;
  };

  void add(const cluster::IpAddress& address, bool endpoint, const dns::Name& target) {
    auto wire = target.wire();
    entries_.push_back({address, endpoint, static_cast<uint32_t>(entries_.size()),
                        static_cast<uint32_t>(names_.size()), static_cast<uint16_t>(wire.size())});
    names_.insert(names_.end(), wire.begin(), wire.end());
  }

  // Calls f(address, target wire) for each PTR: an address that is a cluster IP gets only the
  // cluster-IP targets (CoreDNS looks Services up by IP before endpoints).
  template <typename F>
  void for_each(F&& f) {
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return std::tie(a.address, a.endpoint, a.order) < std::tie(b.address, b.endpoint, b.order);
    });
    bool is_cluster_ip = false;  // the current address: its first entry tells
    for (size_t i = 0; i < entries_.size(); ++i) {
      const Entry& e = entries_[i];
      if (i == 0 || entries_[i - 1].address != e.address) {
        is_cluster_ip = !e.endpoint;
      }
      if (e.endpoint && is_cluster_ip) {
        continue;
      }
      f(e.address, std::span<const uint8_t>(names_.data() + e.name, e.length));
    }
  }

 private:
  std::vector<Entry> entries_;
  std::vector<uint8_t> names_;
};

PtrTargets ptr_targets(const ZoneConfig& config, const std::vector<ServiceEndpoints>& services,
                       const dns::Name& apex) {
  PtrTargets out;
  for (const auto& [service, endpoints_of_service] : services) {
    const std::vector<Endpoint>& eps = *endpoints_of_service;
    if (service->type == cluster::ServiceType::ExternalName ||
        is_ignored_empty(*service, eps, config.ignore_empty_service)) {
      continue;
    }
    auto name = service_name(*service, apex);
    if (!name) {
      continue;
    }
    if (!service->headless) {
      for (const cluster::IpAddress& address : service->cluster_ips) {
        out.add(address, false, *name);
      }
    }
    for (const Endpoint& endpoint : eps) {
      if (!is_published(endpoint, *service)) {
        continue;
      }
      if (auto host = name->prepend(endpoint_label(endpoint, config.endpoint_pod_names))) {
        out.add(endpoint.address, true, *host);
      }
    }
  }
  return out;
}

}  // namespace

std::vector<Zone> build_reverse_zones(const ZoneConfig& config,
                                      const std::vector<ServiceEndpoints>& services,
                                      const std::vector<AddressName>& more) {
  std::vector<Zone> zones;
  if (config.reverse_zones.empty() || config.zones.empty()) {
    return zones;
  }
  const dns::Name& first = config.zones.front();
  dns::Name ns_name = *(*first.prepend("dns")).prepend("ns");
  dns::Name hostmaster = *first.prepend("hostmaster");

  // Distinct apexes, most specific first, so that a PTR lands in the deepest zone holding it.
  std::vector<dns::Name> apexes;
  for (const dns::Name& apex : config.reverse_zones) {
    if (std::find(apexes.begin(), apexes.end(), apex) == apexes.end()) {
      apexes.push_back(apex.lowercased());
    }
  }
  std::stable_sort(apexes.begin(), apexes.end(), [](const dns::Name& a, const dns::Name& b) {
    return a.label_count() > b.label_count();
  });
  std::vector<ZoneBuilder> builders;
  builders.reserve(apexes.size());
  for (const dns::Name& apex : apexes) {
    ZoneBuilder& b = builders.emplace_back(apex);
    b.add(apex, dns::RrType::SOA, config.negative_ttl,
          dns::rdata::soa(ns_name, hostmaster, config.serial, 7200, 1800, 86400,
                          config.negative_ttl));
    b.add(apex, dns::RrType::NS, config.ttl, dns::rdata::name(ns_name));
  }
  // The most specific reverse zone that holds `owner`, or nullptr.
  auto builder_for = [&](const dns::Name& owner) -> ZoneBuilder* {
    for (size_t i = 0; i < apexes.size(); ++i) {
      if (owner.is_subdomain_of(apexes[i])) {
        return &builders[i];
      }
    }
    return nullptr;
  };
  // The targets of one address come one after the other: its owner is computed once.
  std::optional<cluster::IpAddress> last;
  dns::Name owner;
  ZoneBuilder* builder = nullptr;
  ptr_targets(config, services, first)
      .for_each([&](const cluster::IpAddress& address, std::span<const uint8_t> target) {
        if (address != last) {
          last = address;
          owner = reverse_name(address);
          builder = builder_for(owner);
        }
        if (builder != nullptr) {
          builder->add(owner, dns::RrType::PTR, config.ttl, target);
        }
      });
  for (const AddressName& ptr : more) {
    dns::Name owner = reverse_name(ptr.address);
    if (ZoneBuilder* b = builder_for(owner)) {
      b->add(owner, dns::RrType::PTR, ptr.ttl, dns::rdata::name(ptr.name));
    }
  }
  for (ZoneBuilder& b : builders) {
    zones.push_back(std::move(b).finish());
  }
  return zones;
}

}  // namespace vmdns::zone
