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
  return vmi.addresses().empty() ? VmiState::NoAddress : VmiState::Ready;
}

}  // namespace

bool subdomain_has_dot(const cluster::VirtualMachineInstance& vmi) {
  return vmi.subdomain.str().find('.') != std::string::npos;
}

size_t search_line_chars(const cluster::VirtualMachineInstance& vmi) {
  size_t chars = 0;
  if (vmi.dns_config) {
    for (const std::string& search : vmi.dns_config->searches) {
      chars += search.size() + (chars == 0 ? 0 : 1);
    }
  }
  return chars;
}

std::string start_refusal(const cluster::VirtualMachineInstance& vmi) {
  if (subdomain_has_dot(vmi)) {
    return "the API server refuses its launcher pod: subdomain \"" + vmi.subdomain + "\" has a dot";
  }
  if (vmi.dns_config && vmi.dns_config->searches.size() > kKubeVirtMaxSearchPaths) {
    return "KubeVirt refuses its VMI: dnsConfig has more than 6 search paths";
  }
  if (search_line_chars(vmi) > kKubeVirtMaxSearchChars) {
    return "KubeVirt refuses its VMI: dnsConfig's search list is over 256 characters";
  }
  return "";
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
      return "not ready (phase " + (vmi.phase.empty() ? std::string("unknown") : vmi.phase.str()) + ")";
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
      return "never starts: " + rejected_because;
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
    } else if (std::string refusal = start_refusal(planned.vmi); !refusal.empty()) {
      planned.state = VmiState::Rejected;
      planned.rejected_because = std::move(refusal);
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
