#include "explain/mistakes.h"

#include <map>

#include "cluster/dns1123.h"
#include "cluster/kubevirt.h"
#include "cluster/selector.h"
#include "explain/plan_index.h"
#include "explain/workload_plan.h"

namespace vmdns::explain {
namespace {

constexpr size_t kMaxHostname = 63;

std::string pairs_text(const cluster::Labels& labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    out += (out.empty() ? "" : ", ") + key + "=" + value;
  }
  return out;
}

std::string service_object(const cluster::Service& service) {
  return "Service " + service.meta.namespace_name + "/" + service.meta.name;
}

class Finder {
 public:
  explicit Finder(const cluster::State& state)
      : state_(state), plan_(plan_vmis(state)), index_(state, plan_) {}

  std::vector<cluster::Diagnostic> run() {
    for (size_t i = 0; i < plan_.size(); ++i) {
      const PlannedVmi& p = plan_[i];
      check_vm_labels(p, index_.launcher_labels(i));
      check_subdomain(p);
      check_hostname(p);
      check_dns_config(p);
    }
    for (const auto& [key, service] : state_.services) {
      check_selector(service);
      check_hostname_clash(service);
    }
    return std::move(out_);
  }

 private:
  void warn(const PlannedVmi& p, std::string field, std::string message) {
    out_.push_back({cluster::Severity::Warning, p.vmi.meta.origin, p.object(), std::move(field),
                    std::move(message)});
  }
  void warn(const cluster::Service& s, std::string field, std::string message) {
    out_.push_back({cluster::Severity::Warning, s.meta.origin, service_object(s), std::move(field),
                    std::move(message)});
  }

  // Labels the VM carries itself that a Service selector of its namespace needs on the VMI.
  void check_vm_labels(const PlannedVmi& p, const cluster::Labels& launcher) {
    if (p.vm == nullptr) {
      return;
    }
    // A running VMI is checked with its real labels (a live cluster always has one): the VM's
    // own labels never reached it either, and the fix in the template takes effect at the next
    // start. A warning needs a selector pair on the VM's labels: only those Services are read.
    for (const cluster::Service* candidate :
         index_.services_with_pair(p.vmi.meta.namespace_name, p.vm->meta.labels)) {
      const cluster::Service& service = *candidate;
      cluster::Labels needed;
      bool others_match = true;
      for (const auto& [label, value] : *service.selector) {
        auto have = launcher.find(label);
        if (have != launcher.end() && have->second == value) {
          continue;
        }
        auto on_vm = p.vm->meta.labels.find(label);
        if (on_vm != p.vm->meta.labels.end() && on_vm->second == value) {
          needed[label] = value;
        } else {
          others_match = false;
        }
      }
      // Only when the VM's own labels would complete the selector, or the Service is named
      // like the subdomain: then the labels are clearly meant for it.
      if (!needed.empty() && (others_match || p.vmi.subdomain == service.meta.name)) {
        // At the VM, where the fix goes (not at its running VMI).
        out_.push_back(
            {cluster::Severity::Warning, p.vm->meta.origin, p.object(), "metadata.labels",
             pairs_text(needed) + " " + (needed.size() > 1 ? "are" : "is") + " needed by " +
                 service_object(service) +
                 "'s selector, but KubeVirt copies only spec.template.metadata.labels to the "
                 "VMI: move " +
                 (needed.size() > 1 ? "them" : "it") + " to spec.template.metadata.labels"});
      }
    }
  }

  void check_subdomain(const PlannedVmi& p) {
    const std::string& subdomain = p.vmi.subdomain;
    if (subdomain.empty()) {
      return;
    }
    std::string field = p.spec_path() + ".subdomain";
    if (subdomain_has_dot(p.vmi)) {
      warn(p, field,
           "\"" + subdomain +
               "\" has a dot: KubeVirt accepts it, but the API server refuses the virt-launcher "
               "pod (a Pod's subdomain is one DNS label), so the VM never starts");
      return;
    }
    auto service = state_.services.find({p.vmi.meta.namespace_name, subdomain});
    if (service == state_.services.end()) {
      warn(p, field,
           "\"" + subdomain + "\" names no Service in namespace " + p.vmi.meta.namespace_name +
               ": create a headless Service " + subdomain +
               " selecting the VM, or the VM gets no name");
      return;
    }
    if (!service->second.headless && service->second.type != cluster::ServiceType::ExternalName) {
      std::string ip = service->second.cluster_ips.empty()
                           ? std::string("a cluster IP")
                           : service->second.cluster_ips.front().to_string();
      warn(service->second, "spec.clusterIP",
           "is " + ip + ", not None, but " + p.object() + " uses subdomain " + subdomain + ": " +
               subdomain + "." + p.vmi.meta.namespace_name +
               ".svc gives that IP, not the VMs', and the Kubernetes DNS specification names "
               "<hostname>." +
               subdomain +
               " only under a headless Service; set clusterIP: None (recreate the Service)");
    }
  }

  void check_hostname(const PlannedVmi& p) {
    const std::string& name = p.vmi.meta.name;
    if (!p.vmi.hostname.empty() ||
        (name.find('.') == std::string::npos && name.size() <= kMaxHostname)) {
      return;
    }
    std::string hostname = cluster::vmi_hostname(p.vmi);
    if (p.vm == nullptr && !cluster::is_dns1123_label(hostname)) {
      return;  // the VMI decoder already warns that this hostname is unusable
    }
    warn(p, "metadata.name",
         "\"" + name + "\" gives the hostname \"" + hostname + "\" (" +
             (name.find('.') != std::string::npos ? "cut at the first '.'"
                                                  : "truncated to 63 characters") +
             "): set " + p.spec_path() + ".hostname to choose the name");
  }

  void check_dns_config(const PlannedVmi& p) {
    if (!p.vmi.dns_config) {
      return;
    }
    const std::vector<std::string>& searches = p.vmi.dns_config->searches;
    std::string field = p.spec_path() + ".dnsConfig.searches";
    if (searches.size() > kKubeVirtMaxSearchPaths) {
      warn(p, field,
           "has " + std::to_string(searches.size()) +
               " entries: KubeVirt refuses a VMI with more than 6 search paths");
    }
    size_t chars = search_line_chars(p.vmi);
    if (chars > kKubeVirtMaxSearchChars) {
      warn(p, field,
           "is " + std::to_string(chars) +
               " characters long: KubeVirt refuses a VMI with more than 256 (spaces included)");
    }
  }

  void check_selector(const cluster::Service& service) {
    if (!service.selector || service.selector->empty() ||
        service.type == cluster::ServiceType::ExternalName) {
      return;
    }
    const std::string& ns = service.meta.namespace_name;
    if (index_.has_slices({ns, service.meta.name})) {
      return;  // endpoints come from its slices
    }
    if (!index_.selected_vmis(service).empty() || index_.selects_pod(service)) {
      return;
    }
    warn(service, "spec.selector",
         pairs_text(*service.selector) +
             " selects no Pod, VirtualMachine or "
             "VirtualMachineInstance in namespace " +
             ns);
  }

  // Two workloads with one hostname under a headless Service share one name, which then
  // resolves to both.
  void check_hostname_clash(const cluster::Service& service) {
    if (!service.headless || !service.selector || service.selector->empty()) {
      return;
    }
    std::map<std::string, const PlannedVmi*> seen;
    for (size_t i : index_.with_subdomain(service.meta.namespace_name, service.meta.name)) {
      const PlannedVmi& p = plan_[i];
      if (!cluster::selector_matches(service.selector, index_.launcher_labels(i))) {
        continue;
      }
      std::string hostname = cluster::vmi_hostname(p.vmi);
      auto [it, added] = seen.emplace(hostname, &p);
      if (!added) {
        warn(p, p.vmi.hostname.empty() ? "metadata.name" : p.spec_path() + ".hostname",
             "gives hostname \"" + hostname + "\", as " + it->second->object() + " does, under " +
                 service_object(service) + ": " + hostname + "." + service.meta.name + "." +
                 service.meta.namespace_name +
                 ".svc.<zone> resolves to both; give each VM its own hostname");
      }
    }
  }

  const cluster::State& state_;
  std::vector<PlannedVmi> plan_;
  PlanIndex index_;  // over plan_: declared after it
  std::vector<cluster::Diagnostic> out_;
};

}  // namespace

std::vector<cluster::Diagnostic> find_mistakes(const cluster::State& state) {
  return Finder(state).run();
}

}  // namespace vmdns::explain
