#include "explain/workload_diagnosis.h"

#include <string>
#include <utility>

#include "cluster/dns1123.h"
#include "cluster/kubevirt.h"

namespace vmdns::explain {
namespace {

std::string pairs_text(const cluster::Labels& labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    out += (out.empty() ? "" : ", ") + key + "=" + value;
  }
  return out;
}

bool has_endpoint_slices(const cluster::State& state, const cluster::Service& service) {
  for (const auto& [key, slice] : state.endpoint_slices) {
    if (key.namespace_name == service.meta.namespace_name &&
        slice.service_name == service.meta.name) {
      return true;
    }
  }
  return false;
}

class WorkloadLinks {
 public:
  WorkloadLinks(const cluster::State& state, Diagnosis& out) : state_(state), out_(out) {}

  void run(const cluster::Service& service, const PlannedVmi& p, bool needs_subdomain) {
    const std::string service_name =
        "Service " + service.meta.namespace_name + "/" + service.meta.name;
    const std::string& svc = service.meta.name;
    if (!check_selection(service, p, service_name)) {
      return;
    }
    if (needs_subdomain && !check_subdomain(svc, p)) {
      return;
    }
    if (!needs_subdomain && subdomain_has_dot(p.vmi)) {
      check_subdomain(svc, p);
      return;
    }
    check_state(service, p, service_name);
  }

  bool check_selection(const cluster::Service& service, const PlannedVmi& p,
                       const std::string& service_name) {
    cluster::Labels missing = missing_labels(service, p.vmi);
    // Its EndpointSlices decide, unless the selector they are made from leaves the VMI out: a
    // live cluster has a slice for every Service with a selector, an empty one when it selects
    // nothing, and that empty slice must not hide the labels the VMI lacks.
    if (has_endpoint_slices(state_, service) &&
        (!service.selector || service.selector->empty() || missing.empty())) {
      return true;  // the remaining links still apply
    }
    if (!service.selector || service.selector->empty()) {
      fail(Step::Selector, service_name, service_name + " has no selector: it selects nothing",
           "set spec.selector on " + service_name + " to labels of " + p.labels_path() + " of " +
               p.object());
      return false;
    }
    if (missing.empty()) {
      return true;
    }
    cluster::Labels on_vm;
    cluster::Labels absent;
    for (const auto& [key, value] : missing) {
      bool on_metadata = p.vm != nullptr && p.vm->meta.labels.count(key) != 0 &&
                         p.vm->meta.labels.at(key) == value;
      (on_metadata ? on_vm : absent)[key] = value;
    }
    std::string fix;
    if (!on_vm.empty()) {
      fix = "move label" + std::string(on_vm.size() > 1 ? "s " : " ") + pairs_text(on_vm) +
            " from metadata.labels to spec.template.metadata.labels";
    }
    if (!absent.empty()) {
      fix += (fix.empty() ? "add label" : "; add label") +
             std::string(absent.size() > 1 ? "s " : " ") + pairs_text(absent) + " to " +
             p.labels_path();
    }
    fail(Step::Selector, p.object(),
         service_name + " selects " + pairs_text(*service.selector) + "; the VMI of " + p.object() +
             " lacks " + pairs_text(missing) +
             (on_vm.empty() ? ""
                            : " (on the VM's own metadata.labels, which KubeVirt does not copy)"),
         fix);
    return false;
  }

  bool check_subdomain(const std::string& svc, const PlannedVmi& p) {
    const std::string field = p.spec_path() + ".subdomain";
    if (subdomain_has_dot(p.vmi)) {
      fail(Step::Subdomain, p.object(),
           field + " \"" + p.vmi.subdomain +
               "\" has a dot: KubeVirt accepts it, but the API server refuses the launcher pod, "
               "so the VM never starts",
           "set " + field + ": " + svc);
      return false;
    }
    if (p.vmi.subdomain != svc) {
      fail(Step::Subdomain, p.object(),
           p.vmi.subdomain.empty()
               ? p.object() + " has no " + field + ": the Service names it by its address only"
               : field + " \"" + p.vmi.subdomain + "\" is not the Service's name " + svc,
           "set " + field + ": " + svc);
      return false;
    }
    std::string hostname = cluster::vmi_hostname(p.vmi);
    if (!cluster::is_dns1123_label(hostname)) {
      fail(Step::Subdomain, p.object(),
           "its hostname \"" + hostname +
               "\" (metadata.name cut and truncated) is not a DNS label: no pod can carry it",
           "set " + p.spec_path() + ".hostname");
      return false;
    }
    return true;
  }

  void check_state(const cluster::Service& service, const PlannedVmi& p,
                   const std::string& service_name) {
    const std::string& name = p.vmi.meta.name;
    switch (p.state) {
      case VmiState::Stopped:
        fail(Step::Readiness, p.object(), p.object() + " is " + p.state_text(),
             "virtctl start " + name + " -n " + p.vmi.meta.namespace_name +
                 ", or set spec.runStrategy: Always");
        return;
      case VmiState::Rejected:
        fail(Step::Readiness, p.object(), p.object() + " " + p.state_text(),
             subdomain_has_dot(p.vmi)
                 ? "set " + p.spec_path() + ".subdomain: " + service.meta.name
                 : "keep " + p.spec_path() + ".dnsConfig.searches to 6 entries and 256 characters");
        return;
      case VmiState::Paused:
        if (!service.publish_not_ready_addresses) {
          fail(Step::Readiness, p.object(),
               "VMI " + p.vmi.meta.namespace_name + "/" + name +
                   " is paused: a paused VMI is not ready",
               "virtctl unpause vmi " + name + " -n " + p.vmi.meta.namespace_name);
          return;
        }
        break;
      case VmiState::NotReady:
        if (!service.publish_not_ready_addresses) {
          fail(Step::Readiness, p.object(),
               "VMI " + p.vmi.meta.namespace_name + "/" + name + " is " + p.state_text(),
               "wait until it is Ready, or set spec.publishNotReadyAddresses: true on " +
                   service_name);
          return;
        }
        break;
      case VmiState::Finished:
        fail(Step::Readiness, p.object(),
             "VMI " + p.vmi.meta.namespace_name + "/" + name + " has " + p.state_text() +
                 ": it has no endpoint",
             "start it again (virtctl start " + name + ")");
        return;
      case VmiState::WillStart:
        fail(Step::Address, p.object(), p.object() + " " + p.state_text(),
             "wait for VMI " + name + " to run: kubectl get vmi " + name + " -n " +
                 p.vmi.meta.namespace_name);
        return;
      case VmiState::Ready:
      case VmiState::NoAddress:
        break;
    }
    if (p.vmi.addresses().empty()) {
      fail(Step::Address, p.object(),
           "VMI " + p.vmi.meta.namespace_name + "/" + name + " has no IP in status.interfaces yet",
           "wait until its first interface reports an IP");
      return;
    }
    out_.step = Step::Resolves;
  }

 private:
  void fail(Step step, std::string object, std::string reason, std::string fix) {
    out_.broken_at(step, std::move(object), std::move(reason), std::move(fix));
  }

  const cluster::State& state_;
  Diagnosis& out_;
};

}  // namespace

// The selector pairs that the VMI's launcher pod lacks.
cluster::Labels missing_labels(const cluster::Service& service,
                               const cluster::VirtualMachineInstance& vmi) {
  cluster::Labels missing;
  if (!service.selector) {
    return missing;
  }
  cluster::Labels labels = cluster::launcher_pod_labels(vmi);
  for (const auto& [key, value] : *service.selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) {
      missing[key] = value;
    }
  }
  return missing;
}

void diagnose_workload(const cluster::State& state, const cluster::Service& service,
                       const PlannedVmi& planned, bool needs_subdomain, Diagnosis& out) {
  WorkloadLinks(state, out).run(service, planned, needs_subdomain);
}

}  // namespace vmdns::explain
