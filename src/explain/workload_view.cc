#include "explain/workload_view.h"

#include <algorithm>

#include "builder/build.h"
#include "cluster/kubevirt.h"
#include "cluster/selector.h"
#include "explain/name_lookup.h"
#include "explain/plan_index.h"
#include "explain/plan_snapshot.h"
#include "explain/workload_plan.h"
#include "resolvconf/guest_dns.h"
#include "resolvconf/search_order.h"
#include "rules/dashed_name.h"

namespace vmdns::explain {
namespace {

// glibc's default: DHCP carries no resolver options, so the guest keeps ndots 1.
constexpr int kGuestNdots = 1;
constexpr size_t kMaxHostname = 63;

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// A name built around a placeholder address shows "<dashed-ip>" instead of its label.
std::string shown_name(std::string name, const std::vector<cluster::IpAddress>& addresses,
                       const std::set<cluster::IpAddress>& placeholders) {
  for (const cluster::IpAddress& address : addresses) {
    if (placeholders.count(address) == 0) {
      continue;
    }
    std::string dashed = rules::dashed_name(address);
    if (name.rfind(dashed + ".", 0) == 0 || name.find("." + dashed + ".") != std::string::npos) {
      size_t at = name.find(dashed);
      name.replace(at, dashed.size(), "<dashed-ip>");
    }
  }
  return name;
}

// The short forms of `fqdn` (with its trailing dot) that the guest's resolver turns into it: a
// prefix ending where a search entry starts, kept when glibc's search order reaches `fqdn`
// before any other name answers.
std::vector<std::string> short_names_of(const std::string& fqdn,
                                        const std::vector<std::string>& search,
                                        const zone::Snapshot& snapshot) {
  std::vector<std::string> out;
  std::string bare = fqdn.substr(0, fqdn.size() - 1);
  for (const std::string& entry : search) {
    if (!ends_with(bare, "." + entry)) {
      continue;
    }
    std::string short_name = bare.substr(0, bare.size() - entry.size() - 1);
    resolvconf::SearchResult result = resolvconf::res_search(
        short_name, search, kGuestNdots,
        [&](const std::string& name) { return lookup_name(snapshot, name).outcome; });
    if (result.resolved() && result.tries.back().name == fqdn &&
        std::find(out.begin(), out.end(), short_name) == out.end()) {
      out.push_back(short_name);
    }
  }
  return out;
}

// <svc>.<ns>.svc.<zone>.: the Service's name, shared by every endpoint.
bool is_service_name(const std::string& name, const cluster::State& state, const std::string& ns,
                     const rules::ZoneConfig& config) {
  for (const dns::Name& zone : config.zones) {
    std::string suffix = "." + ns + ".svc." + zone.to_text();
    if (ends_with(name, suffix) &&
        state.services.count({ns, name.substr(0, name.size() - suffix.size())}) != 0) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> notes_for(const PlannedVmi& p, const cluster::Labels& launcher,
                                   const cluster::State& state, bool selected) {
  std::vector<std::string> notes;
  const cluster::VirtualMachineInstance& vmi = p.vmi;
  if (vmi.hostname.empty()) {
    const std::string& name = vmi.meta.name;
    if (name.find('.') != std::string::npos) {
      notes.push_back("hostname \"" + cluster::vmi_hostname(vmi) +
                      "\" is metadata.name cut at its first '.'");
    } else if (name.size() > kMaxHostname) {
      notes.push_back("hostname \"" + cluster::vmi_hostname(vmi) +
                      "\" is metadata.name truncated to 63 characters");
    }
  }
  if (!vmi.subdomain.empty() && !subdomain_has_dot(vmi) &&
      state.services.count({vmi.meta.namespace_name, vmi.subdomain}) == 0) {
    notes.push_back(p.spec_path() + ".subdomain \"" + vmi.subdomain +
                    "\": no Service of that name in namespace " + vmi.meta.namespace_name);
  }
  auto own = state.services.find({vmi.meta.namespace_name, vmi.subdomain});
  if (own != state.services.end() && own->second.selector && !own->second.selector->empty() &&
      !cluster::selector_matches(own->second.selector, launcher)) {
    std::string missing;
    bool on_vm = false;
    for (const auto& [key, value] : *own->second.selector) {
      auto have = launcher.find(key);
      if (have == launcher.end() || have->second != value) {
        missing += (missing.empty() ? "" : ", ") + key + "=" + value;
        on_vm = on_vm || (p.vm != nullptr && p.vm->meta.labels.count(key) != 0 &&
                          p.vm->meta.labels.at(key) == value);
      }
    }
    notes.push_back("Service " + vmi.meta.namespace_name + "/" + vmi.subdomain +
                    " (its subdomain) does not select it: its VMI lacks " + missing +
                    (on_vm ? " (on the VM's metadata.labels, which KubeVirt does not copy: move "
                             "to spec.template.metadata.labels)"
                           : ""));
  } else if (!selected) {
    notes.push_back("no Service selects it");
  }
  return notes;
}

}  // namespace

std::vector<WorkloadView> workload_views(const cluster::State& state,
                                         const rules::ZoneConfig& config,
                                         const resolvconf::ClusterDns& cluster) {
  std::vector<PlannedVmi> plan = plan_vmis(state);
  PlanSnapshot planned = build_plan_snapshot(state, plan, config);
  std::shared_ptr<const zone::Snapshot> current = builder::build(state, config);
  // Built once: a scan of every Service and every name for each VMI is quadratic.
  PlanIndex index(state, plan);
  NamesByAddress planned_names(*planned.snapshot);
  NamesByAddress current_names(*current);
  std::vector<WorkloadView> out;
  for (size_t i = 0; i < plan.size(); ++i) {
    const PlannedVmi& p = plan[i];
    WorkloadView view;
    const std::string& ns = p.vmi.meta.namespace_name;
    view.object = p.object();
    view.hostname = cluster::vmi_hostname(p.vmi);
    view.state = p.state_text();
    for (const cluster::IpAddress& address : p.vmi.addresses()) {
      view.addresses.push_back(address.to_string());
    }
    const cluster::Labels& labels = index.launcher_labels(i);
    for (const cluster::Service* service : index.services_with_pair(ns, labels)) {
      if (service->type != cluster::ServiceType::ExternalName &&
          cluster::selector_matches(service->selector, labels)) {
        view.services.push_back(ns + "/" + service->meta.name +
                                (service->headless ? " (headless)" : " (cluster IP)"));
      }
    }
    auto planned_addresses = planned.addresses.find(cluster::key_of(p.vmi.meta));
    resolvconf::GuestDns guest = resolvconf::guest_dns(cluster, p.vmi);
    view.search = guest.conf.search;
    if (planned_addresses != planned.addresses.end()) {
      for (const std::string& name : planned_names.names_with(planned_addresses->second)) {
        std::string shown = shown_name(name, planned_addresses->second, planned.placeholders);
        view.names.push_back(shown);
        if (shown != name || is_service_name(name, state, ns, config)) {
          continue;  // a name made from an address it does not have yet, or the Service's own
        }
        for (std::string& short_name : short_names_of(name, view.search, *planned.snapshot)) {
          if (std::find(view.short_names.begin(), view.short_names.end(), short_name) ==
              view.short_names.end()) {
            view.short_names.push_back(std::move(short_name));
          }
        }
      }
    }
    view.served =
        p.state == VmiState::Ready && !current_names.names_with(p.vmi.addresses()).empty();
    view.notes = notes_for(p, labels, state, !view.services.empty());
    out.push_back(std::move(view));
  }
  return out;
}

}  // namespace vmdns::explain
