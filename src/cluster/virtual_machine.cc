#include "cluster/virtual_machine.h"

#include <array>

namespace vmdns::cluster {
namespace {

constexpr std::array<std::string_view, 5> kRunStrategies = {"Always", "RerunOnFailure", "Once",
                                                            "Halted", "Manual"};

}  // namespace

bool is_run_strategy(std::string_view strategy) {
  for (std::string_view known : kRunStrategies) {
    if (strategy == known) {
      return true;
    }
  }
  return false;
}

bool vm_runs(const VirtualMachine& vm) {
  if (vm.running) {
    return *vm.running;
  }
  // Manual leaves starting to the user (virtctl start); until then there is no VMI.
  return vm.run_strategy == "Always" || vm.run_strategy == "RerunOnFailure" ||
         vm.run_strategy == "Once";
}

std::string run_strategy_text(const VirtualMachine& vm) {
  if (vm.running) {
    return *vm.running ? "running: true" : "running: false";
  }
  if (!vm.run_strategy.empty()) {
    return "runStrategy " + vm.run_strategy;
  }
  return "neither spec.running nor spec.runStrategy";
}

VirtualMachineInstance derived_vmi(const VirtualMachine& vm) {
  VirtualMachineInstance vmi = vm.vmi_template;
  // The VM controller names the VMI after the VM, in the VM's namespace, whatever the template
  // says.
  vmi.meta.namespace_name = vm.meta.namespace_name;
  vmi.meta.name = vm.meta.name;
  vmi.meta.origin = vm.meta.origin;
  vmi.interfaces.clear();
  vmi.phase = {};
  vmi.ready = false;
  vmi.paused = false;
  return vmi;
}

}  // namespace vmdns::cluster
