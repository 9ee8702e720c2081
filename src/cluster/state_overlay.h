#pragma once
// Planned objects laid over the cluster's: each object of `planned` replaces the one of `base`
// with the same kind, namespace and name, as `kubectl apply -f` of the plan would, and is added
// when `base` has none. `vmdns explain --kubeconfig K -f new-vm.yaml` asks the running cluster
// what a VM not created yet will be called.
//
//   cluster::State live = ...;                    // listed from the API
//   cluster::overlay(live, std::move(planned));   // -f's manifests win

#include "cluster/model.h"

namespace vmdns::cluster {

void overlay(State& base, State planned);

}  // namespace vmdns::cluster
