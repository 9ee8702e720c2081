#include "zone/vm_zone_rules.h"

#include <optional>
#include <stdexcept>

#include "cluster/dns1123.h"
#include "dns/rdata.h"
#include "zone/zone_builder.h"

namespace vmdns::zone {
namespace {

const dns::Name& must(const std::optional<dns::Name>& name) {
  // make_zone_config() refuses a --vm-zone too long for "hostmaster" below it.
  if (!name) {
    throw std::logic_error("constant name does not fit the vm zone");
  }
  return *name;
}

constexpr const char* kNameserverLabel = "ns";

bool is_terminal(const std::string& phase) {
  return phase == "Succeeded" || phase == "Failed";
}

bool is_secondary(const cluster::VmiInterface& nic) {
  return !nic.name.empty() && !nic.pod_network && cluster::is_dns1123_label(nic.name);
}

void add_address(ZoneBuilder& builder, const dns::Name& owner, uint32_t ttl,
                 const cluster::IpAddress& address) {
  if (address.is_v4()) {
    builder.add(owner, dns::RrType::A, ttl, dns::rdata::a(address.v4()));
  } else {
    builder.add(owner, dns::RrType::AAAA, ttl, dns::rdata::aaaa(address.bytes));
  }
}

}  // namespace

std::vector<VmZoneName> vm_zone_names(const cluster::State& state, const ZoneConfig& config,
                                      const std::string& namespace_name) {
  std::vector<VmZoneName> out;
  std::optional<dns::Name> ns = vm_zone_shard_apex(config, namespace_name);
  if (!ns) {
    return out;  // no --vm-zone, or a namespace too long for it
  }
  for (auto it = state.vmis.lower_bound(cluster::ObjectKey{namespace_name, ""});
       it != state.vmis.end() && it->first.namespace_name == namespace_name; ++it) {
    const cluster::VirtualMachineInstance& vmi = it->second;
    if (is_terminal(vmi.phase) || !cluster::is_dns1123_label(vmi.meta.name)) {
      continue;
    }
    auto vmi_name = ns->prepend(vmi.meta.name);
    if (!vmi_name) {
      continue;  // longer than 255 octets with a long zone
    }
    bool vmi_name_taken = false;
    for (const cluster::VmiInterface& nic : vmi.interfaces) {
      if (!is_secondary(nic) || nic.addresses.empty()) {
        continue;
      }
      auto nic_name = vmi_name->prepend(nic.name);
      for (const cluster::IpAddress& address : nic.addresses) {
        if (nic_name) {
          out.push_back({*nic_name, address, true});
        }
        if (!vmi_name_taken) {
          out.push_back({*vmi_name, address, false});
        }
      }
      vmi_name_taken = true;
    }
  }
  return out;
}

std::optional<dns::Name> vm_zone_shard_apex(const ZoneConfig& config,
                                            const std::string& namespace_name) {
  return config.vm_zone ? config.vm_zone->prepend(namespace_name) : std::nullopt;
}

Zone build_vm_zone_shard(const ZoneConfig& config, const std::string& namespace_name,
                         const std::vector<VmZoneName>& names) {
  ZoneBuilder builder(must(vm_zone_shard_apex(config, namespace_name)));
  if (namespace_name == kNameserverLabel) {
    dns::Name ns_name = must(config.vm_zone->prepend(kNameserverLabel));
    for (const cluster::IpAddress& address : config.nameserver_addresses) {
      add_address(builder, ns_name, config.vm_zone_ttl, address);
    }
  }
  for (const VmZoneName& name : names) {
    add_address(builder, name.owner, config.vm_zone_ttl, name.address);
  }
  return std::move(builder).finish_shard();
}

Zone build_vm_zone_top(const ZoneConfig& config, const ShardTable& shards) {
  const dns::Name& apex = *config.vm_zone;
  // KubeSecondaryDNS names its nameserver ns.<zone>. Unlike ns.dns.<zone> of the cluster zone, it
  // cannot be a VMI's name here: those have at least two labels below the apex. It can be a
  // namespace's shard, which then holds its addresses.
  dns::Name ns_name = must(apex.prepend(kNameserverLabel));
  dns::Name hostmaster = must(apex.prepend("hostmaster"));
  ZoneBuilder builder(apex);
  // The timers of the cluster zone; the minimum is the negative TTL (RFC 2308 section 4).
  builder.add(
      apex, dns::RrType::SOA, config.negative_ttl,
      dns::rdata::soa(ns_name, hostmaster, config.serial, 7200, 1800, 86400, config.negative_ttl));
  builder.add(apex, dns::RrType::NS, config.vm_zone_ttl, dns::rdata::name(ns_name));
  if (shards.find(ns_name.lowercased().wire_view()) == nullptr) {
    for (const cluster::IpAddress& address : config.nameserver_addresses) {
      add_address(builder, ns_name, config.vm_zone_ttl, address);
    }
  }
  return std::move(builder).finish();
}

}  // namespace vmdns::zone
