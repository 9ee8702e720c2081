#include "zone/endpoints.h"

#include <set>

#include "cluster/dns1123.h"
#include "cluster/kubevirt.h"
#include "cluster/selector.h"

namespace vmdns::zone {
namespace {

// Workloads in a terminal phase have no endpoints (the EndpointSlice controller skips them).
bool is_terminal(const std::string& phase) {
  return phase == "Succeeded" || phase == "Failed";
}

// Adds one endpoint per address not seen yet for this Service.
void add_addresses(const std::vector<cluster::IpAddress>& addresses, const std::string& hostname,
                   bool ready, const std::string& target, const std::string& workload_name,
                   std::set<cluster::IpAddress>& seen, std::vector<Endpoint>& out) {
  for (const cluster::IpAddress& address : addresses) {
    if (seen.insert(address).second) {
      out.push_back({address, hostname, ready, target, workload_name});
    }
  }
}

}  // namespace

EndpointIndex::EndpointIndex(const cluster::State& state) : state_(state) {}

std::vector<Endpoint> EndpointIndex::endpoints_of(const cluster::Service& service) const {
  std::vector<Endpoint> slices = from_slices(service);
  if (!slices.empty()) {
    return slices;
  }
  return from_selector(service);
}

std::vector<Endpoint> EndpointIndex::from_slices(const cluster::Service& service) const {
  std::vector<Endpoint> out;
  std::set<cluster::IpAddress> seen;
  const std::string& ns = service.meta.namespace_name;
  // Slices are keyed by (namespace, name): scan only this namespace's range.
  auto it = state_.endpoint_slices.lower_bound(cluster::ObjectKey{ns, ""});
  for (; it != state_.endpoint_slices.end() && it->first.namespace_name == ns; ++it) {
    const cluster::EndpointSlice& slice = it->second;
    if (slice.service_name != service.meta.name || slice.address_type == "FQDN") {
      continue;
    }
    for (const auto& endpoint : slice.endpoints) {
      std::string target = endpoint.target_kind.empty()
                               ? "EndpointSlice " + ns + "/" + slice.meta.name
                               : endpoint.target_kind + " " + ns + "/" + endpoint.target_name;
      add_addresses(endpoint.addresses, endpoint.hostname, endpoint.ready.value_or(true), target,
                    endpoint.target_name, seen, out);
    }
  }
  return out;
}

std::vector<Endpoint> EndpointIndex::from_selector(const cluster::Service& service) const {
  std::vector<Endpoint> out;
  if (!service.selector || service.selector->empty()) {
    return out;
  }
  std::set<cluster::IpAddress> seen;
  const std::string& ns = service.meta.namespace_name;
  const std::string& svc = service.meta.name;

  auto vmi = state_.vmis.lower_bound(cluster::ObjectKey{ns, ""});
  for (; vmi != state_.vmis.end() && vmi->first.namespace_name == ns; ++vmi) {
    const cluster::VirtualMachineInstance& v = vmi->second;
    if (is_terminal(v.phase) ||
        !cluster::selector_matches(service.selector, cluster::launcher_pod_labels(v))) {
      continue;
    }
    // KubeVirt copies hostname and subdomain onto the launcher pod, whose spec.hostname is
    // always set (the sanitized VMI name when spec.hostname is empty).
    std::string hostname = v.subdomain == svc ? cluster::vmi_hostname(v) : std::string();
    if (!cluster::is_dns1123_label(hostname)) {
      hostname.clear();  // a truncated name ending in '-': no pod could carry it
    }
    add_addresses(v.addresses, hostname, v.ready,
                  "VirtualMachineInstance " + ns + "/" + v.meta.name, v.meta.name, seen, out);
  }

  auto pod = state_.pods.lower_bound(cluster::ObjectKey{ns, ""});
  for (; pod != state_.pods.end() && pod->first.namespace_name == ns; ++pod) {
    const cluster::Pod& p = pod->second;
    if (is_terminal(p.phase) || !cluster::selector_matches(service.selector, p.meta.labels)) {
      continue;
    }
    std::string hostname = (!p.hostname.empty() && p.subdomain == svc) ? p.hostname : std::string();
    add_addresses(p.addresses, hostname, p.ready, "Pod " + ns + "/" + p.meta.name, p.meta.name,
                  seen, out);
  }
  return out;
}

}  // namespace vmdns::zone
