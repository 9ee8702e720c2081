#include "explain/workload_plan.h"

#include <algorithm>

#include "cluster/virtual_machine.h"

namespace vmdns::explain {
namespace {

VmiState state_of_real(const cluster::VirtualMachineInstance& vmi) {
  if (vmi.phase == "Succeeded" || vmi.phase == "Failed") {
    return VmiState::Finished;
  }
  if (vmi.paused) {
    return VmiState::Paused;
  }
  if (!vmi.ready) {
    return VmiState::NotReady;
  }
  return vmi.addresses.empty() ? VmiState::NoAddress : VmiState::Ready;
}

}  // namespace

bool subdomain_has_dot(const cluster::VirtualMachineInstance& vmi) {
  return vmi.subdomain.find('.') != std::string::npos;
}

std::string PlannedVmi::object() const {
  return std::string(vm != nullptr ? "VirtualMachine " : "VirtualMachineInstance ") +
         vmi.meta.namespace_name + "/" + vmi.meta.name;
}

std::string PlannedVmi::spec_path() const {
  return vm != nullptr ? "spec.template.spec" : "spec";
}

std::string PlannedVmi::labels_path() const {
  return vm != nullptr ? "spec.template.metadata.labels" : "metadata.labels";
}

std::string PlannedVmi::state_text() const {
  switch (state) {
    case VmiState::Ready:
      return "ready";
    case VmiState::NotReady:
      return "not ready (phase " + (vmi.phase.empty() ? std::string("unknown") : vmi.phase) + ")";
    case VmiState::Paused:
      return "paused";
    case VmiState::Finished:
      return "finished (phase " + vmi.phase + ")";
    case VmiState::NoAddress:
      return "no IP yet";
    case VmiState::WillStart:
      return "will start (" + cluster::run_strategy_text(*vm) + "), no IP until it runs";
    case VmiState::Stopped:
      return "stopped (" + cluster::run_strategy_text(*vm) + ")";
    case VmiState::Rejected:
      return "never starts: the launcher pod is refused (subdomain \"" + vmi.subdomain +
             "\" has a dot)";
  }
  return "";
}

std::vector<PlannedVmi> plan_vmis(const cluster::State& state) {
  std::vector<PlannedVmi> out;
  for (const auto& [key, vmi] : state.vmis) {
    PlannedVmi planned;
    planned.vmi = vmi;
    auto vm = state.vms.find(key);
    planned.vm = vm == state.vms.end() ? nullptr : &vm->second;
    planned.exists = true;
    planned.state = state_of_real(vmi);
    out.push_back(std::move(planned));
  }
  for (const auto& [key, vm] : state.vms) {
    if (state.vmis.count(key) != 0) {
      continue;  // the real VMI wins
    }
    PlannedVmi planned;
    planned.vmi = cluster::derived_vmi(vm);
    planned.vm = &vm;
    if (!cluster::vm_runs(vm)) {
      planned.state = VmiState::Stopped;
    } else if (subdomain_has_dot(planned.vmi)) {
      planned.state = VmiState::Rejected;
    } else {
      planned.state = VmiState::WillStart;
    }
    out.push_back(std::move(planned));
  }
  std::stable_sort(out.begin(), out.end(), [](const PlannedVmi& a, const PlannedVmi& b) {
    return cluster::key_of(a.vmi.meta) < cluster::key_of(b.vmi.meta);
  });
  return out;
}

}  // namespace vmdns::explain
