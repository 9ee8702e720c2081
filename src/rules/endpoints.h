#pragma once
// Which addresses stand behind a Service, computed the way Kubernetes' EndpointSlice controller
// does, with VMIs seen through their virt-launcher pods.
//
// When a Service has EndpointSlices (label kubernetes.io/service-name), they are its endpoints.
// Otherwise, a Service with a selector selects, in its own namespace, the Pods whose labels match
// and the VMIs whose launcher-pod labels match (cluster::launcher_pod_labels). An endpoint gets a
// hostname only when the workload's spec.subdomain equals the Service's name (Kubernetes'
// ShouldSetHostname); a VMI's hostname is cluster::vmi_hostname().
//
// During a live migration the EndpointSlice lists both virt-launcher pods; the one that does not
// run the guest is left out (cluster/migration.h), for every record made from the endpoints.
//
// Each endpoint carries its ports, those its SRV records answer: its EndpointSlice's, or for
// endpoints found by the selector the ports the controller would write (endpoint_ports()).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "cluster/ip_address.h"
#include "cluster/model.h"

namespace vmdns::rules {

// The ports of the endpoints of one EndpointSlice (or of one selector), shared by all of them.
using EndpointPorts = std::shared_ptr<const std::vector<cluster::ServicePort>>;

struct Endpoint {
  cluster::IpAddress address;
  std::string hostname;  // empty when the endpoint has none
  bool ready = false;
  std::string workload_name;  // "vmi-fedora": the Pod or VMI name; empty when unknown
  // Null or empty when the slice lists no port (a headless Service without ports).
  EndpointPorts ports = nullptr;
};

// The ports the EndpointSlice controller writes for the workloads a selector finds: each Service
// port under its name and protocol, with the targetPort's number (the port when unset). A named
// targetPort is a container port's name, which the model does not hold: that port is left out,
// as the controller leaves out a port it cannot find on a Pod, rather than answered with a
// number that may be wrong. A headless Service without ports gets none.
//   {name: redis, port: 6379, targetPort: 6380}  ->  {name: redis, port: 6380}
std::vector<cluster::ServicePort> endpoint_ports(const cluster::Service& service);

class EndpointIndex {
 public:
  // Indexes `state`'s Pods and VMIs by namespace and label (a VMI by its launcher pod's labels),
  // so that a selector visits only the workloads that carry one of its pairs: the build stays
  // linear in the cluster's size. `state` must outlive the index.
  explicit EndpointIndex(const cluster::State& state);
  // The same, for the Services of one namespace only (a selector never leaves its namespace):
  // indexes that namespace's workloads and slices alone, so that an incremental build pays for
  // the namespace a change is in, not for the cluster.
  EndpointIndex(const cluster::State& state, const std::string& namespace_name);
  // Only for `services`, all in `namespace_name`, among the workloads `vmis` and `pods` (each
  // in key order): a superset of those their selectors select, which the caller keeps
  // (builder::SelectorIndex), so that one change costs what its Services select, not its
  // namespace. The workloads are indexed by the label pairs the selectors use and no other.
  EndpointIndex(const cluster::State& state, const std::string& namespace_name,
                const std::vector<const cluster::Service*>& services,
                const std::vector<const cluster::VirtualMachineInstance*>& vmis,
                const std::vector<const cluster::Pod*>& pods);
  EndpointIndex(const EndpointIndex&) = delete;  // the index points into itself
  EndpointIndex& operator=(const EndpointIndex&) = delete;

  // Every endpoint of `service`, ready or not, one per address (the first selected workload with
  // that address wins; VMIs before Pods), in a stable order.
  std::vector<Endpoint> endpoints_of(const cluster::Service& service) const;

 private:
  // `ports` as a list shared with the endpoints of other Services of the index that have the
  // same (20,000 Services of two ports kept a list each: 35 bytes an object).
  EndpointPorts shared_ports(const std::vector<cluster::ServicePort>& ports) const;
  std::vector<Endpoint> from_slices(const cluster::Service& service) const;
  std::vector<Endpoint> from_selector(const cluster::Service& service) const;
  // False for the endpoint of a virt-launcher pod that does not run its VMI's guest during or
  // after a live migration (cluster/migration.h): the other launcher pod is the VM's address.
  bool runs_guest(const std::string& namespace_name,
                  const cluster::EndpointSlice::Endpoint& endpoint) const;

  // A Pod or VMI; VMIs first, each kind in key order, which is the order endpoints are found in.
  struct Workload {
    const cluster::VirtualMachineInstance* vmi = nullptr;
    const cluster::Pod* pod = nullptr;
    std::string id_label;  // a VMI's vmi.kubevirt.io/id
    std::string hostname;  // a VMI's cluster::vmi_hostname, also vm.kubevirt.io/name
  };
  std::optional<std::string_view> label(const Workload& workload, const std::string& key) const;
  // Keeps the slices of `state` from key `first` on, all of them or those of `only_namespace`;
  // `services`, when given: only those of these Services.
  void index_slices(const cluster::State& state, const cluster::ObjectKey& first,
                    const std::string* only_namespace,
                    const std::set<std::string_view>* services = nullptr);
  // Indexes workloads_ by label; `wanted`, when given: the only (key, value) pairs to index.
  void index_labels(const std::set<std::pair<std::string_view, std::string_view>>* wanted);
  void add_vmi(const cluster::VirtualMachineInstance& vmi);

  const std::map<cluster::ObjectKey, cluster::VirtualMachineInstance>* vmis_;
  mutable std::vector<EndpointPorts> port_lists_;  // shared_ports(), oldest first
  std::vector<Workload> workloads_;
  // (namespace, label key, label value) -> workloads_ indices, ascending
  std::map<std::tuple<std::string_view, std::string_view, std::string_view>, std::vector<uint32_t>>
      by_label_;
  // (namespace, kubernetes.io/service-name) -> that Service's slices, in key order
  std::map<std::pair<std::string_view, std::string_view>,
           std::vector<const cluster::EndpointSlice*>>
      slices_;
};

}  // namespace vmdns::rules
