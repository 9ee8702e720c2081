#include "explain/name_diagnosis.h"

#include <algorithm>

#include "cluster/kubevirt.h"
#include "dns/name.h"
#include "explain/workload_diagnosis.h"
#include "rules/dashed_name.h"

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

bool namespace_known(const cluster::State& state, const std::string& ns) {
  auto in = [&](const auto& objects) {
    auto it = objects.lower_bound(cluster::ObjectKey{ns, ""});
    return it != objects.end() && it->first.namespace_name == ns;
  };
  return state.namespaces.count(ns) != 0 || in(state.services) || in(state.vmis) || in(state.vms) ||
         in(state.pods) || in(state.endpoint_slices);
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
    for (const cluster::IpAddress& address : p.vmi.addresses()) {
      named = named || rules::dashed_name(address) == host;
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
        const rules::ZoneConfig& config, Diagnosis& out)
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
    diagnose_workload(state_, *service, *target, /*needs_subdomain=*/true, out_);
  }

 private:
  void fail(Step step, std::string object, std::string reason, std::string fix) {
    out_.broken_at(step, std::move(object), std::move(reason), std::move(fix));
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
    diagnose_workload(state_, service, *best, /*needs_subdomain=*/false, out_);
  }

  const cluster::State& state_;
  const std::vector<PlannedVmi>& plan_;
  const rules::ZoneConfig& config_;
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
                        const rules::ZoneConfig& config, std::string_view name) {
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
