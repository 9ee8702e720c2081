#pragma once
// Which addresses stand behind a Service, computed the way Kubernetes' EndpointSlice controller
// does, with VMIs seen through their virt-launcher pods.
//
// When a Service has EndpointSlices (label kubernetes.io/service-name), they are its endpoints.
// Otherwise, a Service with a selector selects, in its own namespace, the Pods whose labels match
// and the VMIs whose launcher-pod labels match (cluster::launcher_pod_labels). An endpoint gets a
// hostname only when the workload's spec.subdomain equals the Service's name (Kubernetes'
// ShouldSetHostname); a VMI's hostname is cluster::vmi_hostname().

#include <string>
#include <vector>

#include "cluster/ip_address.h"
#include "cluster/model.h"

namespace vmdns::zone {

struct Endpoint {
  cluster::IpAddress address;
  std::string hostname;  // empty when the endpoint has none
  bool ready = false;
  std::string target;    // "VirtualMachineInstance default/vmi-fedora", for explanations
  std::string workload_name;  // "vmi-fedora": the Pod or VMI name; empty when unknown
};

class EndpointIndex {
 public:
  // Indexes `state` by namespace and by Service; `state` must outlive the index.
  explicit EndpointIndex(const cluster::State& state);

  // Every endpoint of `service`, ready or not, one per address (the first selected workload with
  // that address wins; VMIs before Pods), in a stable order.
  std::vector<Endpoint> endpoints_of(const cluster::Service& service) const;

 private:
  std::vector<Endpoint> from_slices(const cluster::Service& service) const;
  std::vector<Endpoint> from_selector(const cluster::Service& service) const;

  const cluster::State& state_;
};

}  // namespace vmdns::zone
