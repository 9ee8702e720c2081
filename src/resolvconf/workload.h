#pragma once
// The resolv.conf of the workload a command names: a VMI's guest, a Pod from the manifests, or
// a plain pod of a namespace.
//
//   std::string error;
//   auto dns = workload_dns(&state, cluster, {.vmi = "vmi-fedora"}, &error);
//   dns->conf.search;   // mysubdomain.default.svc.cluster.local default.svc.cluster.local ...

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cluster/model.h"
#include "resolvconf/guest_dns.h"
#include "resolvconf/pod_dns.h"

namespace vmdns::resolvconf {

// An empty namespace searches every namespace; a name found in more than one is an error that
// asks for --namespace.
template <typename Object>
const Object* find_object(const std::map<cluster::ObjectKey, Object>& objects,
                          const std::string& kind, const std::string& ns, const std::string& name,
                          std::string* error) {
  const Object* found = nullptr;
  std::string namespaces;
  for (const auto& [key, object] : objects) {
    if (key.name == name && (ns.empty() || key.namespace_name == ns)) {
      namespaces += (namespaces.empty() ? "" : ", ") + key.namespace_name;
      if (found != nullptr) {
        *error =
            kind + " " + name + " is in several namespaces (" + namespaces + "): add --namespace";
        return nullptr;
      }
      found = &object;
    }
  }
  if (found == nullptr) {
    *error = kind + " " + (ns.empty() ? name : ns + "/" + name) + " not found in the manifests";
  }
  return found;
}

// Which workload: a VMI or a Pod from the manifests, else a pod of namespace `ns` with the
// default policy.
struct WorkloadRef {
  std::string ns;  // empty: "default" for a plain pod, any namespace for a named object
  std::string vmi;
  std::string pod;
};

struct WorkloadDns {
  std::string description;        // "VirtualMachineInstance default/vmi-fedora (guest, via DHCP)"
  ResolvConf conf;                // the resolv.conf the workload reads
  std::optional<GuestDns> guest;  // set for a VMI
  std::vector<std::string> warnings;
};

// `state` may be null when neither a VMI nor a Pod is named.
std::optional<WorkloadDns> workload_dns(const cluster::State* state, const ClusterDns& cluster,
                                        const WorkloadRef& ref, std::string* error);

}  // namespace vmdns::resolvconf
