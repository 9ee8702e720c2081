#pragma once
// Every object `vmdns explain` and `vmdns check` read, listed once from the API: one paginated
// list per kind (Namespaces, Services, EndpointSlices, VirtualMachineInstances,
// VirtualMachines, Pods), no watch. The objects are the ones a watching `serve` would hold,
// plus the VirtualMachines (plans, which serve never reads).
//
//   ClusterListOptions options{.all_pods = zone_options.pods == "verified"};
//   std::string error;
//   auto listed = list_cluster(config, options, &error);
//   if (!listed) die(error);
//   // "cannot list VirtualMachineInstances at https://10.0.0.1:6443/apis/kubevirt.io/v1/
//   //  virtualmachineinstances?limit=500: HTTP 403: Forbidden: ..."
//
// Each object's origin is the URL of its collection ("https://10.0.0.1:6443/api/v1/services"),
// so that a diagnostic names where it was read. An object that fails validation is skipped with
// a diagnostic, as from a manifest.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "cluster/diagnostic.h"
#include "cluster/model.h"
#include "kube/kubeconfig.h"

namespace vmdns::kube {

struct ClusterListOptions {
  // Every Pod (what `--pods verified` serves names from), or only KubeVirt's launcher pods
  // (label kubevirt.io=virt-launcher): the Pod collection is a cluster's largest, and without
  // --pods verified no other Pod changes a record or a diagnosis (a selected Pod has its
  // EndpointSlice, which the list holds).
  bool all_pods = false;
  // One namespace's objects only ("": every namespace), as `kubectl vmdns check -n NS` reads
  // them: a user allowed to list in one namespace only can ask. Namespaces are not listed then
  // (listing them is a cluster-wide permission).
  std::string namespace_scope;
  size_t page_size = 500;
};

struct ClusterList {
  cluster::State state;
  std::vector<cluster::Diagnostic> diagnostics;
  size_t objects = 0;  // listed and valid
};

std::optional<ClusterList> list_cluster(const KubeConfig& config,
                                        const ClusterListOptions& options, std::string* error);

}  // namespace vmdns::kube
