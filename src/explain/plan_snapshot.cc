#include "explain/plan_snapshot.h"

#include <algorithm>
#include <cstring>

#include "builder/build.h"
#include "dns/name.h"
#include "dns/types.h"

namespace vmdns::explain {
namespace {

cluster::IpAddress placeholder(uint32_t index) {
  cluster::IpAddress address = *cluster::IpAddress::parse("2001:db8::");
  address.bytes[12] = static_cast<uint8_t>(index >> 24);
  address.bytes[13] = static_cast<uint8_t>(index >> 16);
  address.bytes[14] = static_cast<uint8_t>(index >> 8);
  address.bytes[15] = static_cast<uint8_t>(index + 1);
  return address;
}

bool holds_any(const zone::RrSet* set, const std::vector<cluster::IpAddress>& addresses) {
  if (set == nullptr) {
    return false;
  }
  bool found = false;
  set->for_each([&](std::span<const uint8_t> rdata) {
    for (const cluster::IpAddress& address : addresses) {
      size_t length = address.is_v4() ? 4 : 16;
      found = found || (rdata.size() == length &&
                        std::equal(rdata.begin(), rdata.end(), address.bytes.begin()));
    }
  });
  return found;
}

// The placeholder is the pod network's address, as KubeVirt will report it in
// status.interfaces: names made from that interface (--vm-zone-pod-network) are planned too.
void give_pod_network(cluster::VirtualMachineInstance& vmi, const cluster::IpAddress& address) {
  auto nic = std::find_if(vmi.interfaces.begin(), vmi.interfaces.end(),
                          [](const cluster::VmiInterface& n) { return n.pod_network; });
  if (nic != vmi.interfaces.end()) {
    if (nic->addresses.empty()) {
      nic->addresses.push_back(address);
    }
  } else if (!vmi.pod_network.empty()) {
    vmi.interfaces.insert(vmi.interfaces.begin(), {vmi.pod_network, {address}, true});
  }
}

}  // namespace

PlanSnapshot build_plan_snapshot(const cluster::State& state, const std::vector<PlannedVmi>& plan,
                                 const rules::ZoneConfig& config) {
  PlanSnapshot out;
  cluster::State planned = state;
  uint32_t next = 0;
  for (const PlannedVmi& p : plan) {
    if (p.state == VmiState::Rejected) {
      continue;
    }
    cluster::VirtualMachineInstance vmi = p.vmi;
    vmi.phase = "Running";
    vmi.ready = true;
    vmi.paused = false;
    if (vmi.addresses.empty()) {
      vmi.addresses.push_back(placeholder(next++));
      out.placeholders.insert(vmi.addresses.back());
      give_pod_network(vmi, vmi.addresses.back());
    }
    cluster::ObjectKey key = cluster::key_of(vmi.meta);
    out.addresses[key] = vmi.addresses;
    planned.vmis[key] = std::move(vmi);
  }
  out.snapshot = builder::build(planned, config);
  return out;
}

std::vector<std::string> names_with_addresses(const zone::Snapshot& snapshot,
                                              const std::vector<cluster::IpAddress>& addresses) {
  std::vector<dns::Name> names;
  for (const zone::Zone& zone : snapshot.zones()) {
    zone.for_each_node([&](std::string_view wire, const zone::Node& node) {
      if (holds_any(node.find(dns::RrType::A), addresses) ||
          holds_any(node.find(dns::RrType::AAAA), addresses)) {
        auto bytes = reinterpret_cast<const uint8_t*>(wire.data());
        if (std::optional<dns::Name> name = dns::Name::from_wire({bytes, wire.size()})) {
          names.push_back(*name);
        }
      }
    });
  }
  std::sort(names.begin(), names.end(), [](const dns::Name& a, const dns::Name& b) {
    return dns::canonical_compare(a, b) < 0;
  });
  std::vector<std::string> out;
  for (const dns::Name& name : names) {
    out.push_back(name.to_text());
  }
  return out;
}

}  // namespace vmdns::explain
