#include "control/address_holds.h"

#include <spdlog/spdlog.h>

#include <span>
#include <algorithm>
#include <tuple>

namespace vmdns::control {
namespace {

using cluster::HeldAddress;
using cluster::IpAddress;
using cluster::VirtualMachineInstance;
using cluster::VmiInterface;

bool contains(std::span<const IpAddress> addresses, const IpAddress& address) {
  return std::find(addresses.begin(), addresses.end(), address) != addresses.end();
}

// The interface of `vmi` a hold names: a named one wherever it is listed, or an unnamed first.
template <typename Vmi>
auto* find_interface(Vmi& vmi, const std::string& name) {
  for (size_t i = 0; i < vmi.interfaces.size(); ++i) {
    if (vmi.interfaces[i].name == name && (i == 0 || !name.empty())) {
      return &vmi.interfaces[i];
    }
  }
  return static_cast<decltype(&vmi.interfaces[0])>(nullptr);
}

std::string where(const VirtualMachineInstance& vmi, const HeldAddress& held) {
  return fmt::format("VirtualMachineInstance {}/{}: address {} ({})", vmi.meta.namespace_name,
                     vmi.meta.name, held.address.to_string(),
                     held.interface.empty() ? "first interface" : "interface " + held.interface);
}

const HeldAddress* find_held(const std::vector<HeldAddress>& held, const std::string& interface,
                             const IpAddress& address) {
  for (const HeldAddress& h : held) {
    if (h.interface == interface && h.address == address) {
      return &h;
    }
  }
  return nullptr;
}

// KubeVirt stops a VMI for good in these phases: its addresses are gone with the VM.
bool stopped(const VirtualMachineInstance& vmi) {
  return vmi.phase == "Succeeded" || vmi.phase == "Failed";
}

// A migration moves the guest to another launcher pod, with addresses of its own (the pod
// network's, and secondary ones with a new lease): the ones held are no longer the VM's.
bool migrated(const VirtualMachineInstance& served, const VirtualMachineInstance& incoming) {
  return served.node_name != incoming.node_name || served.migration != incoming.migration;
}

}  // namespace

VirtualMachineInstance AddressHolds::apply(const std::string& origin,
                                           VirtualMachineInstance incoming,
                                           const VirtualMachineInstance* served, TimePoint now) {
  incoming.held.reset();
  cluster::ObjectKey key = cluster::key_of(incoming.meta);
  auto found = entries_.find(key);
  std::vector<HeldAddress> before;
  if (found != entries_.end()) {
    before = std::move(found->second.held);
    entries_.erase(found);
  }
  std::vector<const HeldAddress*> ended;  // logged already
  auto end = [&](const HeldAddress& held, const std::string& why) {
    spdlog::info("{} no longer held: {}", where(incoming, held), why);
    ended.push_back(&held);
  };
  auto end_all = [&](const std::string& why) {
    for (const HeldAddress& held : before) {
      end(held, why);
    }
    return std::move(incoming);
  };
  if (!enabled() || served == nullptr) {
    return end_all("the VirtualMachineInstance is gone");
  }
  if (stopped(incoming)) {
    return end_all("the VirtualMachineInstance stopped (phase " + incoming.phase + ")");
  }
  if (migrated(*served, incoming)) {
    return end_all("the VirtualMachineInstance migrated");
  }

  VirtualMachineInstance out = incoming;
  std::vector<HeldAddress> held;
  for (size_t i = 0; i < served->interfaces.size(); ++i) {
    const VmiInterface& was = served->interfaces[i];
    if (i != 0 && was.name.empty()) {
      continue;  // only the guest agent lists it, and nothing names it
    }
    const VmiInterface* listed = find_interface(incoming, was.name);
    std::span<const IpAddress> now_listed =
        listed ? std::span<const IpAddress>(listed->addresses) : std::span<const IpAddress>();
    std::vector<IpAddress> keep;
    for (IpAddress::Family family : {IpAddress::Family::V4, IpAddress::Family::V6}) {
      auto fresh = std::find_if(now_listed.begin(), now_listed.end(), [&](const IpAddress& a) {
        return a.family == family && !contains(was.addresses, a);
      });
      for (const IpAddress& address : was.addresses) {
        if (address.family != family || contains(now_listed, address)) {
          continue;
        }
        const HeldAddress* previous = find_held(before, was.name, address);
        if (fresh != now_listed.end()) {
          if (previous != nullptr) {
            end(*previous, "replaced by " + fresh->to_string());
          }
          continue;
        }
        TimePoint until = previous ? previous->until : now + hold_;
        if (until <= now) {
          if (previous != nullptr) {
            end(*previous, "the hold expired");
          }
          continue;
        }
        held.push_back({address, was.name, until});
        keep.push_back(address);
        if (previous == nullptr) {
          spdlog::info("{} held for {} s: the guest agent stopped reporting it",
                       where(incoming, held.back()),
                       std::chrono::ceil<std::chrono::seconds>(until - now).count());
        }
      }
    }
    if (keep.empty()) {
      continue;
    }
    VmiInterface* target = find_interface(out, was.name);
    if (target == nullptr) {
      // The status lists the interface no more: it comes back with the held addresses only. A
      // named interface never becomes the first one (whose addresses are the cluster's).
      VmiInterface again = was;
      again.addresses.clear();
      if (i != 0 && out.interfaces.empty()) {
        VmiInterface first = served->interfaces.front();
        first.addresses.clear();
        out.interfaces.push_back(std::move(first));
      }
      if (i == 0) {
        out.interfaces.insert(out.interfaces.begin(), std::move(again));
        target = &out.interfaces.front();
      } else {
        out.interfaces.push_back(std::move(again));
        target = &out.interfaces.back();
      }
    }
    // In the order served until now, the new addresses after: the same status again makes the
    // same VMI, and a relist changes nothing.
    std::vector<IpAddress> merged;
    for (const IpAddress& address : was.addresses) {
      if (contains(target->addresses, address) || contains(keep, address)) {
        merged.push_back(address);
      }
    }
    for (const IpAddress& address : target->addresses) {
      if (!contains(merged, address)) {
        merged.push_back(address);
      }
    }
    target->addresses = std::move(merged);
  }
  for (const HeldAddress& previous : before) {
    if (std::find(ended.begin(), ended.end(), &previous) == ended.end() &&
        find_held(held, previous.interface, previous.address) == nullptr) {
      spdlog::info("{} no longer held: the status lists it again", where(incoming, previous));
    }
  }
  if (held.empty()) {
    return incoming;
  }
  // The others after the first stay sorted, as sources/vmi_decoder.cc lists them.
  if (out.interfaces.size() > 2) {
    std::sort(out.interfaces.begin() + 1, out.interfaces.end(),
              [](const VmiInterface& a, const VmiInterface& b) {
                return std::tie(a.name, a.addresses, a.pod_network) <
                       std::tie(b.name, b.addresses, b.pod_network);
              });
  }
  out.held = held;
  entries_.insert_or_assign(std::move(key), Entry{origin, std::move(incoming), std::move(held)});
  return out;
}

std::vector<std::pair<std::string, VirtualMachineInstance>> AddressHolds::expire(
    TimePoint now, const cluster::State& state) {
  std::vector<cluster::ObjectKey> due;
  for (const auto& [key, entry] : entries_) {
    if (std::any_of(entry.held.begin(), entry.held.end(),
                    [&](const HeldAddress& h) { return h.until <= now; })) {
      due.push_back(key);
    }
  }
  std::vector<std::pair<std::string, VirtualMachineInstance>> out;
  for (const cluster::ObjectKey& key : due) {
    auto served = state.vmis.find(key);
    auto held = entries_.find(key);
    if (held == entries_.end()) {
      continue;  // ended with a VMI gone, by forget_missing below for an earlier key
    }
    if (served == state.vmis.end()) {
      forget_missing(state);
      continue;
    }
    Entry entry = held->second;
    VirtualMachineInstance vmi = apply(entry.origin, std::move(entry.incoming), &served->second, now);
    out.emplace_back(std::move(entry.origin), std::move(vmi));
  }
  return out;
}

void AddressHolds::forget_missing(const cluster::State& state) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (state.vmis.contains(it->first)) {
      ++it;
      continue;
    }
    for (const HeldAddress& held : it->second.held) {
      spdlog::info("{} no longer held: the VirtualMachineInstance is gone",
                   where(it->second.incoming, held));
    }
    it = entries_.erase(it);
  }
}

std::optional<AddressHolds::TimePoint> AddressHolds::next_expiry() const {
  std::optional<TimePoint> next;
  for (const auto& [key, entry] : entries_) {
    for (const HeldAddress& held : entry.held) {
      if (!next || held.until < *next) {
        next = held.until;
      }
    }
  }
  return next;
}

size_t AddressHolds::held() const {
  size_t count = 0;
  for (const auto& [key, entry] : entries_) {
    count += entry.held.size();
  }
  return count;
}

}  // namespace vmdns::control
