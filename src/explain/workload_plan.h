#pragma once
// The VMIs the cluster runs or will run: every real VMI, and for each VirtualMachine without one
// the VMI KubeVirt will create (cluster::derived_vmi). A real VMI of the same namespace and name
// wins over the derived one.
//
//   for (const PlannedVmi& p : plan_vmis(state)) {
//     p.object();        // "VirtualMachine default/vm-fedora"
//     p.state_text();    // "ready", "paused", "not started: runStrategy Halted", ...
//   }

#include <string>
#include <vector>

#include "cluster/model.h"

namespace vmdns::explain {

enum class VmiState {
  Ready,      // a real VMI, ready, with an address
  NotReady,   // a real VMI whose Ready condition is not True (or phase is not Running)
  Paused,     // a real VMI with the Paused condition
  Finished,   // a real VMI in phase Succeeded or Failed: no endpoint
  NoAddress,  // a real, ready VMI without an IP in status.interfaces yet
  WillStart,  // a VM that KubeVirt starts, whose VMI does not exist yet: no IP until it runs
  Stopped,    // a VM that does not run (Halted, Manual, running: false)
  Rejected,   // a VM KubeVirt cannot start: its VMI or launcher pod would be refused
};

struct PlannedVmi {
  cluster::VirtualMachineInstance vmi;          // the real VMI, or the one its VM will create
  const cluster::VirtualMachine* vm = nullptr;  // the VM of the same namespace and name, if any
  bool exists = false;                          // a real VMI from the manifests
  VmiState state = VmiState::Stopped;
  std::string rejected_because;  // for Rejected: "subdomain \"a.b\" has a dot", ...

  // "VirtualMachine ns/name" when a VM owns it, else "VirtualMachineInstance ns/name".
  std::string object() const;
  // The field path of the VMI's spec in the object the user edits: "spec.template.spec" for a
  // VM, "spec" for a VMI; labels likewise ("spec.template.metadata.labels", "metadata.labels").
  std::string spec_path() const;
  std::string labels_path() const;
  // "ready", "not ready (phase Scheduling)", "paused", "no IP yet", "will start (runStrategy
  // Always), no IP until it runs", "stopped (runStrategy Halted)", ...
  std::string state_text() const;
  // True once KubeVirt runs it or will: a real VMI, or a VM that starts.
  bool runs() const { return exists || state == VmiState::WillStart; }
};

std::vector<PlannedVmi> plan_vmis(const cluster::State& state);

// Why KubeVirt could not start a VM with this template, or "" when it could: a subdomain with a
// dot (the launcher pod is refused), a dnsConfig over KubeVirt's limits (the VMI is refused).
std::string start_refusal(const cluster::VirtualMachineInstance& vmi);

// KubeVirt's VMI admission keeps the API server's old limits (pkg/virt-api admitters:
// maxDNSSearchPaths, maxDNSSearchListChars), stricter than a Pod's ExpandedDNSConfig ones.
inline constexpr size_t kKubeVirtMaxSearchPaths = 6;
inline constexpr size_t kKubeVirtMaxSearchChars = 256;

// The length of spec.dnsConfig.searches as one line, spaces included.
size_t search_line_chars(const cluster::VirtualMachineInstance& vmi);

// True when a VirtualMachine's template subdomain has a dot: KubeVirt accepts it, but the API
// server refuses the launcher pod (a Pod's spec.subdomain is one DNS label).
bool subdomain_has_dot(const cluster::VirtualMachineInstance& vmi);

}  // namespace vmdns::explain
