#include "explain/name_diagnosis.h"

#include <algorithm>

#include "cluster/dns1123.h"
#include "cluster/kubevirt.h"
#include "dns/name.h"
#include "zone/dashed_name.h"

namespace vmdns::explain {
namespace {

std::vector<std::string> split_labels(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t dot = text.find('.', start);
    if (dot == std::string_view::npos) {
      dot = text.size();
    }
    out.emplace_back(text.substr(start, dot - start));
    start = dot + 1;
  }
  return out;
}

std::string pairs_text(const cluster::Labels& labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    out += (out.empty() ? "" : ", ") + key + "=" + value;
  }
  return out;
}

bool namespace_known(const cluster::State& state, const std::string& ns) {
  auto in = [&](const auto& objects) {
    auto it = objects.lower_bound(cluster::ObjectKey{ns, ""});
    return it != objects.end() && it->first.namespace_name == ns;
  };
  return state.namespaces.count(ns) != 0 || in(state.services) || in(state.vmis) || in(state.vms) ||
         in(state.pods) || in(state.endpoint_slices);
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

// The planned VMI a host label names: its hostname, else its dashed address, else (as
// endpoint_pod_names does) its name. One whose subdomain is the Service's name comes first.
const PlannedVmi* find_target(const std::vector<PlannedVmi>& plan, const std::string& ns,
                              const std::string& service, const std::string& host) {
  const PlannedVmi* found = nullptr;
  for (const PlannedVmi& p : plan) {
    if (p.vmi.meta.namespace_name != ns) {
      continue;
    }
    bool named = cluster::vmi_hostname(p.vmi) == host;
    for (const cluster::IpAddress& address : p.vmi.addresses) {
      named = named || zone::dashed_name(address) == host;
    }
    if (named && (found == nullptr || p.vmi.subdomain == service)) {
      found = &p;
    }
  }
  if (found == nullptr) {
    for (const PlannedVmi& p : plan) {
      if (p.vmi.meta.namespace_name == ns && p.vmi.meta.name == host) {
        return &p;
      }
    }
  }
  return found;
}

class Chain {
 public:
  Chain(const cluster::State& state, const std::vector<PlannedVmi>& plan,
        const zone::ZoneConfig& config, Diagnosis& out)
      : state_(state), plan_(plan), config_(config), out_(out) {}

  void run(const std::vector<std::string>& labels) {
    // labels: [host,] service, namespace, "svc"
    if (labels.size() > 4 && labels.back() == "svc" && explain_dotted_name(labels)) {
      return;
    }
    if (labels.empty() || labels.back() != "svc" || labels.size() > 4) {
      fail(Step::Zone, "",
           "not a name the cluster DNS makes for a VM: those are "
           "<hostname>.<subdomain>.<namespace>.svc.<zone>",
           "ask for <hostname>.<subdomain>.<namespace>.svc.<zone>");
      return;
    }
    if (labels.size() == 1) {
      out_.step = Step::Resolves;
      return;
    }
    const std::string& ns = labels[labels.size() - 2];
    if (!check_namespace(ns, labels.size() == 4 ? labels[0] : "") || labels.size() == 2) {
      if (labels.size() == 2) {
        out_.step = Step::Resolves;
      }
      return;
    }
    const std::string& svc = labels[labels.size() - 3];
    const cluster::Service* service = check_service(ns, svc);
    if (service == nullptr) {
      return;
    }
    if (labels.size() == 3) {
      if (!service->headless) {
        note_cluster_ip(*service);
        out_.step = Step::Resolves;  // its cluster IP (unless --ignore-empty-service)
        return;
      }
      check_service_name(*service);
      return;
    }
    if (!service->headless) {
      note_cluster_ip(*service);
    }
    const PlannedVmi* target = find_target(plan_, ns, svc, labels[0]);
    if (target == nullptr) {
      std::string others;
      for (const PlannedVmi& p : plan_) {
        if (p.vmi.meta.namespace_name == ns && p.vmi.subdomain == svc) {
          others += (others.empty() ? "" : ", ") + cluster::vmi_hostname(p.vmi);
        }
      }
      fail(Step::Selector, "",
           "no VM or VMI in namespace " + ns + " has hostname " + labels[0] +
               (others.empty() ? "" : " (with subdomain " + svc + ": " + others + ")"),
           "set spec.template.spec.hostname: " + labels[0] +
               " on the VM (spec.hostname on a VMI), or ask for one of the names it has");
      return;
    }
    check_workload(*service, *target);
  }

 private:
  void fail(Step step, std::string object, std::string reason, std::string fix) {
    out_.step = step;
    out_.object = std::move(object);
    out_.reason = std::move(reason);
    out_.fix = std::move(fix);
  }

  // <a>.<b>.<svc>.<ns>.svc.<zone> where "a.b" is a VM's name: its hostname is the name cut at
  // the first '.'.
  bool explain_dotted_name(const std::vector<std::string>& labels) {
    std::string name;
    for (size_t i = 0; i + 3 < labels.size(); ++i) {
      name += (name.empty() ? "" : ".") + labels[i];
    }
    const std::string& ns = labels[labels.size() - 2];
    const std::string& svc = labels[labels.size() - 3];
    for (const PlannedVmi& p : plan_) {
      if (p.vmi.meta.namespace_name == ns && p.vmi.meta.name == name) {
        std::string hostname = cluster::vmi_hostname(p.vmi);
        fail(Step::Zone, p.object(),
             "the hostname of " + p.object() + " is \"" + hostname +
                 "\": KubeVirt cuts a VM's name at the first '.'",
             "ask for " + hostname + "." + svc + "." + ns + ".svc.<zone>, or set " + p.spec_path() +
                 ".hostname");
        return true;
      }
    }
    return false;
  }

  // A hostname under a ClusterIP Service resolves here and in CoreDNS, which name the endpoints
  // of every Service; but the Service's own name gives its cluster IP, and the Kubernetes DNS
  // specification names endpoints only under headless Services.
  void note_cluster_ip(const cluster::Service& service) {
    const std::string object = "Service " + service.meta.namespace_name + "/" + service.meta.name;
    std::string ip = service.cluster_ips.empty() ? std::string("a cluster IP")
                                                 : service.cluster_ips.front().to_string();
    out_.notes.push_back(object + " has cluster IP " + ip + ", not clusterIP: None: " +
                         service.meta.name + "." + service.meta.namespace_name +
                         ".svc gives that IP, not the VMs', and the Kubernetes DNS specification "
                         "names <hostname>." +
                         service.meta.name +
                         " only under a headless Service; set spec.clusterIP: None (recreate the "
                         "Service)");
  }

  bool check_namespace(const std::string& ns, const std::string& host) {
    bool served = config_.namespaces.empty() ||
                  std::find(config_.namespaces.begin(), config_.namespaces.end(), ns) !=
                      config_.namespaces.end();
    if (served && namespace_known(state_, ns)) {
      return true;
    }
    std::string elsewhere;
    for (const PlannedVmi& p : plan_) {
      if (!host.empty() && cluster::vmi_hostname(p.vmi) == host &&
          p.vmi.meta.namespace_name != ns) {
        elsewhere = p.vmi.meta.namespace_name;
      }
    }
    fail(Step::Namespace, "",
         served ? "no object is in namespace " + ns
                : "namespace " + ns + " is not served (--namespaces)",
         elsewhere.empty() ? "check the namespace in the name"
                           : "hostname " + host + " is in namespace " + elsewhere +
                                 ": ask for the name in that namespace");
    return false;
  }

  const cluster::Service* check_service(const std::string& ns, const std::string& svc) {
    auto it = state_.services.find({ns, svc});
    if (it == state_.services.end()) {
      std::string users;
      for (const PlannedVmi& p : plan_) {
        if (p.vmi.meta.namespace_name == ns && p.vmi.subdomain == svc) {
          users += (users.empty() ? "" : ", ") + p.object();
        }
      }
      fail(Step::Service, "",
           "no Service " + svc + " in namespace " + ns +
               (users.empty() ? "" : ", though " + users + " uses subdomain " + svc),
           "create a headless Service " + svc + " (clusterIP: None) in namespace " + ns +
               " whose selector matches the VM's spec.template.metadata.labels");
      return nullptr;
    }
    if (it->second.type == cluster::ServiceType::ExternalName) {
      fail(Step::Service, "Service " + ns + "/" + svc,
           "Service " + ns + "/" + svc + " is an ExternalName: no name exists below it",
           "make it a headless Service (clusterIP: None) with a selector");
      return nullptr;
    }
    return &it->second;
  }

  // <svc>.<ns>.svc.<zone> that does not resolve: a headless Service (or one ignored when empty)
  // without a published endpoint. Explains the first VMI it should select.
  void check_service_name(const cluster::Service& service) {
    const std::string& ns = service.meta.namespace_name;
    const PlannedVmi* best = nullptr;
    for (const PlannedVmi& p : plan_) {
      if (p.vmi.meta.namespace_name == ns &&
          (p.vmi.subdomain == service.meta.name || missing_labels(service, p.vmi).empty())) {
        if (best == nullptr || missing_labels(service, p.vmi).empty()) {
          best = &p;
        }
      }
    }
    if (best == nullptr) {
      fail(Step::Selector, "Service " + ns + "/" + service.meta.name,
           "Service " + ns + "/" + service.meta.name + " selects no VM or VMI",
           "give the VM's spec.template.metadata.labels the Service's selector");
      return;
    }
    check_workload(service, *best, /*needs_subdomain=*/false);
  }

  void check_workload(const cluster::Service& service, const PlannedVmi& p,
                      bool needs_subdomain = true) {
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
    if (has_endpoint_slices(state_, service)) {
      return true;  // its EndpointSlices decide; the remaining links still apply
    }
    if (!service.selector || service.selector->empty()) {
      fail(Step::Selector, service_name, service_name + " has no selector: it selects nothing",
           "set spec.selector on " + service_name + " to labels of " + p.labels_path() + " of " +
               p.object());
      return false;
    }
    cluster::Labels missing = missing_labels(service, p.vmi);
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
    if (p.vmi.addresses.empty()) {
      fail(Step::Address, p.object(),
           "VMI " + p.vmi.meta.namespace_name + "/" + name + " has no IP in status.interfaces yet",
           "wait until its first interface reports an IP");
      return;
    }
    out_.step = Step::Resolves;
  }

  const cluster::State& state_;
  const std::vector<PlannedVmi>& plan_;
  const zone::ZoneConfig& config_;
  Diagnosis& out_;
};

}  // namespace

std::string_view step_name(Step step) {
  switch (step) {
    case Step::Zone:
      return "zone";
    case Step::Namespace:
      return "namespace";
    case Step::Service:
      return "service";
    case Step::Headless:
      return "headless";
    case Step::Selector:
      return "selector";
    case Step::Subdomain:
      return "subdomain";
    case Step::Readiness:
      return "readiness";
    case Step::Address:
      return "address";
    case Step::Resolves:
      return "resolves";
  }
  return "";
}

Diagnosis diagnose_name(const cluster::State& state, const std::vector<PlannedVmi>& plan,
                        const zone::ZoneConfig& config, std::string_view name) {
  Diagnosis out;
  std::optional<dns::Name> parsed = dns::Name::from_text(name);
  if (!parsed) {
    out.name = std::string(name);
    out.reason = "not a domain name";
    out.fix = "check the spelling";
    return out;
  }
  dns::Name lowered = parsed->lowercased();
  out.name = lowered.to_text();
  const dns::Name* apex = nullptr;
  for (const dns::Name& zone : config.zones) {
    if (lowered.is_subdomain_of(zone) &&
        (apex == nullptr || zone.label_count() > apex->label_count())) {
      apex = &zone;
    }
  }
  if (apex == nullptr) {
    out.reason = "outside the cluster zones: it is forwarded upstream";
    out.fix = "use a name in " + (config.zones.empty() ? std::string("the cluster zone")
                                                       : config.zones.front().to_text());
    return out;
  }
  std::string relative;
  if (out.name.size() > apex->to_text().size()) {
    relative = out.name.substr(0, out.name.size() - apex->to_text().size() - 1);
  }
  Chain(state, plan, config, out).run(split_labels(relative));
  return out;
}

}  // namespace vmdns::explain
