#pragma once
// --address-hold: the addresses a running VMI's status stops listing are kept in its records for
// a while. KubeVirt's status.interfaces come from the guest agent, and they vanish for seconds
// when the agent restarts or reports late (kubevirt issue 12698); without a hold the VM's names
// vanish with them.
//
//   AddressHolds holds(std::chrono::seconds(30));
//   const cluster::VirtualMachineInstance* served = ...;   // what the store serves now, or null
//   cluster::VirtualMachineInstance effective = holds.apply("kubernetes", incoming, served, now);
//   store.upsert("kubernetes", effective);   // the lost addresses are still in it, and in .held
//   ...
//   for (auto& [origin, vmi] : holds.expire(later, store.state())) store.upsert(origin, vmi);
//
// An address is held per interface (the first one's, and each named one's, which --vm-zone
// serves) and per family. A hold ends, and the records change at once, when the address is
// listed again, when another address of its family appears on its interface (a new address
// replaces the held one, never adds to it), when the VMI stops (phase Succeeded or Failed),
// migrates (status.nodeName or status.migrationState changes), or is gone; and when it expires.
// The same VMI seen again without the address (a relist) keeps the hold as it is: its end does
// not move. Each start and end is logged at info level.
//
// Owned by the control thread, as the store is.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cluster/model.h"

namespace vmdns::control {

class AddressHolds {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `hold` 0: nothing is ever held, apply() returns the VMI as it came.
  explicit AddressHolds(std::chrono::milliseconds hold) : hold_(hold) {}

  bool enabled() const { return hold_.count() > 0; }

  // The VMI to serve for `incoming` (as `origin` defines it now), given `served`, the VMI served
  // until now under the same key (null when none): `incoming` with the addresses still held put
  // back into its interfaces and listed in `held`.
  cluster::VirtualMachineInstance apply(const std::string& origin,
                                        cluster::VirtualMachineInstance incoming,
                                        const cluster::VirtualMachineInstance* served,
                                        TimePoint now);

  // The VMIs whose hold of an address ended by `now`, to serve again (the origin to set each
  // in, and the VMI without the expired addresses). `state` is what is served now.
  std::vector<std::pair<std::string, cluster::VirtualMachineInstance>> expire(
      TimePoint now, const cluster::State& state);

  // Ends the holds of the VMIs `state` no longer has (deleted, their origin gone).
  void forget_missing(const cluster::State& state);

  // When the earliest hold ends; nullopt when nothing is held.
  std::optional<TimePoint> next_expiry() const;
  // Addresses held now.
  size_t held() const;

 private:
  struct Entry {
    std::string origin;
    cluster::VirtualMachineInstance incoming;  // as its origin last defined it
    std::vector<cluster::HeldAddress> held;
  };

  std::chrono::milliseconds hold_;
  std::map<cluster::ObjectKey, Entry> entries_;  // the VMIs with an address held
};

}  // namespace vmdns::control
