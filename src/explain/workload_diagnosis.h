#pragma once
// Why a planned VMI gives no address to a name under a Service: the links
//   selector -> subdomain -> readiness -> address
// of the name diagnosis (name_diagnosis.h), stopping at the first broken one with the object to
// change and the fix. The Service exists and the VMI is the one the name asks for.
//
//   Diagnosis d;
//   diagnose_workload(state, service, planned, /*needs_subdomain=*/true, d);
//   d.step;  // Step::Readiness
//   d.fix;   // "virtctl unpause vmi myvmi -n default"

#include "cluster/model.h"
#include "explain/name_diagnosis.h"
#include "explain/workload_plan.h"

namespace vmdns::explain {

// The Service's selector pairs that the VMI's launcher pod lacks (none without a selector).
cluster::Labels missing_labels(const cluster::Service& service,
                               const cluster::VirtualMachineInstance& vmi);

// Sets `out`'s step to the first broken link, or to Step::Resolves when every link holds.
// `needs_subdomain`: the name has a hostname label, which only names a VMI whose spec.subdomain
// is the Service's name (the Service's own name needs only a selected, ready VMI).
void diagnose_workload(const cluster::State& state, const cluster::Service& service,
                       const PlannedVmi& planned, bool needs_subdomain, Diagnosis& out);

}  // namespace vmdns::explain
