#pragma once
// Pod A/AAAA records (Kubernetes DNS specification, schema 1.1.0, and CoreDNS's `pods` option):
//   <dashed-ip>.<ns>.pod.<zone>   A/AAAA: the address of a Pod or VMI (a VMI runs in a pod)
//
// CoreDNS's `pods insecure` answers any well-formed dashed address without looking; a snapshot
// cannot hold every address, so here `insecure` publishes the addresses of every Pod and VMI we
// know under every known namespace, and `verified` only under the workload's own namespace.
// Terminal (Succeeded, Failed) workloads have no records.

#include <set>
#include <string>

#include "cluster/model.h"
#include "dns/name.h"
#include "zone/config.h"
#include "zone/zone_builder.h"

namespace vmdns::zone {

// `namespaces`: the namespaces that exist; workloads in others are skipped.
void add_pod_records(const cluster::State& state, const ZoneConfig& config, const dns::Name& apex,
                     const std::set<std::string>& namespaces, ZoneBuilder& builder);

}  // namespace vmdns::zone
