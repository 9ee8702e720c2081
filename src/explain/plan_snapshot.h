#pragma once
// The zones as they will be once every planned VMI runs and is ready: the same builder::build, on a
// copy of the state where each VMI (real or derived from its VM) is Running and Ready, and one
// without an IP gets a placeholder from 2001:db8::/32 (RFC 3849, documentation only). Which
// names a VM will get is then read from records, never re-derived.
//
//   PlanSnapshot plan = build_plan_snapshot(state, plan_vmis(state), config);
//   lookup_name(*plan.snapshot, "myvmi.mysubdomain.default.svc.cluster.local");

#include <span>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "cluster/model.h"
#include "dns/name.h"
#include "explain/workload_plan.h"
#include "rules/zone_config.h"
#include "zone/snapshot.h"

namespace vmdns::explain {

struct PlanSnapshot {
  std::shared_ptr<const zone::Snapshot> snapshot;
  // The addresses each planned VMI has in the plan: its own, or one placeholder.
  std::map<cluster::ObjectKey, std::vector<cluster::IpAddress>> addresses;
  std::set<cluster::IpAddress> placeholders;
};

// VMIs whose VM never starts (VmiState::Rejected) are left out of the plan.
PlanSnapshot build_plan_snapshot(const cluster::State& state, const std::vector<PlannedVmi>& plan,
                                 const rules::ZoneConfig& config);

// Every owner name of `snapshot` with an A or AAAA record holding one of `addresses`, as text
// with a trailing dot, in canonical order.
std::vector<std::string> names_with_addresses(const zone::Snapshot& snapshot,
                                              const std::vector<cluster::IpAddress>& addresses);

// names_with_addresses for many VMIs: the snapshot is walked once, not once per VMI.
//
//   NamesByAddress names(*plan.snapshot);
//   names.names_with(vmi.addresses());  // == names_with_addresses(*plan.snapshot, vmi.addresses())
class NamesByAddress {
 public:
  explicit NamesByAddress(const zone::Snapshot& snapshot);
  std::vector<std::string> names_with(std::span<const cluster::IpAddress> addresses) const;

 private:
  std::vector<dns::Name> names_;  // each node with an A or AAAA record, once
  // The rdata of an A (4 bytes) or AAAA (16 bytes) record -> indexes into names_.
  std::unordered_map<std::string, std::vector<size_t>> by_rdata_;
};

}  // namespace vmdns::explain
