#pragma once
// KubeVirt's VM controller rules: whether a VirtualMachine runs, and the VMI it runs as.
//
//   if (vm_runs(vm)) {
//     VirtualMachineInstance vmi = derived_vmi(vm);   // named like the VM, template labels
//   }
//   run_strategy_text(vm);   // "runStrategy Halted", "running: true", ...
//
// A derived VMI has no status: it has no address until KubeVirt starts it, so it appears in
// plans (explain/) and never in served records.

#include <string>
#include <string_view>

#include "cluster/model.h"

namespace vmdns::cluster {

// True when KubeVirt starts the VM: spec.running true, or spec.runStrategy Always,
// RerunOnFailure or Once. Halted, Manual, and neither field set (KubeVirt then defaults to
// Halted) leave it stopped.
bool vm_runs(const VirtualMachine& vm);

// How the VM's run state was asked for, for explanations: "runStrategy Always", "running: false",
// or "neither spec.running nor spec.runStrategy".
std::string run_strategy_text(const VirtualMachine& vm);

// The VMI KubeVirt creates for `vm`: the VM's namespace and name, spec.template.metadata.labels
// (never the VM's own labels), and the template spec's hostname, subdomain and DNS settings. No
// address, not ready.
VirtualMachineInstance derived_vmi(const VirtualMachine& vm);

// True for the runStrategy values KubeVirt's API accepts.
bool is_run_strategy(std::string_view strategy);

}  // namespace vmdns::cluster
