#pragma once
// `vmdns explain NAME`: whether NAME resolves, to what, and if not, why (name_diagnosis.h).
//
//   NameQuery q{.name = "myvmi.mysubdomain", .from_vmi = "vmi-fedora"};
//   std::string error;
//   auto e = explain_name(state, zone_config, cluster_dns, q, &error);
//   e->resolves;   // true
//   e->tries;      // glibc's order from the guest: myvmi.mysubdomain. first (ndots 1), ...
//
// A short name is expanded the way the asking workload's resolver does (resolvconf/): the guest
// of --from-vmi (its DHCP search list, ndots 1), or a pod of --namespace (ndots 5). Without
// either, NAME is absolute. Each try is looked up in the snapshot builder::build makes of the
// manifests; a name outside our zones counts as NXDOMAIN (an upstream's answer for it).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cluster/model.h"
#include "explain/name_diagnosis.h"
#include "resolvconf/pod_dns.h"
#include "resolvconf/search_order.h"
#include "rules/zone_config.h"
#include "zone/snapshot.h"

namespace vmdns::explain {

struct NameQuery {
  std::string name;
  std::string from_vmi;        // a VMI or VM name: its guest's view
  std::string namespace_name;  // the VMI's namespace, or a pod's when no VMI is given
};

// A record of the answer whose address the VMI's status no longer lists, kept by serve's
// --address-hold (cluster::HeldAddress).
struct HeldRecord {
  std::string record;     // "A 10.244.0.57"
  std::string object;     // "VirtualMachineInstance default/db"
  std::string interface;  // its interface's name; empty for an unnamed first one
  int64_t seconds_left = 0;  // until the hold ends, rounded up
};

struct NameExplanation {
  std::string name;     // as asked
  std::string context;  // "the guest of VirtualMachineInstance default/vmi-fedora (ndots 1)"
  std::vector<std::string> search;
  std::vector<resolvconf::SearchTry> tries;
  bool resolves = false;
  std::string answer_name;           // the try that answered
  std::vector<std::string> records;  // "A 10.244.0.57"
  Diagnosis diagnosis;               // the try that got furthest in the chain, when unresolved
  std::vector<std::string> notes;
  std::vector<HeldRecord> held;      // records of the answer served only by an address hold
};

// nullopt and `error` when --from-vmi names no VM or VMI (or one in several namespaces).
std::optional<NameExplanation> explain_name(const cluster::State& state,
                                            const rules::ZoneConfig& config,
                                            const resolvconf::ClusterDns& cluster,
                                            const NameQuery& query, std::string* error);

// The same on the running server: against `served`, the snapshot served from `state` and
// `config`, rather than one built here; the address holds in `state` are measured from `now`
// (the control thread's clock).
std::optional<NameExplanation> explain_name(const cluster::State& state,
                                            const rules::ZoneConfig& config,
                                            const resolvconf::ClusterDns& cluster,
                                            const NameQuery& query, const zone::Snapshot& served,
                                            std::chrono::steady_clock::time_point now,
                                            std::string* error);

}  // namespace vmdns::explain
