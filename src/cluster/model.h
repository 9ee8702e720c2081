#pragma once
// Slim model objects: only the fields DNS needs are copied from a manifest or API object, then
// the document is dropped (CoreDNS's object.ToService). Adding a field is a design decision.
// Text that repeats across objects (label pairs, phases, node names, DNS policies, network and
// port names, subdomains: a group's VMIs share their Service's name) is SharedText, one copy
// per process; text unique to an object stays its own: a name a std::string, a VMI's hostname
// (mostly empty or short) a UniqueText.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "cluster/boxed.h"
#include "cluster/compact_vector.h"
#include "cluster/ip_address.h"
#include "cluster/labels.h"
#include "cluster/shared_text.h"
#include "cluster/unique_text.h"

namespace vmdns::cluster {

// Where an object was read from, for error messages ("file: document 2 (line 14)").
struct Origin {
  SharedText file;    // path as given, "-" for stdin, or an API URL; one copy per file
  int document = 0;   // 1-based index of the YAML document in the file; 0 if unknown
  int line = 0;       // 1-based line of the object in the file; 0 if unknown
  bool operator==(const Origin&) const = default;
};

struct ObjectMeta {
  // A missing metadata.namespace means "default". Shared: the objects of a namespace are many.
  SharedText namespace_name = "default";
  std::string name;
  Labels labels;
  Origin origin;
  bool operator==(const ObjectMeta&) const = default;
};

// spec.dnsConfig of a Pod or VMI (core/v1 PodDNSConfig): merged into what dnsPolicy gives.
struct PodDnsConfig {
  struct Option {
    std::string name;
    std::optional<std::string> value;  // "ndots" + "5"; absent for a flag such as "rotate"
    bool operator==(const Option&) const = default;
  };
  std::vector<IpAddress> nameservers;
  std::vector<std::string> searches;  // as written, a trailing dot removed
  std::vector<Option> options;
  bool operator==(const PodDnsConfig&) const = default;
};

// One entry of a VMI's status.interfaces, for the names of --vm-zone.
struct VmiInterface {
  // The name of the network (spec.networks[].name) the interface is attached to; empty for an
  // interface only the guest agent reports.
  SharedText name;
  CompactVector<IpAddress> addresses;  // ipAddresses, else ipAddress; link-local ones dropped
  bool pod_network = false;  // attached to the pod network (spec.networks: pod, or multus default)
  bool operator==(const VmiInterface&) const = default;
};

// status.migrationState of a VMI: where a live migration takes it. During a migration the
// VMI's Service selects two virt-launcher pods, source and target, both ready; only one runs the
// VM, and the record rules answer only that one's address (rules: migration-aware endpoints).
struct MigrationState {
  std::string source_node;  // sourceNode
  std::string source_pod;   // sourcePod (KubeVirt reports it since 1.3; empty when absent)
  std::string target_node;  // targetNode
  std::string target_pod;   // targetPod
  bool completed = false;   // completed
  bool failed = false;      // failed
  bool aborted = false;     // abortStatus "Succeeded": the abort took effect, the VM stayed
  // Neither completed, failed nor aborted: the VM still runs on the source (until the handoff,
  // when KubeVirt moves status.nodeName to the target node).
  bool in_progress() const { return !completed && !failed && !aborted; }
  bool operator==(const MigrationState&) const = default;
};

// An address the VMI's status no longer lists that its records keep for a while (serve's
// --address-hold, control/address_holds.h): the guest agent reports addresses, and they vanish
// from the status while it restarts or reports late. Never read from a manifest or the API: the
// control thread puts it on the VMI it serves, so that explain can say why the name answers.
struct HeldAddress {
  IpAddress address;
  // The interface's name (spec.networks[].name) the address is held on; empty for the first
  // interface when the status does not name it.
  std::string interface;
  std::chrono::steady_clock::time_point until;  // when the hold ends
  bool operator==(const HeldAddress&) const = default;
};

struct VirtualMachineInstance {
  ObjectMeta meta;
  UniqueText hostname;    // spec.hostname as written; empty when unset
  SharedText subdomain;   // spec.subdomain; empty when unset
  // status.interfaces: the first entry first, the others sorted (name, addresses), so that the
  // same interfaces listed in another order compare equal (sources/vmi_decoder.cc). One block
  // for the list, one for each interface's addresses (CompactVector: 8 bytes each, where two
  // std::vectors cost 48 and took the node of State::vmis past jemalloc's 224-byte class).
  CompactVector<VmiInterface> interfaces;
  // The name of the pod network in spec.networks (`pod: {}` or Multus `default: true`; without
  // spec.networks KubeVirt's "default"); empty when not attached. Known before status reports
  // the interface: explain names a VM that has not started yet by it.
  SharedText pod_network;
  SharedText phase;        // status.phase
  SharedText node_name;    // status.nodeName: the node that runs the VM now
  Boxed<MigrationState> migration;  // status.migrationState; unset when absent (most VMIs)
  bool ready = false;      // Ready condition True; or phase Running with no conditions at all
  bool paused = false;     // Paused condition True
  // spec.dnsPolicy: ClusterFirst (also when empty), ClusterFirstWithHostNet, Default or None.
  SharedText dns_policy;
  Boxed<PodDnsConfig> dns_config;  // spec.dnsConfig; unset when absent (most VMIs)
  // The addresses of `interfaces` that the status no longer lists and that are held
  // (--address-hold); unset for a VMI as read (and for almost every VMI served).
  Boxed<std::vector<HeldAddress>> held;

  // The VMI's addresses: the first interface's (ipAddresses, else ipAddress), link-local ones
  // dropped; empty while the VMI has no IP yet. KubeVirt reports the pod network first; its
  // addresses are the ones the launcher pod has and the ones a headless Service publishes.
  // Kept once, in the interface (a copy was a vector and a heap block per VMI).
  const CompactVector<IpAddress>& addresses() const {
    static const CompactVector<IpAddress> kNone;
    return interfaces.empty() ? kNone : interfaces.front().addresses;
  }
  // Sets the first interface's addresses; without interfaces, adds an unnamed one (an interface
  // only the guest agent reports: no name under --vm-zone, no network of its own) unless there
  // are none to set.
  void set_addresses(CompactVector<IpAddress> addresses) {
    if (interfaces.empty()) {
      if (addresses.empty()) {
        return;
      }
      interfaces.emplace_back();
    }
    interfaces.front().addresses = std::move(addresses);
  }
  bool operator==(const VirtualMachineInstance&) const = default;
};

// A VirtualMachine (kubevirt.io/v1): what KubeVirt turns into a VMI each time it starts the VM.
// Its own metadata.labels stay on the VM; the VMI gets spec.template's (cluster/virtual_machine.h
// derives it).
struct VirtualMachine {
  ObjectMeta meta;
  // spec.template as a VMI without status: meta holds the VM's namespace, name and origin with
  // spec.template.metadata.labels; hostname, subdomain and DNS settings come from its spec.
  // The subdomain is kept as written even with a dot (KubeVirt accepts it; explain/ reports it).
  VirtualMachineInstance vmi_template;
  std::optional<bool> running;  // spec.running; nullopt when unset
  std::string run_strategy;     // spec.runStrategy; empty when unset
  bool operator==(const VirtualMachine&) const = default;
};

struct Pod {
  ObjectMeta meta;
  std::string hostname;   // spec.hostname
  SharedText subdomain;   // spec.subdomain
  std::vector<IpAddress> addresses;  // status.podIPs, else status.podIP
  SharedText phase;
  bool ready = false;     // Ready condition True
  SharedText dns_policy;                   // spec.dnsPolicy, as for a VMI
  Boxed<PodDnsConfig> dns_config;  // spec.dnsConfig; unset when absent
  bool operator==(const Pod&) const = default;
};

// One entry of a Service's spec.ports, or of an EndpointSlice's ports (the port on the endpoint).
struct ServicePort {
  SharedText name;              // may be empty for a single unnamed port
  SharedText protocol = "TCP";  // TCP, UDP or SCTP
  int port = 0;                 // an EndpointSlice port may leave it unset (0)
  // spec.ports[].targetPort, Services only. Clients of a headless Service, and of an endpoint
  // name, connect to the endpoint: its SRV records carry the endpoint's port, which is the
  // EndpointSlice's. Where vmdns computes the endpoints itself from a selector (manifests without
  // EndpointSlices), it derives that port from the targetPort as the EndpointSlice controller
  // does, so the field is kept. A number, or the name of a container port; neither set (0 and
  // "") means the Service port, as the API server defaults it.
  int target_port = 0;
  SharedText target_port_name = {};
  bool operator==(const ServicePort&) const = default;
};

enum class ServiceType { ClusterIP, NodePort, LoadBalancer, ExternalName };

struct Service {
  ObjectMeta meta;
  // The type and the flags side by side, in one word, and the cluster IPs in one pointer
  // (CompactVector): 152 bytes, and a node of State::services in jemalloc's 224-byte class (256
  // with a std::vector of them, 320 with each flag apart as well).
  ServiceType type = ServiceType::ClusterIP;
  bool headless = false;                 // clusterIP: None
  bool publish_not_ready_addresses = false;
  // spec.selector; nullopt when absent. An empty or absent selector selects nothing.
  std::optional<Labels> selector;
  CompactVector<IpAddress> cluster_ips;  // spec.clusterIPs, else spec.clusterIP
  std::vector<ServicePort> ports;
  std::string external_name;             // spec.externalName for type ExternalName
  bool operator==(const Service&) const = default;
};

struct EndpointSlice {
  struct Endpoint {
    std::vector<IpAddress> addresses;
    std::optional<bool> ready;  // conditions.ready; absent means ready
    std::string hostname;
    SharedText target_kind;     // targetRef.kind
    std::string target_name;    // targetRef.name
    SharedText node_name;       // nodeName: the node of the pod behind the endpoint
    bool operator==(const Endpoint&) const = default;
  };
  ObjectMeta meta;
  std::string service_name;     // label kubernetes.io/service-name
  // IPv4, IPv6 or FQDN (as written: the decoder reports another). Shared: 168 bytes, and a node
  // of State::endpoint_slices in jemalloc's 256-byte class (320 with a std::string).
  SharedText address_type;
  std::vector<Endpoint> endpoints;
  std::vector<ServicePort> ports;
  // Annotation endpoints.kubernetes.io/last-change-trigger-time, in nanoseconds since the epoch
  // (0: none): when the change this slice carries happened, for
  // coredns_kubernetes_dns_programming_duration_seconds.
  int64_t last_change_trigger_ns = 0;
  bool operator==(const EndpointSlice&) const = default;
};

struct Namespace {
  ObjectMeta meta;  // meta.name is the namespace; meta.namespace_name is empty
  bool operator==(const Namespace&) const = default;
};

// Identity of a namespaced object within one kind.
struct ObjectKey {
  SharedText namespace_name;
  std::string name;
  auto operator<=>(const ObjectKey&) const = default;
};

inline ObjectKey key_of(const ObjectMeta& meta) { return {meta.namespace_name, meta.name}; }

// Everything vmdns knows of the cluster. Owned by one thread; snapshots are built from it.
struct State {
  std::map<ObjectKey, VirtualMachineInstance> vmis;
  // Plans, not served: a VM's VMI is served once it exists in `vmis` with an address.
  std::map<ObjectKey, VirtualMachine> vms;
  std::map<ObjectKey, Pod> pods;
  std::map<ObjectKey, Service> services;
  std::map<ObjectKey, EndpointSlice> endpoint_slices;
  std::map<std::string, Namespace> namespaces;
};

// The map of `state` that holds the objects of type T: objects_of<Pod>(state) is state.pods.
template <typename T>
auto& objects_of(State& state) {
  if constexpr (std::is_same_v<T, VirtualMachineInstance>) {
    return state.vmis;
  } else if constexpr (std::is_same_v<T, VirtualMachine>) {
    return state.vms;
  } else if constexpr (std::is_same_v<T, Pod>) {
    return state.pods;
  } else if constexpr (std::is_same_v<T, Service>) {
    return state.services;
  } else if constexpr (std::is_same_v<T, EndpointSlice>) {
    return state.endpoint_slices;
  } else {
    static_assert(std::is_same_v<T, Namespace>);
    return state.namespaces;
  }
}

// The manifest `kind` of a model type, for messages: kind_name<Pod>() == "Pod".
template <typename T>
constexpr std::string_view kind_name() {
  if constexpr (std::is_same_v<T, VirtualMachineInstance>) {
    return "VirtualMachineInstance";
  } else if constexpr (std::is_same_v<T, VirtualMachine>) {
    return "VirtualMachine";
  } else if constexpr (std::is_same_v<T, Pod>) {
    return "Pod";
  } else if constexpr (std::is_same_v<T, Service>) {
    return "Service";
  } else if constexpr (std::is_same_v<T, EndpointSlice>) {
    return "EndpointSlice";
  } else {
    static_assert(std::is_same_v<T, Namespace>, "not a model kind");
    return "Namespace";
  }
}

}  // namespace vmdns::cluster
