#include "rules/vm_zone_rules.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "cluster/dns1123.h"
#include "dns/rdata.h"
#include "rules/constant_name.h"
#include "zone/zone_builder.h"

namespace vmdns::rules {
namespace {

const dns::Name& must(const std::optional<dns::Name>& name) {
  return must_fit(name, "the vm zone");
}

constexpr const char* kNameserverLabel = "ns";

bool is_terminal(const std::string& phase) {
  return phase == "Succeeded" || phase == "Failed";
}

bool is_secondary(const cluster::VmiInterface& nic) {
  return !nic.name.empty() && !nic.pod_network && cluster::is_dns1123_label(nic.name);
}

// The interfaces with a name of their own: the secondary ones, and with --vm-zone-pod-network
// the pod network's.
bool is_named(const cluster::VmiInterface& nic, const ZoneConfig& config) {
  return is_secondary(nic) ||
         (config.vm_zone_pod_network && nic.pod_network && cluster::is_dns1123_label(nic.name));
}

// With --vm-zone-pod-network, the pod network's interface of a VMI attached to it: the one
// <vmi>.<ns>.<zone> answers for, both families, even while it has no address yet (the name
// does not flap to a secondary network in the meantime).
const cluster::VmiInterface* pod_network_interface(const cluster::VirtualMachineInstance& vmi,
                                                   const ZoneConfig& config) {
  if (!config.vm_zone_pod_network) {
    return nullptr;
  }
  auto nic = std::find_if(vmi.interfaces.begin(), vmi.interfaces.end(),
                          [](const cluster::VmiInterface& n) { return n.pod_network; });
  return nic == vmi.interfaces.end() ? nullptr : &*nic;
}

// KubeSecondaryDNS sorts its records, "<iface>.<vmi>.<ns> IN A <ip>", as strings, and its
// default record takes the first one's address. Within one VMI only the interface names differ,
// each followed by the '.' that ends its label: "nic1" comes before "nic10", but "net-2" before
// "net" ('-' sorts before '.').
bool record_sorts_before(std::string_view a, std::string_view b) {
  size_t common = std::min(a.size(), b.size());
  int order = a.substr(0, common).compare(b.substr(0, common));
  if (order != 0 || a.size() == b.size()) {
    return order < 0;
  }
  return a.size() < b.size() ? '.' < b[common] : a[common] < '.';
}

bool has_family(const cluster::VmiInterface& nic, bool v4) {
  return std::any_of(nic.addresses.begin(), nic.addresses.end(),
                     [v4](const cluster::IpAddress& a) { return a.is_v4() == v4; });
}

// The secondary interface whose record sorts first among those with an address of the family:
// the one <vmi>.<ns>.<zone> answers for it. Independent of the order of status.interfaces.
const cluster::VmiInterface* default_interface(const cluster::VirtualMachineInstance& vmi,
                                               bool v4) {
  const cluster::VmiInterface* best = nullptr;
  for (const cluster::VmiInterface& nic : vmi.interfaces) {
    if (is_secondary(nic) && has_family(nic, v4) &&
        (best == nullptr || record_sorts_before(nic.name, best->name))) {
      best = &nic;
    }
  }
  return best;
}

void add_address(zone::ZoneBuilder& builder, const dns::Name& owner, uint32_t ttl,
                 const cluster::IpAddress& address) {
  if (address.is_v4()) {
    builder.add(owner, dns::RrType::A, ttl, dns::rdata::a(address.v4()));
  } else {
    builder.add(owner, dns::RrType::AAAA, ttl, dns::rdata::aaaa(address.bytes));
  }
}

}  // namespace

void add_vm_zone_names(const cluster::VirtualMachineInstance& vmi, const ZoneConfig& config,
                       std::vector<VmZoneName>& out) {
  if (!config.vm_zone || is_terminal(vmi.phase) || !cluster::is_dns1123_label(vmi.meta.name)) {
    return;
  }
  auto ns = config.vm_zone->prepend(vmi.meta.namespace_name);
  auto vmi_name = ns ? ns->prepend(vmi.meta.name) : std::nullopt;
  if (!vmi_name) {
    return;  // longer than 255 octets with a long zone
  }
  for (const cluster::VmiInterface& nic : vmi.interfaces) {
    if (!is_named(nic, config)) {
      continue;
    }
    if (auto nic_name = vmi_name->prepend(nic.name)) {
      for (const cluster::IpAddress& address : nic.addresses) {
        out.push_back({*nic_name, address, true});
      }
    }
  }
  if (const cluster::VmiInterface* pod = pod_network_interface(vmi, config)) {
    // --vm-zone-pod-network: the address the cluster routes to, A and AAAA.
    for (const cluster::IpAddress& address : pod->addresses) {
      out.push_back({*vmi_name, address, false});
    }
    return;
  }
  // The default name: A from the first interface (by name) with an IPv4 address, as
  // KubeSecondaryDNS; AAAA from the first with an IPv6 one.
  for (bool v4 : {true, false}) {
    if (const cluster::VmiInterface* nic = default_interface(vmi, v4)) {
      for (const cluster::IpAddress& address : nic->addresses) {
        if (address.is_v4() == v4) {
          out.push_back({*vmi_name, address, false});
        }
      }
    }
  }
}

std::string vm_zone_bucket_label(const cluster::ObjectKey& vmi) {
  std::string label = vmi.name;
  for (char& c : label) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return label;
}

zone::Zone build_vm_zone_bucket(const ZoneConfig& config, const std::vector<VmZoneName>& names) {
  zone::ZoneBuilder builder(*config.vm_zone);
  for (const VmZoneName& name : names) {
    add_address(builder, name.owner, config.vm_zone_ttl, name.address);
  }
  return std::move(builder).finish_shard();
}

zone::Zone build_vm_zone_top(const ZoneConfig& config, const std::set<std::string>& namespaces) {
  const dns::Name& apex = *config.vm_zone;
  // KubeSecondaryDNS names its nameserver ns.<zone>. Unlike ns.dns.<zone> of the cluster zone, it
  // cannot be a VMI's name here: those have at least two labels below the apex. It can be a
  // namespace's name, which then also has VMIs' names below it.
  dns::Name ns_name = must(apex.prepend(kNameserverLabel));
  dns::Name hostmaster = must(apex.prepend("hostmaster"));
  zone::ZoneBuilder builder(apex);
  // The timers of the cluster zone; the minimum is the negative TTL (RFC 2308 section 4).
  builder.add(
      apex, dns::RrType::SOA, config.negative_ttl,
      dns::rdata::soa(ns_name, hostmaster, config.serial, 7200, 1800, 86400, config.negative_ttl));
  builder.add(apex, dns::RrType::NS, config.vm_zone_ttl, dns::rdata::name(ns_name));
  for (const cluster::IpAddress& address : config.nameserver_addresses) {
    add_address(builder, ns_name, config.vm_zone_ttl, address);
  }
  for (const std::string& namespace_name : namespaces) {
    if (auto name = apex.prepend(namespace_name)) {
      builder.add_name(*name);
    }
  }
  return std::move(builder).finish();
}

}  // namespace vmdns::rules
