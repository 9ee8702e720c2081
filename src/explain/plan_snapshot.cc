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

// The bytes an A or AAAA record holding `address` carries.
std::string rdata_of(const cluster::IpAddress& address) {
  size_t length = address.is_v4() ? 4 : 16;
  return std::string(address.bytes.begin(), address.bytes.begin() + length);
}

std::vector<std::string> sorted_text(std::vector<dns::Name> names) {
  std::sort(names.begin(), names.end(), [](const dns::Name& a, const dns::Name& b) {
    return dns::canonical_compare(a, b) < 0;
  });
  std::vector<std::string> out;
  for (const dns::Name& name : names) {
    out.push_back(name.to_text());
  }
  return out;
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
    if (vmi.addresses().empty()) {
      cluster::IpAddress address = placeholder(next++);
      out.placeholders.insert(address);
      give_pod_network(vmi, address);
      if (vmi.addresses().empty()) {
        // The pod network is not the first interface listed, or the VMI is not on it: the
        // placeholder is the VMI's address all the same, on an unnamed interface of its own
        // (no name under --vm-zone), so that the interfaces listed keep their names and none.
        vmi.interfaces.insert(vmi.interfaces.begin(), cluster::VmiInterface{{}, {address}});
      }
    }
    cluster::ObjectKey key = cluster::key_of(vmi.meta);
    out.addresses[key].assign(vmi.addresses().begin(), vmi.addresses().end());
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
  return sorted_text(std::move(names));
}

NamesByAddress::NamesByAddress(const zone::Snapshot& snapshot) {
  for (const zone::Zone& zone : snapshot.zones()) {
    zone.for_each_node([&](std::string_view wire, const zone::Node& node) {
      std::vector<std::string> held;
      for (dns::RrType type : {dns::RrType::A, dns::RrType::AAAA}) {
        if (const zone::RrSet* set = node.find(type)) {
          set->for_each([&](std::span<const uint8_t> rdata) {
            if (rdata.size() == 4 || rdata.size() == 16) {
              held.emplace_back(rdata.begin(), rdata.end());
            }
          });
        }
      }
      if (held.empty()) {
        return;
      }
      auto bytes = reinterpret_cast<const uint8_t*>(wire.data());
      std::optional<dns::Name> name = dns::Name::from_wire({bytes, wire.size()});
      if (!name) {
        return;
      }
      std::sort(held.begin(), held.end());
      held.erase(std::unique(held.begin(), held.end()), held.end());
      for (std::string& rdata : held) {
        by_rdata_[std::move(rdata)].push_back(names_.size());
      }
      names_.push_back(*name);
    });
  }
}

std::vector<std::string> NamesByAddress::names_with(
    std::span<const cluster::IpAddress> addresses) const {
  std::vector<size_t> found;
  for (const cluster::IpAddress& address : addresses) {
    auto it = by_rdata_.find(rdata_of(address));
    if (it != by_rdata_.end()) {
      found.insert(found.end(), it->second.begin(), it->second.end());
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::vector<dns::Name> names;
  names.reserve(found.size());
  for (size_t i : found) {
    names.push_back(names_[i]);
  }
  return sorted_text(std::move(names));
}

}  // namespace vmdns::explain
